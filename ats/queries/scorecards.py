"""The evidence for an application: for each of its role's active skills,
the recruiter's level and note beside each interviewer's, whether they agree,
and an evidence score from the interviewers' ratings.

Only submitted scorecards of interviews that were not cancelled count. The
levels compared are the given ones (``unknown``, "not assessed", is left
out); on the steps strong 2, partial 1, none 0:

- they *agree* when at least two levels are given and all are equal;
- they *disagree* (flagged) when any two differ by two steps or more, strong
  against none;
- otherwise they are apart by one step, or there is nothing to compare.

The evidence score of a skill is the mean of the contract's weights
(``SkillLevel.weight``: strong 1, partial ½, none 0) over the interviewers'
given levels; the overall score is ``skill_match_score``'s rule on the same
0–100 scale: the skills' scores summed, over the role's number of skills, to
one decimal; None while no interviewer rated any skill.

Read in a fixed number of queries whatever the number of interviews,
scorecards or skills: one for the scorecards and their ratings, given the
interviews and the recruiter's annotations the application page has read. ``snapshot`` turns the evidence into plain JSON, what a
decision (a move to offer or rejected after an interview) keeps with its
history entry as it stood then.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..models import (
    Application,
    Company,
    Interview,
    InterviewStatus,
    Recommendation,
    RoleSkill,
    Scorecard,
    ScorecardRating,
    SkillAnnotation,
    SkillLevel,
    Stage,
    utcnow,
)
from ..timezones import ZoneInfo

# A level's place when two are compared; not assessed has none.
STEPS = {SkillLevel.STRONG: 2, SkillLevel.PARTIAL: 1, SkillLevel.NONE: 0}
# Two given levels this many steps apart (or more) are a disagreement.
DISAGREEMENT = 2

AGREE, APART, DISAGREE = "agree", "apart", "disagree"

# Moves that decide an application: after an interview they need a decision
# summary, and keep the evidence as it stood (``ats.operations.pipeline.move``).
DECISION_STAGES = (Stage.OFFER, Stage.REJECTED)


@dataclass(frozen=True)
class Rating:
    level: SkillLevel
    note: str = ""

    @property
    def given(self) -> bool:
        return self.level in STEPS


NOT_RATED = Rating(SkillLevel.UNKNOWN)


@dataclass
class Card:
    """One submitted scorecard, as the evidence shows it."""

    id: int
    interview_id: int
    version: int
    interviewer: str  # the interviewer's address: who judged, not who applied
    company: str
    interview_starts_at: datetime
    timezone: str
    recommendation: Recommendation | None
    summary: str
    submitted_at: datetime | None
    ratings: dict[int, Rating] = field(default_factory=dict)  # by skill id

    @property
    def interview_date(self) -> datetime:
        """The interview's start on its own wall clock."""
        return self.interview_starts_at.astimezone(ZoneInfo(self.timezone))

    def rating(self, skill_id: int) -> Rating:
        return self.ratings.get(skill_id, NOT_RATED)


@dataclass
class SkillEvidence:
    skill: RoleSkill
    recruiter: Rating
    interviewers: list[tuple[Card, Rating]]

    @property
    def given(self) -> list[SkillLevel]:
        """Every given level: the recruiter's, then the interviewers'."""
        levels = [self.recruiter.level] + [rating.level for _, rating in self.interviewers]
        return [level for level in levels if level in STEPS]

    @property
    def agreement(self) -> str | None:
        """``agree``, ``apart`` (one step), ``disagree`` (two steps or more),
        or None when fewer than two levels are given."""
        steps = [STEPS[level] for level in self.given]
        if len(steps) < 2:
            return None
        spread = max(steps) - min(steps)
        if spread >= DISAGREEMENT:
            return DISAGREE
        return AGREE if spread == 0 else APART

    @property
    def weights(self) -> list[float]:
        return [rating.level.weight for _, rating in self.interviewers if rating.given]

    @property
    def score(self) -> float | None:
        """The mean of the interviewers' weights, 0 to 1; None when none rated it."""
        weights = self.weights
        return sum(weights) / len(weights) if weights else None

    @property
    def score_100(self) -> float | None:
        """The score on the overall's 0–100 scale, one decimal."""
        score = self.score
        return None if score is None else round(100 * score, 1)


