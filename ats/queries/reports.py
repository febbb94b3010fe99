"""The managers' reports: the funnel, time in stage, weekly applications,
rejection reasons, interviews per company, and selection rates across the
groups of the voluntary self-identification.

Every figure comes from a GROUP BY: a fixed, small number of queries whatever
the number of applications. What would need the whole stage history paired
up (how far each application got, how long each stay lasted) is kept on the
rows by the stage-move service, so no query reads the history in order. Self-identification is only ever counted per group, never read
per application, and groups too small to count safely are not shown.

Selection rates are compared two ways, since the four-fifths ratio alone
misleads on small numbers: the ratio, and Fisher's exact test of the same
counts (scipy's, imported on the first report drawn: it costs a second and
tens of megabytes that no other page needs).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

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
from ..models.self_identification import DECLINE, DISABILITY, GENDER, RACE_ETHNICITY, VETERAN
from .filters import Filters

# Below this many applications at a step, a group's figures are not shown.
MIN_GROUP = 5
# The four-fifths rule: a selection rate under 80 % of the highest group's is flagged.
FOUR_FIFTHS = 0.8
# ... when Fisher's exact test also finds a gap this large unlikely by chance.
SIGNIFICANCE = 0.05
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
class GroupStep:
    """One group at one step. ``shown`` is false for a group too small to show.

    A group compared with the step's reference (``ratio`` set, not itself
    the reference) also has ``below`` (its ratio is under four-fifths),
    ``p_value`` (Fisher's exact test against the reference) and
    ``shortfall`` (how many more of it would have had to pass for the ratio
    to reach four-fifths).
    """

    reached: int
    selected: int
    shown: bool
    rate: float | None = None
    ratio: float | None = None
    reference: bool = False
    below: bool = False
    p_value: float | None = None
    shortfall: int | None = None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    @property
    def flagged(self) -> bool:
        """Flagged only when both say so: under four-fifths, and unlikely by chance."""
        return self.below and self.significant


@dataclass
class GroupRow:
    value: str
    label: str
    declined: bool
    steps: list[GroupStep]


@dataclass
class Question:
    key: str
    title: str
    rows: list[GroupRow]


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


QUESTIONS = (
    ("gender", "Gender", GENDER),
    ("race_ethnicity", "Race or ethnicity", RACE_ETHNICITY),
    ("veteran", "Veteran status", VETERAN),
    ("disability", "Disability", DISABILITY),
)


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
        fairness=_fairness(counts),
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


def _reached(counts: dict[tuple, int], matches=lambda key: True) -> list[int]:
    """How many applications reached each pipeline stage (index = rank)."""
    at = [0] * len(PIPELINE)
    for key, count in counts.items():
        if matches(key):
            at[key[4]] += count
    # Reaching a stage means reaching every one before it.
    reached, running = [0] * len(PIPELINE), 0
    for rank in reversed(range(len(PIPELINE))):
        running += at[rank]
        reached[rank] = running
    return reached


def _funnel(counts: dict[tuple, int]) -> list[FunnelStep]:
    reached = _reached(counts)
    steps = []
    for rank, stage in enumerate(PIPELINE):
        conversion = None
        if rank and reached[rank - 1]:
            conversion = reached[rank] / reached[rank - 1]
        steps.append(FunnelStep(stage, reached[rank], conversion))
    return steps


def _fairness(counts: dict[tuple, int]) -> list[Question]:
    """Per question, group and step: the selection rate and, for groups of at
    least ``MIN_GROUP``, the comparison with the step's reference, the group
    with the highest rate. "Prefer not to say" (and no answer on file) is
    shown but never compared nor the reference: its people may belong to any
    group. At most groups × steps tests: 4 steps of 14 groups in all."""
    questions = []
    for index, (key, title, values) in enumerate(QUESTIONS):
        reached_by_value = {
            value: _reached(counts, lambda k, value=value: k[index] == value) for value in values
        }
        rows = [
            GroupRow(value, label, value == DECLINE, []) for value, label in values.items()
        ]
        for step in range(len(PIPELINE) - 1):
            cells = {}
            for row in rows:
                reached = reached_by_value[row.value]
                cell = GroupStep(reached[step], reached[step + 1], reached[step] >= MIN_GROUP)
                if cell.shown:
                    cell.rate = cell.selected / cell.reached
                cells[row.value] = cell
            # The reference: the highest rate among groups large enough to
            # show, the declined answer left out. When several groups share
            # it, the tests are against the largest (the most evidence), the
            # first in the form's order on a tie.
            compared = [c for v, c in cells.items() if v != DECLINE and c.shown]
            highest = max((c.rate for c in compared), default=None)
            if highest:
                reference = max((c for c in compared if c.rate == highest), key=lambda c: c.reached)
                for cell in compared:
                    cell.ratio = cell.rate / highest
                    cell.reference = cell.rate == highest
                    if not cell.reference:
                        _compare(cell, reference)
            for row in rows:
                cell = cells[row.value]
                if not cell.shown:
                    # Nothing of a small group leaves this function.
                    cell.reached = cell.selected = 0
                row.steps.append(cell)
        questions.append(Question(key, title, rows))
    return questions


def _compare(cell: GroupStep, reference: GroupStep) -> None:
    counts = (cell.selected, cell.reached, reference.selected, reference.reached)
    cell.below = below_four_fifths(*counts)
    cell.shortfall = shortfall(*counts)
    cell.p_value = fisher_p(*counts)


def below_four_fifths(selected: int, reached: int, ref_selected: int, ref_reached: int) -> bool:
    """Whether the group's rate is under four-fifths of the reference's,
    decided in whole numbers: s/n < 4/5 · S/N  ⇔  5·s·N < 4·S·n. (In floating
    point, 16 of 25 against 4 of 5, exactly 0.8, comes out 0.7999….)"""
    return 5 * selected * ref_reached < 4 * ref_selected * reached


def shortfall(selected: int, reached: int, ref_selected: int, ref_reached: int) -> int:
    """How many more of the group's ``reached`` would have had to pass for its
    ratio to reach four-fifths, the reference as it is: the smallest whole k
    with 5·(s + k)·N ≥ 4·S·n; 0 when the ratio already does.

    It always fits within the group: the rate needed is four-fifths of the
    reference's, so at most 80 %, and k ≤ 0.8·n − s ≤ n − s. So it is never
    "impossible", and rounding never enters (integers only)."""
    needed = -(-4 * ref_selected * reached // (5 * ref_reached))  # the ceiling of 4·S·n / 5·N
    return max(0, needed - selected)


@lru_cache(maxsize=4096)
def fisher_p(selected: int, reached: int, ref_selected: int, ref_reached: int) -> float:
    """The two-sided p-value of Fisher's exact test on the 2×2 table of
    passed / did not pass × the group / the reference: how likely a split at
    least this uneven would be if membership made no difference to passing.
    The counts a page shows repeat from one load to the next: kept."""
    from scipy.stats import fisher_exact  # here: see the module's docstring

    table = [[selected, reached - selected], [ref_selected, ref_reached - ref_selected]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


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
