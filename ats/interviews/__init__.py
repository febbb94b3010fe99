"""Interviews: scheduling from an application, the list, calendar files and feeds."""
from .routes import bp

__all__ = ["bp"]
