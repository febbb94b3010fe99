"""Public pages: the role catalog, role pages and applying, the candidate's own pages."""
from .routes import bp

__all__ = ["bp"]
