"""What recruiters record about an application: skill-match annotations and notes."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .roles import RoleSkill
from .types import UTCDateTime, utcnow, value_enum


class SkillLevel(enum.Enum):
    """How well a candidate matches one required skill, in the recruiter's judgement."""

    STRONG = "strong"
    PARTIAL = "partial"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"strong": "Strong", "partial": "Partial", "none": "None", "unknown": "Not assessed"}[self.value]

    @property
    def weight(self) -> float | None:
        """What a skill at this level adds to the skill match (see
        ``skill_match_score``); None when not assessed."""
        return {"strong": 1.0, "partial": 0.5, "none": 0.0, "unknown": None}[self.value]


# Read once, not per call: the board and the CSV score many applications.
_STRONG, _PARTIAL, _NONE = SkillLevel.STRONG.weight, SkillLevel.PARTIAL.weight, SkillLevel.NONE.weight


def skill_match_score(strong: int, partial: int, assessed: int, skill_count: int) -> float | None:
    """The skill match, 0 to 100 with one decimal: the weights of the assessed
    skills' levels, over the role's ``skill_count`` active skills. ``strong``
    and ``partial`` count skills at those levels, ``assessed`` every skill not
    ``unknown``. None while no skill has been assessed.

    The one statement of the score: the application page, the board and the
    pipeline CSV all call it.
    """
    if not assessed or not skill_count:
        return None
    points = strong * _STRONG + partial * _PARTIAL + (assessed - strong - partial) * _NONE
    return round(100 * points / skill_count, 1)


class SkillAnnotation(db.Model):
    __tablename__ = "skill_annotations"
    __table_args__ = (UniqueConstraint("application_id", "skill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("role_skills.id"))
    level: Mapped[SkillLevel] = mapped_column(
        value_enum(SkillLevel, "level"),
        default=SkillLevel.UNKNOWN,
    )
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    skill: Mapped[RoleSkill] = relationship(lazy="joined")


class ApplicationNote(db.Model):
    """A recruiter's note: plain text, line breaks kept, never shown to the candidate."""

    __tablename__ = "application_notes"
    __table_args__ = (Index("ix_application_notes_application_created", "application_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
