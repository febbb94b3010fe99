"""Queries: what pages, exports and (later) the API read, returned as plain data.

A query reads and never commits or changes state; views and templates format
what it returns, and templates never run queries of their own."""
