"""Staff sign-in and sign-out."""
from .routes import bp

__all__ = ["bp"]
