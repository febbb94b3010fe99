"""What interviewers report after an interview: a scorecard per interviewer
and interview, rating each of the role's required skills on the evidence
they saw, with an overall recommendation.

Interviewers are e-mail addresses (``InterviewInterviewer``), mostly people
at the hiring company, not staff users. Each opens their scorecard through a
private link (``tokens``: only a salt and the key's SHA-256 are stored); the
link works until ``LINK_VALID_FOR`` after the interview's end. A scorecard
can be submitted again until the application is decided, and each
submission is kept whole in ``scorecard_versions``.
"""
import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from . import tokens
from .applications import Stage
from .assessment import SkillLevel
from .interviews import Interview
from .roles import RoleSkill
from .types import UTCDateTime, utcnow, value_enum

# An interviewer's link opens their scorecard until this long after the interview ends.
LINK_VALID_FOR = timedelta(days=14)
# A scorecard not submitted this long after the interview ends is reminded once.
REMIND_AFTER = timedelta(hours=24)
# Once an application reaches one of these, its scorecards can be read, not changed.
DECIDED_STAGES = frozenset({Stage.OFFER, Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})


class Recommendation(enum.Enum):
    STRONG_YES = "strong_yes"
    YES = "yes"
    NO = "no"
    STRONG_NO = "strong_no"

    @property
    def label(self) -> str:
        return {"strong_yes": "Strong yes", "yes": "Yes", "no": "No", "strong_no": "Strong no"}[self.value]

    @property
    def is_yes(self) -> bool:
        return self in (Recommendation.STRONG_YES, Recommendation.YES)


class Scorecard(db.Model):
    """One interviewer's scorecard for one interview: made when the interview
    has ended (with its link), empty until first submitted. The current
    ratings are ``ratings``; every submission is also in ``versions``."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("interview_id", "email"),
        # Staff who interview find theirs by address (the dashboard).
        Index("ix_scorecards_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    # The interviewer, lower-cased as in ``interview_interviewers``.
    email: Mapped[str] = mapped_column(String(320))
    # The interviewer's link (``tokens.SCORECARD``): its key's salt and SHA-256.
    salt: Mapped[str] = mapped_column(String(32), default=tokens.new_salt)
    digest: Mapped[str] = mapped_column(String(64), unique=True,
                                        default=tokens.digest_default(tokens.SCORECARD, "salt"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the link was mailed, and when the one reminder was.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first submission and the latest; ``version`` counts submissions.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)
    recommendation: Mapped[Recommendation | None] = mapped_column(value_enum(Recommendation, "recommendation"))
    summary: Mapped[str] = mapped_column(Text, default="")

    interview: Mapped[Interview] = relationship(lazy="joined")
    ratings: Mapped[list["ScorecardRating"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    versions: Mapped[list["ScorecardVersion"]] = relationship(
        cascade="all, delete-orphan", order_by="ScorecardVersion.version"
    )

    @property
    def token(self) -> str:
        """The key to the scorecard's page, for links."""
        return tokens.key_for(tokens.SCORECARD, self.salt)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def expires_at(self) -> datetime:
        return self.interview.ends_at + LINK_VALID_FOR


class ScorecardRating(db.Model):
    """The current level and evidence note for one skill on one scorecard."""

    __tablename__ = "scorecard_ratings"

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("role_skills.id"), primary_key=True)
    level: Mapped[SkillLevel] = mapped_column(value_enum(SkillLevel, "level"), default=SkillLevel.UNKNOWN)
    note: Mapped[str] = mapped_column(Text, default="")

    skill: Mapped[RoleSkill] = relationship(lazy="joined")


class ScorecardVersion(db.Model):
    """One submission of a scorecard, as it was: never changed afterwards
    (erasure blanks its texts). ``ratings`` maps each skill's slug to
    ``{"level": …, "note": …}``."""

    __tablename__ = "scorecard_versions"
    __table_args__ = (UniqueConstraint("scorecard_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    version: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recommendation: Mapped[Recommendation] = mapped_column(value_enum(Recommendation, "recommendation"))
    summary: Mapped[str] = mapped_column(Text, default="")
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
