"""A role's board: one column per stage, search, filters and bulk moves."""
from .routes import bp  # noqa: F401
