"""The managers' reports and the pipeline export."""
from .routes import bp

__all__ = ["bp"]
