"""Candidates' data rights: their requests to be erased, and what is left of
the erased for the fairness report.

Erasing a candidate deletes their self-identification (contract, "Data
rights"). The fairness report must not change for it, so the answers first
go into :class:`FairnessTally`: counts by role, day applied, stage and
furthest stage, which name no application and no person.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .applications import Application, Stage
from .self_identification import DECLINE
from .types import UTCDateTime, utcnow, value_enum

# How long an admin has to answer a request (GDPR art. 12(3): one month).
ANSWER_WITHIN_DAYS = 30


class ErasureRequest(db.Model):
    """A candidate asked, from a status page, to have their data erased.

    It points at the application whose page it came from; once the candidate
    is erased that row is anonymous, and so is this one.
    """

    __tablename__ = "erasure_requests"
    __table_args__ = (
        # The admins' list: open requests, oldest first.
        Index("ix_erasure_requests_open", "requested_at", "id",
              sqlite_where=text("handled_at IS NULL"), postgresql_where=text("handled_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    application: Mapped[Application] = relationship(lazy="joined")

    def days_open(self, now: datetime) -> int:
        return ((self.handled_at or now) - self.requested_at).days

    def overdue(self, now: datetime) -> bool:
        """Not answered within the month the law gives, or answered late."""
        return self.days_open(now) >= ANSWER_WITHIN_DAYS


class FairnessTally(db.Model):
    """How many erased applications gave these self-identification answers,
    by role, day applied, stage and furthest stage: what the reports'
    filters and funnel need, and nothing that names anyone. Erased
    applications are closed and never move again, so a tally never goes
    stale."""

    __tablename__ = "fairness_tallies"
    __table_args__ = (
        UniqueConstraint("role_id", "applied_at", "stage", "furthest_stage", "gender", "race_ethnicity",
                         "veteran", "disability", name="uq_fairness_tallies_cell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    # Midnight UTC of the day applied: the reports filter by day, and the
    # filters' conditions apply to this column as to the applications'.
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[Stage] = mapped_column(value_enum(Stage, "stage"))
    furthest_stage: Mapped[Stage] = mapped_column(value_enum(Stage, "furthest_stage"))
    gender: Mapped[str] = mapped_column(String(40), default=DECLINE)
    race_ethnicity: Mapped[str] = mapped_column(String(40), default=DECLINE)
    veteran: Mapped[str] = mapped_column(String(40), default=DECLINE)
    disability: Mapped[str] = mapped_column(String(40), default=DECLINE)
    applications: Mapped[int] = mapped_column(default=0)
