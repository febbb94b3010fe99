"""Interviews: scheduling from an application, the list, calendar files and feeds."""
