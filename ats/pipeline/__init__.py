"""The recruiters' pages: the dashboard, the boards and the application pages.

``bp`` lives in ``routes`` with the dashboard; the other modules add their
views to it, so importing them here is what registers them.
"""
from . import application, board  # noqa: F401  (they register views on bp)
from .routes import bp

__all__ = ["bp"]
