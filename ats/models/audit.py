"""The audit trail: every change staff make, and every export, with who and when."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One recorded action. ``action`` is a dotted name such as ``skills.annotate``;
    ``detail`` holds what changed (before and after), never self-identification."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_application_created", "application_id", "created_at"),
        # The audit trail page (``ats.queries.audit``) reads newest first, by
        # (created_at, id), through one of these whatever filters it is given.
        Index("ix_audit_events_created", "created_at", "id"),
        Index("ix_audit_events_action_created", "action", "created_at", "id"),
        Index("ix_audit_events_actor_created", "actor_id", "created_at", "id"),
        Index("ix_audit_events_actor_action_created", "actor_id", "action", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def record(action: str, actor_id: int | None, application_id: int | None = None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(action=action, actor_id=actor_id, application_id=application_id, detail=detail)
    db.session.add(event)
    return event
