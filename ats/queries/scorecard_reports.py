"""The reports' scorecard figures, for managers and admins: per company, how
many scorecards came back and how fast; per interviewer, how often their
recommendation matched the decision.

Over the applications the reports' filters cover (role, applied dates).
Only interviews that were not cancelled and have ended count; a scorecard
is expected from each of their interviewers. Every figure comes from a
GROUP BY (the medians from a window over the rows): three queries whatever
the number of interviews.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import Application, Company, Interview, InterviewInterviewer, InterviewStatus, Recommendation, Scorecard
from ..models import Stage, utcnow
from .filters import Filters

# A decision a recommendation can match: yes or strong yes ↔ offer or hired;
# no or strong no ↔ rejected. Withdrawn decides nothing.
YES = (Recommendation.YES, Recommendation.STRONG_YES)
NO = (Recommendation.NO, Recommendation.STRONG_NO)
HIRING = (Stage.OFFER, Stage.HIRED)
DECIDED = (*HIRING, Stage.REJECTED)


@dataclass(frozen=True)
class CompanyFeedback:
    company: str
    interviews: int  # ended, not cancelled
    expected: int  # their interviewers: a scorecard each
    submitted: int
    median_seconds: float | None  # interview end → first submission

    @property
    def rate(self) -> float | None:
        return self.submitted / self.expected if self.expected else None


@dataclass(frozen=True)
class InterviewerRecord:
    interviewer: str
    decided: int  # decided applications they scored
    matched: int

    @property
    def rate(self) -> float | None:
        return self.matched / self.decided if self.decided else None


@dataclass(frozen=True)
class ScorecardReport:
    companies: list[CompanyFeedback]
    interviewers: list[InterviewerRecord]

    @property
    def max_expected(self) -> int:
        return max((row.expected for row in self.companies), default=0)


def build(filters: Filters, now: datetime | None = None) -> ScorecardReport:
    now = now or utcnow()
    return ScorecardReport(_companies(filters, now), _interviewers(filters))


def _seconds(later, earlier):
    """SQL: seconds from ``earlier`` to ``later``."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86_400


def _ended(filters: Filters, now: datetime) -> list:
    return [Interview.status != InterviewStatus.CANCELLED, Interview.ends_at <= now, *filters.conditions()]


def _companies(filters: Filters, now: datetime) -> list[CompanyFeedback]:
    submitted_pair = and_(Scorecard.interview_id == InterviewInterviewer.interview_id,
                          Scorecard.email == InterviewInterviewer.email, Scorecard.submitted_at.is_not(None))
    pairs = (
        select(Interview.company_id, func.count(func.distinct(Interview.id)), func.count(InterviewInterviewer.email),
               func.count(Scorecard.id))
        .select_from(Interview)
        .join(Application, Application.id == Interview.application_id)
        .outerjoin(InterviewInterviewer, InterviewInterviewer.interview_id == Interview.id)
        .outerjoin(Scorecard, submitted_pair)
        .where(*_ended(filters, now))
        .group_by(Interview.company_id)
    )
    counts = {company_id: rest for company_id, *rest in db.session.execute(pairs)}
    if not counts:
        return []

    # The median time to feedback: each company's submissions in order of
    # time, and the middle one (or the mean of the middle two).
    feedback = (
        select(Interview.company_id.label("company_id"),
               _seconds(Scorecard.submitted_at, Interview.ends_at).label("seconds"))
        .select_from(Interview)
        .join(Application, Application.id == Interview.application_id)
        .join(InterviewInterviewer, InterviewInterviewer.interview_id == Interview.id)
        .join(Scorecard, submitted_pair)
        .where(*_ended(filters, now))
        .subquery("feedback")
    )
    ranked = select(
        feedback.c.company_id, feedback.c.seconds,
        func.row_number().over(partition_by=feedback.c.company_id, order_by=feedback.c.seconds).label("place"),
        func.count().over(partition_by=feedback.c.company_id).label("total"),
    ).subquery("ranked")
    medians = dict(db.session.execute(
        select(ranked.c.company_id, func.avg(ranked.c.seconds))
        .where(ranked.c.place.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2]))
        .group_by(ranked.c.company_id)
    ).all())
    names = dict(db.session.execute(select(Company.id, Company.name).where(Company.id.in_(list(counts)))).all())
    # To the second: SQLite's day fractions are a few microseconds off.
    rows = [
        CompanyFeedback(names.get(company_id, ""), int(ended), int(expected), int(submitted),
                        None if medians.get(company_id) is None else float(round(medians[company_id])))
        for company_id, (ended, expected, submitted) in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.expected, row.company))


def _interviewers(filters: Filters) -> list[InterviewerRecord]:
    """Per interviewer, the decided applications they scored (their latest
    submitted scorecard on each, of interviews not cancelled) and how many
    of those decisions their recommendation matched."""
    latest = (
        select(
            Scorecard.email.label("email"),
            Scorecard.recommendation.label("recommendation"),
            Application.stage.label("stage"),
            func.row_number().over(
                partition_by=(Scorecard.email, Application.id),
                order_by=(Interview.ends_at.desc(), Scorecard.id.desc()),
            ).label("place"),
        )
        .select_from(Scorecard)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Interview.application_id)
        .where(Scorecard.submitted_at.is_not(None), Interview.status != InterviewStatus.CANCELLED,
               Application.stage.in_(DECIDED), *filters.conditions())
        .subquery("latest")
    )
    matched = func.sum(case(
        (and_(latest.c.recommendation.in_(YES), latest.c.stage.in_(HIRING)), 1),
        (and_(latest.c.recommendation.in_(NO), latest.c.stage == Stage.REJECTED), 1),
        else_=0,
    ))
    decided = func.count()
    query = (
        select(latest.c.email, decided, matched)
        .where(latest.c.place == 1)
        .group_by(latest.c.email)
        .order_by(decided.desc(), latest.c.email)
    )
    return [InterviewerRecord(email, int(count), int(hits or 0)) for email, count, hits in db.session.execute(query)]
