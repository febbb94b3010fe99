"""A staff member's own page: their account and its two-step sign-in."""
from .routes import bp

__all__ = ["bp"]
