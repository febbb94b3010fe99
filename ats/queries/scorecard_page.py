"""An interviewer's scorecard as its private link opens it (``/scorecards/<token>``).

The link opens nothing once the interview was cancelled or the candidate
erased (404); the page says so when its time is over (410), and shows the
scorecard read-only once the application is decided. What the page may show
of the application is the role, the company, the interview's time and the
candidate's name: no other scorecard, note or detail of the candidate.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import InterviewStatus, RoleSkill, Scorecard, ScorecardRating, SkillLevel, tokens, utcnow
from ..models.scorecards import DECIDED_STAGES


def scorecard_by_token(token: str) -> Scorecard | None:
    """The scorecard whose link holds ``token``, while the link opens anything."""
    scorecard = db.session.scalars(select(Scorecard).where(Scorecard.digest == tokens.digest(token))).first()
    if scorecard is None:
        return None
    interview = scorecard.interview
    if interview.status != InterviewStatus.SCHEDULED or interview.application.erased:
        return None
    return scorecard


@dataclass(frozen=True)
class RatingRow:
    skill: RoleSkill
    level: SkillLevel
    note: str

    @property
    def slug(self) -> str:
        return self.skill.slug


@dataclass(frozen=True)
class ScorecardPage:
    scorecard: Scorecard
    candidate_name: str
    role_title: str
    company_name: str
    rows: list[RatingRow]
    read_only: bool

    @property
    def interview(self):
        return self.scorecard.interview


def is_expired(scorecard: Scorecard, now: datetime | None = None) -> bool:
    return (now or utcnow()) > scorecard.expires_at


def load_page(scorecard: Scorecard) -> ScorecardPage:
    """What the scorecard page shows: the role's active skills with the
    interviewer's current ratings ("not assessed" where there is none)."""
    application = scorecard.interview.application
    saved: dict[int, ScorecardRating] = {rating.skill_id: rating for rating in scorecard.ratings}
    rows = []
    for skill in application.role.active_skills:
        rating = saved.get(skill.id)
        rows.append(RatingRow(skill, rating.level if rating else SkillLevel.UNKNOWN, rating.note if rating else ""))
    return ScorecardPage(
        scorecard=scorecard,
        candidate_name=application.full_name,
        role_title=application.role.title,
        company_name=scorecard.interview.company.name,
        rows=rows,
        read_only=application.stage in DECIDED_STAGES,
    )