@dataclass
class ApplicationEvidence:
    cards: list[Card]  # submitted, by interview start then interviewer
    skills: list[SkillEvidence]  # the role's active skills, in order
    expected: int  # interviewers of the interviews that have ended (not cancelled)
    submitted: int  # of those, how many submitted their scorecard
    recruiter_score: float | None  # ``skill_match_score``

    @property
    def score(self) -> float | None:
        """The overall evidence score, 0–100 with one decimal (``skill_match_score``'s rule)."""
        scores = [row.score for row in self.skills if row.score is not None]
        if not scores or not self.skills:
            return None
        return round(100 * sum(scores) / len(self.skills), 1)

    @property
    def disagreements(self) -> list[SkillEvidence]:
        return [row for row in self.skills if row.agreement == DISAGREE]

    @property
    def recommendations(self) -> dict[Recommendation, int]:
        counts: dict[Recommendation, int] = {}
        for card in self.cards:
            if card.recommendation is not None:
                counts[card.recommendation] = counts.get(card.recommendation, 0) + 1
        return counts


def _counted(application_id: int):
    """SQL: the interview is this application's and was not cancelled."""
    return and_(Interview.application_id == application_id, Interview.status != InterviewStatus.CANCELLED)


def load_evidence(application: Application, skills: list[RoleSkill] | None = None,
                  annotations: dict[int, SkillAnnotation] | None = None, now: datetime | None = None,
                  interviews: list[Interview] | None = None) -> ApplicationEvidence:
    """The evidence for ``application`` over ``skills`` (its role's active
    skills unless given). ``annotations`` (by skill id) are the recruiter's,
    and ``interviews`` the application's with their interviewers; each is
    read here unless the caller has it (the application page has both). Then
    one query more, for the submitted scorecards with their ratings, and none
    when no interview counts."""
    skills = application.role.active_skills if skills is None else skills
    now = now or utcnow()
    if annotations is None:
        annotations = {
            annotation.skill_id: annotation
            for annotation in db.session.scalars(
                select(SkillAnnotation).where(SkillAnnotation.application_id == application.id)
            )
        }
    if interviews is None:
        interviews = list(db.session.scalars(
            select(Interview).where(_counted(application.id)).options(lazyload(Interview.application))
        ).unique())
    counted = [interview for interview in interviews if not interview.is_cancelled]
    cards = _cards(application.id) if counted else []
    # The interviewers of the interviews that have ended: the scorecards expected.
    expected = {(interview.id, email) for interview in counted if interview.ends_at <= now
                for email in interview.interviewer_emails}
    evidence_rows = []
    for skill in skills:
        annotation = annotations.get(skill.id)
        recruiter = Rating(annotation.level, annotation.note or "") if annotation else NOT_RATED
        evidence_rows.append(SkillEvidence(skill, recruiter, [(card, card.rating(skill.id)) for card in cards]))
    return ApplicationEvidence(
        cards=cards,
        skills=evidence_rows,
        expected=len(expected),
        submitted=sum(1 for card in cards if (card.interview_id, card.interviewer) in expected),
        recruiter_score=application.skill_score(len(skills)),
    )


def _cards(application_id: int) -> list[Card]:
    """The submitted scorecards of the application's interviews not
    cancelled, with their ratings, by interview start then interviewer: one
    query, a row per rating (a scorecard with none still gives one)."""
    rows = db.session.execute(
        select(
            Scorecard.id, Scorecard.interview_id, Scorecard.version, Scorecard.email, Company.name,
            Interview.starts_at, Interview.timezone, Scorecard.recommendation, Scorecard.summary,
            Scorecard.submitted_at, ScorecardRating.skill_id, ScorecardRating.level, ScorecardRating.note,
        )
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Company, Company.id == Interview.company_id)
        .outerjoin(ScorecardRating, ScorecardRating.scorecard_id == Scorecard.id)
        .where(_counted(application_id), Scorecard.submitted_at.is_not(None))
        .order_by(Interview.starts_at, Interview.id, Scorecard.email, Scorecard.id)
    ).all()
    cards: dict[int, Card] = {}
    for (card_id, interview_id, version, email, company, starts_at, zone, recommendation, summary, submitted_at,
         skill_id, level, note) in rows:
        card = cards.get(card_id)
        if card is None:
            card = cards[card_id] = Card(card_id, interview_id, version, email, company, starts_at, zone,
                                         recommendation, summary or "", submitted_at)
        if skill_id is not None:
            card.ratings[skill_id] = Rating(level, note or "")
    return list(cards.values())


def had_interview(application_id: int, now: datetime | None = None) -> bool:
    """Whether the application has an interview, not cancelled, that has ended."""
    now = now or utcnow()
    return db.session.scalar(
        select(Interview.id).where(_counted(application_id), Interview.ends_at <= now).limit(1)
    ) is not None


# --- The evidence as a decision keeps it ------------------------------------------

SNAPSHOT_VERSION = 1
# What an erased candidate's snapshot keeps: numbers, ids, levels, slugs,
# the recommendations' values, skill and company names (erasure keeps an
# interview's company). Any other text, the interviewers' addresses and
# whatever a later format adds, is blanked (``erased_snapshot``).
KEPT_KEYS = frozenset({
    "format", "id", "version", "recommendation", "slug", "recruiter", "levels", "score", "agreement",
    "expected", "submitted", "recruiter_score", "scorecards", "skills", "company", "name",
})


