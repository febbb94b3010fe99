"""The admins' pages. For now: background jobs that gave up."""
from .routes import bp

__all__ = ["bp"]
