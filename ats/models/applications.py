"""Candidates, their applications, and every stage an application went through."""
import enum
import re
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from . import tokens
from .assessment import skill_match_score
from .roles import Role, RoleSkill
from .types import UTCDateTime, utcnow, value_enum


# Where an application came from: a job board, a mailing, a campaign
# (``?source=`` on the role page). Lowercase letters, digits and ``-``, at
# most 40; the role page itself when none (or an invalid one) was given.
DEFAULT_SOURCE = "role-page"
_SOURCE = re.compile(r"[a-z0-9-]{1,40}")


def valid_source(value: object) -> str | None:
    """``value`` when it is a source as the contract writes them, else None."""
    return value if isinstance(value, str) and _SOURCE.fullmatch(value) else None


class Stage(enum.Enum):
    """Where an application stands. The order of the open stages is the pipeline's."""

    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STAGES


# Forward moves go along this line; hired closes it.
PIPELINE = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
OPEN_STAGES = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER)
CLOSED_STAGES = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)


# The longest reason a stage move may give, in characters: the application
# page's stage form, the move page and the board's bulk move all hold to it.
MAX_REASON = 2_000

_OPEN_STAGE_SQL = "stage IN ('applied', 'screening', 'interview', 'offer')"


class ResumeTextStatus(enum.StrEnum):
    """Where an application's resume text stands (a plain string column)."""

    NONE = "none"  # no resume
    PENDING = "pending"  # a resume whose text has not been read yet
    READ = "read"
    UNREADABLE = "unreadable"


_RESUME_TEXT_STATUS_SQL = "resume_text_status IN ({})".format(", ".join(f"'{s.value}'" for s in ResumeTextStatus))


