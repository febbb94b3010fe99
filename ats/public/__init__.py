"""Public pages: the role catalog, role pages and applying, the candidate's
own pages, and the sitemap and robots.txt for search engines."""
from . import reach  # noqa: F401  (its routes are on bp)
from .routes import bp

__all__ = ["bp"]
