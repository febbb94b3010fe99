"""The selection rates of the reports page across the groups of the voluntary
self-identification: per question, group and pipeline step, the share of a
group's applications that passed the step, its ratio to the highest group's
rate (the four-fifths rule), and Fisher's exact test of the same counts,
since the ratio alone misleads on small numbers.

Only counts per combination of answers come in (``reports._group_counts``);
groups too small to count safely leave with no numbers. scipy is imported on
the first test a process makes: it costs a second or two and some 75 MB that
no other page, nor start-up, needs.
"""
from dataclasses import dataclass
from functools import lru_cache

from ..models import PIPELINE
from ..models.self_identification import DECLINE, DISABILITY, GENDER, RACE_ETHNICITY, VETERAN

# Below this many applications at a step, a group's figures are not shown.
MIN_GROUP = 5
# A step is flagged when a group's selection rate is under four-fifths of the
# highest group's (decided in whole numbers: ``below_four_fifths``) and
# Fisher's exact test finds a gap that large unlikely by chance.
SIGNIFICANCE = 0.05

QUESTIONS = (
    ("gender", "Gender", GENDER),
    ("race_ethnicity", "Race or ethnicity", RACE_ETHNICITY),
    ("veteran", "Veteran status", VETERAN),
    ("disability", "Disability", DISABILITY),
)


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


def reached_at_each_stage(counts: dict[tuple, int], matches=lambda key: True) -> list[int]:
    """How many applications reached each pipeline stage (index = rank), of
    ``counts`` keyed (gender, race_ethnicity, veteran, disability, furthest
    rank) as ``reports._group_counts`` makes them, those whose key ``matches``."""
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


def selection_rates(counts: dict[tuple, int]) -> list[Question]:
    """Per question, group and step: the selection rate and, for groups of at
    least ``MIN_GROUP``, the comparison with the step's reference, the group
    with the highest rate. "Prefer not to say" (and no answer on file) is
    shown but never compared nor the reference: its people may belong to any
    group. At most groups × steps tests: 4 steps of 14 groups in all."""
    questions = []
    for index, (key, title, values) in enumerate(QUESTIONS):
        reached_by_value = {
            value: reached_at_each_stage(counts, lambda k, value=value: k[index] == value) for value in values
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