def snapshot(evidence: ApplicationEvidence) -> dict:
    """The evidence as plain JSON, to keep with a decision: which scorecards
    were in (id, version, interviewer, company, recommendation), per skill the
    recruiter's level, each scorecard's level (in the order of
    ``scorecards``), the score and the agreement, and the overall scores."""
    return {
        "format": SNAPSHOT_VERSION,
        "expected": evidence.expected,
        "submitted": evidence.submitted,
        "scorecards": [
            {
                "id": card.id,
                "version": card.version,
                "interviewer": card.interviewer,
                "company": card.company,
                "recommendation": card.recommendation.value if card.recommendation else None,
            }
            for card in evidence.cards
        ],
        "skills": [
            {
                "slug": row.skill.slug,
                "name": row.skill.name,
                "recruiter": row.recruiter.level.value,
                "levels": [rating.level.value for _, rating in row.interviewers],
                "score": row.score_100,
                "agreement": row.agreement,
            }
            for row in evidence.skills
        ],
        "score": evidence.score,
        "recruiter_score": evidence.recruiter_score,
    }


def erased_snapshot(value, key: str | None = None):
    """``value`` (a snapshot, or any part of one) with every text outside
    ``KEPT_KEYS`` blanked: what an erased candidate's history keeps."""
    if isinstance(value, dict):
        return {k: erased_snapshot(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [erased_snapshot(item, key) for item in value]
    if isinstance(value, str) and key not in KEPT_KEYS:
        return ""
    return value


@dataclass(frozen=True)
class SnapshotView:
    """A kept snapshot as the history shows it."""

    expected: int
    submitted: int
    score: float | None
    recruiter_score: float | None
    scorecards: list[dict]
    skills: list[dict]
    disagreements: list[str]

    @property
    def recommendations(self) -> list[str]:
        """"Yes (interviewer, company)" for each scorecard that was in."""
        out = []
        for card in self.scorecards:
            label = _recommendation_label(card.get("recommendation"))
            who = ", ".join(part for part in (card.get("interviewer"), card.get("company")) if part)
            out.append(f"{label} ({who})" if who else label)
        return out

    @property
    def skill_lines(self) -> list[str]:
        """"Clinical NLP: recruiter Strong; interviewers Strong, None; score 50.0; disagree" per skill."""
        lines = []
        for skill in self.skills:
            levels = ", ".join(_level_label(level) for level in skill.get("levels") or []) or "none in"
            score = skill.get("score")
            line = (f"{skill.get('name') or skill.get('slug') or 'A skill'}: recruiter "
                    f"{_level_label(skill.get('recruiter'))}; interviewers {levels}; score "
                    + ("—" if score is None else f"{score:.1f}"))
            agreement = {AGREE: "agree", DISAGREE: "disagree: two steps apart", APART: "one step apart"}
            if skill.get("agreement") in agreement:
                line += f"; {agreement[skill['agreement']]}"
            lines.append(line)
        return lines

    @property
    def line(self) -> str:
        """"2 of 3 scorecards in; evidence score 62.5; recommendations: Yes, No"."""
        parts = [f"{self.submitted} of {self.expected} scorecards in" if self.expected
                 else f"{len(self.scorecards)} scorecards in"]
        parts.append("evidence score " + ("none yet" if self.score is None else f"{self.score:.1f}"))
        labels = [_recommendation_label(card.get("recommendation")) for card in self.scorecards]
        if labels:
            parts.append("recommendations: " + ", ".join(labels))
        return "; ".join(parts)


def _level_label(value) -> str:
    try:
        return SkillLevel(value).label
    except ValueError:
        return "Not assessed"


def _recommendation_label(value) -> str:
    try:
        return Recommendation(value).label
    except ValueError:
        return "No recommendation"


def snapshot_view(evidence) -> SnapshotView | None:
    """A kept snapshot (``StageChange.evidence``) for the history; None when
    there is none or it is not one this code wrote."""
    if not isinstance(evidence, dict) or evidence.get("format") != SNAPSHOT_VERSION:
        return None
    skills = [skill for skill in evidence.get("skills") or [] if isinstance(skill, dict)]
    return SnapshotView(
        expected=int(evidence.get("expected") or 0),
        submitted=int(evidence.get("submitted") or 0),
        score=evidence.get("score"),
        recruiter_score=evidence.get("recruiter_score"),
        scorecards=[card for card in evidence.get("scorecards") or [] if isinstance(card, dict)],
        skills=skills,
        disagreements=[skill.get("name") or skill.get("slug") or "" for skill in skills
                       if skill.get("agreement") == DISAGREE],
    )
