"""Staff sign-in and sign-out, and setting a password through a link."""
from .routes import bp
from . import passwords  # noqa: F401  (adds its routes to bp)

__all__ = ["bp"]
