"""The JSON API under /api/v1 (the contract's "API")."""
from .routes import bp

__all__ = ["bp"]
