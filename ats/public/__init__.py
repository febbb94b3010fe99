"""Public pages: the role catalog, role pages and applying, the candidate's
own pages, interviewers' scorecards, and the sitemap and robots.txt for
search engines."""
from . import reach, scorecards  # noqa: F401  (their routes are on bp)
from .routes import bp

__all__ = ["bp"]
