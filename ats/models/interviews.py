"""Interviews between a candidate and a company the application's role page lists."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timezones import ZoneInfo
from . import tokens
from .applications import Application
from .roles import Company
from .staff import StaffUser
from .types import UTCDateTime, utcnow, value_enum


class InterviewKind(enum.Enum):
    VIDEO = "video"
    ONSITE = "onsite"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"video": "Video call", "onsite": "On site", "phone": "Phone call"}[self.value]


class InterviewStatus(enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Interview(db.Model):
    """Times are stored in UTC; ``timezone`` is the IANA zone they were given in."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_status_starts", "status", "starts_at"),
        Index("ix_interviews_application_starts", "application_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    kind: Mapped[InterviewKind] = mapped_column(value_enum(InterviewKind, "kind"))
    status: Mapped[InterviewStatus] = mapped_column(
        value_enum(InterviewStatus, "status"), default=InterviewStatus.SCHEDULED
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(500), default="")
    # RFC 5545 SEQUENCE: raised on every reschedule and on cancelling.
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship(lazy="joined")
    company: Mapped[Company] = relationship(lazy="joined")
    organizer: Mapped[StaffUser | None] = relationship()
    interviewers: Mapped[list["InterviewInterviewer"]] = relationship(
        cascade="all, delete-orphan", order_by="InterviewInterviewer.email", lazy="selectin"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == InterviewStatus.CANCELLED

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def interviewer_emails(self) -> list[str]:
        return [i.email for i in self.interviewers]


class InterviewInterviewer(db.Model):
    """An interviewer by e-mail address (lower-cased): their time is checked for clashes."""

    __tablename__ = "interview_interviewers"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), primary_key=True, index=True)


class OfferStatus(enum.Enum):
    OPEN = "open"
    BOOKED = "booked"
    WITHDRAWN = "withdrawn"


class InterviewOffer(db.Model):
    """Times a recruiter offers; the candidate books one through a secret link.

    An offer past ``expires_at`` can no longer be booked, whatever its status.
    """

    __tablename__ = "interview_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The candidate's link to the offer (``tokens``): its key's salt and SHA-256.
    salt: Mapped[str] = mapped_column(String(32), default=tokens.new_salt)
    digest: Mapped[str] = mapped_column("token", String(64), unique=True,
                                        default=tokens.digest_default(tokens.OFFER, "salt"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    kind: Mapped[InterviewKind] = mapped_column(value_enum(InterviewKind, "kind"))
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(500), default="")
    # The zone the recruiter gave the times in; the candidate sees their own.
    timezone: Mapped[str] = mapped_column(String(64))
    interviewers: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[OfferStatus] = mapped_column(value_enum(OfferStatus, "status"), default=OfferStatus.OPEN)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(lazy="joined")
    company: Mapped[Company] = relationship(lazy="joined")
    organizer: Mapped[StaffUser | None] = relationship()
    interview: Mapped[Interview | None] = relationship()
    slots: Mapped[list["OfferSlot"]] = relationship(
        cascade="all, delete-orphan", order_by="OfferSlot.starts_at", lazy="selectin"
    )

    @property
    def token(self) -> str:
        """The key to the offer's page, for links."""
        return tokens.key_for(tokens.OFFER, self.salt)

    def is_bookable(self, now: datetime) -> bool:
        return self.status == OfferStatus.OPEN and now < self.expires_at

    def local(self, instant: datetime) -> datetime:
        """``instant`` on the wall clock of the offer's zone."""
        return instant.astimezone(ZoneInfo(self.timezone))


class OfferSlot(db.Model):
    __tablename__ = "interview_offer_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("interview_offers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
