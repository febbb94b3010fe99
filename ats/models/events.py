"""What happened, recorded in the transaction that made it happen.

An operation that changes state adds an :class:`Event` before it commits, so
an event exists exactly when its change does: nothing rolled back is ever
announced, nothing committed goes unannounced (the transactional outbox).
After the commit, the dispatcher (``ats.events``) turns events into
mail, and will turn them into webhooks and jobs.
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow, value_enum


class EventType(enum.Enum):
    # The first four are the contract's webhook events.
    APPLICATION_CREATED = "application.created"
    STAGE_CHANGED = "application.stage_changed"
    INTERVIEW_SCHEDULED = "interview.scheduled"
    INTERVIEW_CANCELLED = "interview.cancelled"
    INTERVIEW_RESCHEDULED = "interview.rescheduled"
    INTERVIEW_OFFERED = "interview.offered"
    # Someone applied again with the address of an open application for the
    # role: nothing new is stored, and the existing status link is mailed.
    APPLICATION_RESUBMITTED = "application.resubmitted"


class Event(db.Model):
    """One thing that happened to an application. ``data`` names what it
    concerns (ids, stages), never personal details, which are read when the
    event is dispatched."""

    __tablename__ = "events"
    __table_args__ = (
        # The dispatcher's queue: what is not yet dispatched, oldest first.
        Index("ix_events_undispatched", "id", sqlite_where=text("dispatched_at IS NULL"),
              postgresql_where=text("dispatched_at IS NULL")),
        Index("ix_events_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[EventType] = mapped_column(value_enum(EventType, "type", length=40))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a dispatcher took the event; it is then never taken again.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship("Application")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type.value} application={self.application_id}>"
