"""The managers' reports: the funnel, time in stage, weekly applications,
rejection reasons, interviews per company, and selection rates across the
groups of the voluntary self-identification.

Every figure comes from a GROUP BY: a fixed, small number of queries whatever
the number of applications. What would need the whole stage history paired
up (how far each application got, how long each stay lasted) is kept on the
rows by the stage-move service, so no query reads the history in order. Self-identification is only ever counted per group, never read
per application, and groups too small to count safely are not shown
(the selection rates themselves are worked out in ``fairness``).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import (
    PIPELINE,
    Application,
    Company,
    Interview,
    InterviewStatus,
    FairnessTally,
    SelfIdentification,
    Stage,
    StageChange,
)
from ..models.self_identification import DECLINE
from .fairness import MIN_GROUP  # noqa: F401  (the page names the threshold: the view reads it here)
from .fairness import QUESTIONS, Question, reached_at_each_stage, selection_rates
from .filters import Filters

TOP_REASONS = 10


# --- How far each application got ---------------------------------------------

# A pipeline stage's place: applied 0 … hired 4.
RANK = {stage: index for index, stage in enumerate(PIPELINE)}


@dataclass
class FunnelStep:
    stage: Stage
    reached: int
    # Share of the previous stage's applications that reached this one.
    conversion: float | None = None


@dataclass
class StageTime:
    stage: Stage
    median_seconds: float | None
    stays: int

    @property
    def median_days(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 86_400


@dataclass
class Report:
    filters: Filters
    total: int
    funnel: list[FunnelStep]
    stage_times: list[StageTime]
    weeks: list[tuple[date, int]]
    rejection_reasons: list[tuple[str, int]]
    companies: list[tuple[str, int, int]]
    fairness: list[Question]
    steps: list[tuple[Stage, Stage]] = field(default_factory=lambda: list(zip(PIPELINE, PIPELINE[1:])))

    @property
    def max_week(self) -> int:
        return max((count for _, count in self.weeks), default=0)

    @property
    def max_reason(self) -> int:
        return max((count for _, count in self.rejection_reasons), default=0)

    @property
    def max_company(self) -> int:
        return max((scheduled + cancelled for _, scheduled, cancelled in self.companies), default=0)

    @property
    def max_median(self) -> float:
        return max((t.median_seconds or 0 for t in self.stage_times), default=0)

    @property
    def comparisons(self) -> int:
        """How many tests the selection-rate tables show, every question and step."""
        return sum(cell.p_value is not None for q in self.fairness for row in q.rows for cell in row.steps)


def build_report(filters: Filters) -> Report:
    """Every figure of the reports page for the applications ``filters`` covers."""
    counts = _group_counts(filters)
    return Report(
        filters=filters,
        total=sum(counts.values()),
        funnel=_funnel(counts),
        stage_times=_stage_times(filters),
        weeks=_weeks(filters),
        rejection_reasons=_rejection_reasons(filters),
        companies=_companies(filters),
        fairness=selection_rates(counts),
    )


def _group_counts(filters: Filters) -> dict[tuple, int]:
    """{(gender, race_ethnicity, veteran, disability, furthest rank): applications}

    One GROUP BY over every application in scope: counts per combination of
    answers, never a row per person. No answer on file counts as declined.
    Each application's furthest stage is kept on its row by the model (a
    forward move that skipped a stage went past it, so it counts as reached).
    """
    applications = Application.__table__
    ident = SelfIdentification.__table__
    keys = [ident.c[key] for key, _, _ in QUESTIONS] + [applications.c.furthest_stage]
    query = (
        select(*keys, func.count())
        .select_from(applications.outerjoin(ident, ident.c.application_id == applications.c.id))
        .where(*filters.conditions())
        .group_by(*keys)
    )
    counts: dict[tuple, int] = defaultdict(int)
    for *answers, furthest, count in db.session.execute(query):
        counts[(*(answer or DECLINE for answer in answers), RANK.get(furthest, 0))] += count
    _add_erased(counts, filters)
    return counts


def _add_erased(counts: dict[tuple, int], filters: Filters) -> None:
    """Erased applications have no self-identification left, so the query
    above counts them as declined; their answers are in the anonymous
    tallies (``FairnessTally``, same filters), moved back where they were."""
    tallies = FairnessTally.__table__
    keys = [tallies.c[key] for key, _, _ in QUESTIONS] + [tallies.c.furthest_stage]
    query = select(*keys, func.sum(tallies.c.applications)).where(*filters.conditions(tallies)).group_by(*keys)
    declined = (DECLINE,) * len(QUESTIONS)
    for *answers, furthest, count in db.session.execute(query):
        rank = RANK.get(furthest, 0)
        counts[(*answers, rank)] += count
        counts[(*declined, rank)] -= count


def _funnel(counts: dict[tuple, int]) -> list[FunnelStep]:
    reached = reached_at_each_stage(counts)
    steps = []
    for rank, stage in enumerate(PIPELINE):
        conversion = None
        if rank and reached[rank - 1]:
            conversion = reached[rank] / reached[rank - 1]
        steps.append(FunnelStep(stage, reached[rank], conversion))
    return steps


def _history_in_scope(query, filters: Filters):
    """``query`` over the stage history of the applications ``filters`` covers;
    without filters that is all of it, and the join is left out."""
    changes = StageChange.__table__
    conditions = filters.conditions()
    if not conditions:
        return query.select_from(changes)
    applications = Application.__table__
    return query.select_from(
        changes.join(applications, applications.c.id == changes.c.application_id)
    ).where(*conditions)


def _stage_times(filters: Filters) -> list[StageTime]:
    """The median time applications spent in each pipeline stage, over stays
    that have ended: each change records how long the stage it left lasted."""
    changes = StageChange.__table__
    stays = _history_in_scope(
        select(changes.c.from_stage.label("stage"), changes.c.stay_seconds.label("seconds")), filters
    ).where(changes.c.stay_seconds.isnot(None))
    if db.engine.dialect.name == "postgresql":
        stays = stays.subquery("stays")
        query = select(
            stays.c.stage, func.percentile_cont(0.5).within_group(stays.c.seconds), func.count()
        ).group_by(stays.c.stage)
        medians = {Stage(stage): (float(median), total) for stage, median, total in db.session.execute(query)}
    else:
        medians = _sqlite_medians(stays, changes)
    return [
        StageTime(stage, *medians.get(stage, (None, 0)))
        for stage in PIPELINE[:-1]  # hired closes the pipeline: no time "in" it
    ]


def _sqlite_medians(stays, changes) -> dict[Stage, tuple[float, int]]:
    """SQLite has no percentile_cont: count each stage's stays, then read the
    middle one (or two) of each in order of length. The (from_stage,
    stay_seconds) index gives that order, so each read stops half-way instead
    of sorting every stay: five short queries instead of a sort of them all."""
    counted = stays.subquery("stays")
    totals = dict(db.session.execute(select(counted.c.stage, func.count()).group_by(counted.c.stage)).all())
    medians = {}
    for stage, total in totals.items():
        middle = (
            stays.where(changes.c.from_stage == stage)
            .order_by(changes.c.stay_seconds)
            .limit(2 - total % 2)
            .offset((total - 1) // 2)
            .subquery("middle")
        )
        median = db.session.scalar(select(func.avg(middle.c.seconds)))
        medians[Stage(stage)] = (float(median), total)
    return medians


def _week_start(column) -> ColumnElement:
    if db.engine.dialect.name == "postgresql":
        return func.date(func.date_trunc(literal_column("'week'"), column))
    # SQLite: the Sunday on or after the day, then back six days to its Monday.
    return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def _weeks(filters: Filters) -> list[tuple[date, int]]:
    """Applications per week (weeks start on Monday, UTC), empty weeks included."""
    applications = Application.__table__
    week = _week_start(applications.c.applied_at).label("week")
    query = select(week, func.count()).where(*filters.conditions()).group_by(week).order_by(week)
    counts = {}
    for start, count in db.session.execute(query):
        counts[start if isinstance(start, date) else date.fromisoformat(start)] = count
    if not counts:
        return []
    weeks, day = [], min(counts)
    while day <= max(counts):
        weeks.append((day, counts.get(day, 0)))
        day += timedelta(days=7)
    return weeks


def _rejection_reasons(filters: Filters) -> list[tuple[str, int]]:
    """The reasons given on moves to rejected, most frequent first, top ten."""
    changes = StageChange.__table__
    reason = func.trim(changes.c.reason).label("reason")
    count = func.count().label("moves")
    query = (
        _history_in_scope(select(reason, count), filters)
        .where(changes.c.to_stage == Stage.REJECTED)
        .group_by(reason)
        .order_by(count.desc(), reason)
        .limit(TOP_REASONS)
    )
    return [(text or "", moves) for text, moves in db.session.execute(query)]


def _companies(filters: Filters) -> list[tuple[str, int, int]]:
    """(company, scheduled, cancelled) interviews of the applications in scope."""
    interviews = Interview.__table__
    applications = Application.__table__
    companies = Company.__table__
    scheduled = func.sum(case((interviews.c.status == InterviewStatus.SCHEDULED, 1), else_=0))
    cancelled = func.sum(case((interviews.c.status == InterviewStatus.CANCELLED, 1), else_=0))
    query = (
        select(companies.c.name, scheduled, cancelled)
        .select_from(
            interviews.join(applications, applications.c.id == interviews.c.application_id).join(
                companies, companies.c.id == interviews.c.company_id
            )
        )
        .where(*filters.conditions())
        .group_by(companies.c.id, companies.c.name)
        .order_by((scheduled + cancelled).desc(), companies.c.name)
    )
    return [(name, int(s or 0), int(c or 0)) for name, s, c in db.session.execute(query)]