class Candidate(db.Model):
    """A person, once, whatever number of roles they apply to."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address as typed (normalised by email-validator) and its lower-case
    # key, which is what makes one person one candidate.
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    linkedin_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the person was erased (``ats.operations.erasure``): the columns
    # above are then blank and ``email_key`` a placeholder.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applications: Mapped[list["Application"]] = relationship(back_populates="candidate")


class Application(db.Model):
    """One candidate applying to one role.

    The candidate's details are copied in as they were submitted, so that a
    later application with other details does not rewrite this one.
    """

    __tablename__ = "applications"
    __table_args__ = (
        # The board lists a role's applications by stage, longest waiting first.
        Index("ix_applications_role_stage_entered", "role_id", "stage", "stage_entered_at"),
        Index("ix_applications_applied_at", "applied_at"),
        # The reports filter by role and applied dates and count by furthest
        # stage: this index answers them without reading the (wide) rows.
        Index("ix_applications_report", "role_id", "applied_at", "furthest_stage", "id"),
        # The dashboard's open applications waiting longest, whatever the role:
        # read in order, stopping after a few.
        Index(
            "ix_applications_open_waiting",
            "stage_entered_at",
            "id",
            sqlite_where=text(_OPEN_STAGE_SQL),
            postgresql_where=text(_OPEN_STAGE_SQL),
        ),
        # At most one open application per candidate and role.
        Index(
            "uq_applications_open_candidate_role",
            "candidate_id",
            "role_id",
            unique=True,
            sqlite_where=text(_OPEN_STAGE_SQL),
            postgresql_where=text(_OPEN_STAGE_SQL),
        ),
        CheckConstraint(_RESUME_TEXT_STATUS_SQL, name="resume_text_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    stage: Mapped[Stage] = mapped_column(value_enum(Stage, "stage"), default=Stage.APPLIED)
    # The furthest pipeline stage the application ever entered (a move back or
    # a rejection leaves it), kept in step with ``stage`` below, so the funnel
    # reports count it without reading the history.
    furthest_stage: Mapped[Stage] = mapped_column(value_enum(Stage, "furthest_stage"), default=Stage.APPLIED)
    # Raised on every change; a form that carries an older one is stale.
    version: Mapped[int] = mapped_column(default=1)
    # The stage an application was closed from, where reopening returns to.
    closed_from_stage: Mapped[Stage | None] = mapped_column(value_enum(Stage, "closed_from_stage"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    linkedin_url: Mapped[str] = mapped_column(String(500), default="")
    profile: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default=DEFAULT_SOURCE)

    # The candidate's own link to this application (``tokens``): the salt of
    # its key, and the key's SHA-256, kept in the column once named for the key.
    status_salt: Mapped[str] = mapped_column(String(32), default=tokens.new_salt)
    status_digest: Mapped[str] = mapped_column(
        "status_token", String(64), unique=True, default=tokens.digest_default(tokens.STATUS, "status_salt")
    )

    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(40))

    # The resume lives in ATS_UPLOAD_DIR under a random name.
    resume_storage_name: Mapped[str | None] = mapped_column(String(80))
    resume_original_name: Mapped[str | None] = mapped_column(String(255))
    resume_content_type: Mapped[str | None] = mapped_column(String(120))
    resume_size: Mapped[int | None]
    # The resume's text, read once when it arrived (``ats.operations.resume_text``),
    # at most MAX_RESUME_TEXT characters; pages read it, never the file.
    # Deferred: only the application page needs it.
    resume_text_status: Mapped[str] = mapped_column(
        String(12), default=ResumeTextStatus.NONE.value, server_default=ResumeTextStatus.NONE.value
    )
    resume_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    resume_text_truncated: Mapped[bool] = mapped_column(default=False, server_default=false())

    # The skill-match annotations, counted, kept in step by the annotation
    # service so the board and the export read them without a join. They are
    # written outside the version check: annotating does not make a stage
    # form stale.
    skills_strong: Mapped[int] = mapped_column(default=0)
    skills_partial: Mapped[int] = mapped_column(default=0)
    skills_assessed: Mapped[int] = mapped_column(default=0)
    # When the skill match was first saved (``annotate_skills``): from then on
    # a role's blind review no longer hides who the candidate is.
    identity_revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # When its candidate was erased: the row stays as an anonymous record
    # (stage, history times, role, skill levels, source), and no move, note
    # or interview reaches it again.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role: Mapped[Role] = relationship(lazy="joined")
    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    claimed_skills: Mapped[list[RoleSkill]] = relationship(
        secondary="application_skill_claims", order_by=RoleSkill.position
    )
    history: Mapped[list["StageChange"]] = relationship(
        back_populates="application",
        order_by="StageChange.created_at, StageChange.id",
        cascade="all, delete-orphan",
    )

    # Every UPDATE checks and raises the version, so two people editing the
    # same application cannot overwrite each other (StaleDataError).
    __mapper_args__ = {"version_id_col": version}

    @validates("stage")
    def _reach(self, key: str, stage: Stage) -> Stage:
        """Raise ``furthest_stage`` whenever the stage goes past it. A forward
        move may skip stages; the skipped ones count as passed."""
        if stage in PIPELINE and (
            self.furthest_stage is None or PIPELINE.index(stage) > PIPELINE.index(self.furthest_stage)
        ):
            self.furthest_stage = stage
        return stage

    @property
    def status_token(self) -> str:
        """The key to the candidate's status page, for links."""
        return tokens.key_for(tokens.STATUS, self.status_salt)

    @property
    def is_open(self) -> bool:
        return not self.stage.is_closed

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def skill_score(self, skill_count: int) -> float | None:
        """``skill_match_score`` of this application's counts, over the role's
        ``skill_count`` active skills."""
        return skill_match_score(self.skills_strong, self.skills_partial, self.skills_assessed, skill_count)


class ApplicationSkillClaim(db.Model):
    """A skill of the role that the candidate says they have."""

    __tablename__ = "application_skill_claims"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("role_skills.id"), primary_key=True)


class StageChange(db.Model):
    """One step in an application's history: from, to, who, when and why.

    ``from_stage`` is empty for the entry that records the application itself.
    """

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_application_created", "application_id", "created_at"),
        # The reports' median time in each stage reads the stays in order.
        Index("ix_stage_changes_from_stage_stay", "from_stage", "stay_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None] = mapped_column(value_enum(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(value_enum(Stage, "to_stage"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Who made the move: "candidate", "system" or "staff" (with the user's id).
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How long the application had been in ``from_stage`` when this change
    # moved it on, in seconds (empty for the entry that records the
    # application): the reports' time in stage, without pairing up the history.
    stay_seconds: Mapped[float | None]
    # A move to offer or to rejected after an interview: the recruiter's short
    # summary of why, and the evidence as it stood (``ats.queries.scorecards``:
    # which scorecards were in, the scores per skill), kept as it was then.
    decision_summary: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict | None] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="history")


class StageCount(db.Model):
    """How many applications each role has in each stage: what the board and
    the dashboard show without counting rows.

    Kept by the database, not by the application: triggers on ``applications``
    (migration 0008) change it in the same transaction as every insert,
    delete and change of stage or role, whoever writes them, and a trigger on
    ``roles`` gives each new role its rows. Read it; never write it.
    """

    __tablename__ = "stage_counts"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[Stage] = mapped_column(value_enum(Stage, "stage"), primary_key=True)
    applications: Mapped[int] = mapped_column(default=0)
