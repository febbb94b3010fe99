"""The recruiters' pages: the dashboard, the boards and the application pages."""
from .routes import bp

__all__ = ["bp"]
