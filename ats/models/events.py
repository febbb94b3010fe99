"""What happened, recorded in the transaction that made it happen.

An operation that changes state adds an :class:`Event` before it commits, so
an event exists exactly when its change does: nothing rolled back is ever
announced, nothing committed goes unannounced (the transactional outbox).
After the commit, each event is handed to the background jobs (``ats.jobs``),
which deliver its mail (and later its webhooks) at least once and, short of a
crash between the mail server's acceptance and the next commit, exactly once.
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
    # A staff member was sent a one-time link to set their password (no
    # application): ``data`` names the user and the link row, never the key.
    STAFF_INVITED = "staff.invited"
    # An event's name, not a password.
    STAFF_PASSWORD_RESET = "staff.password_reset"  # nosec B105
    # An interview ended: an interviewer is sent the link to their scorecard;
    # and, once, a reminder when it is still not in a day later. ``data``
    # names the scorecard, never the address or the key.
    SCORECARD_REQUESTED = "scorecard.requested"
    SCORECARD_REMINDED = "scorecard.reminded"


class Event(db.Model):
    """One thing that happened (to an application, or to a staff account). ``data`` names what it
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
    # Set once its notification has gone out (or it needed none): it is
    # then never delivered again.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Handed to the job queue; an event committed but never handed over (the
    # queue was unreachable) is handed over by the worker's sweep.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A job is delivering it until then; a job that finds the event claimed
    # by another leaves it alone, and a claim that outlived its job (the
    # worker was killed) lapses.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its delivery gave up after the last retry (``job_failures`` says why).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship("Application")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type.value} application={self.application_id}>"
