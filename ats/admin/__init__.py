"""The admins' pages (``/admin/``): one module per area, all on one blueprint
that only admins reach. Every change made here goes through an operation and
into the audit trail."""
from .routes import bp
from . import audit, blind_review, candidates, companies, jobs, messages, roles, staff, webhooks  # noqa: F401  (each area adds its routes to bp on import)

__all__ = ["bp"]
