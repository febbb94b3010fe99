"""Background jobs that gave up: kept for admins to see and run again
(``ats.jobs``). The queue itself (Redis, through Huey) holds what is waiting;
the database holds only what needs a person."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class JobFailure(db.Model):
    """One job that failed on its last try. ``error`` says what went wrong in
    words safe to show and log (an exception's kind, an SMTP code), never an
    address, a name or a token; ``args`` are ids."""

    __tablename__ = "job_failures"
    __table_args__ = (
        # The admins' list: what is still open, newest first.
        Index("ix_job_failures_open", "id", sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(60))
    # The job's arguments as JSON text (ids), as it was queued.
    args: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(String(300))
    tries: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when an admin ran it again (by whom), or when it later succeeded.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    def __repr__(self) -> str:
        return f"<JobFailure {self.id} {self.task} {self.args}>"
