"""How the reports page writes its numbers."""
from ..queries.fairness import SIGNIFICANCE

# The four-fifths rule's line, for showing ratios beside it.
FOUR_FIFTHS = 0.8


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def ratio(value: float | None, below: bool | None = None) -> str:
    """Two decimals, agreeing with ``below`` (the group is under four-fifths,
    decided in whole numbers: ``fairness.below_four_fifths``): a ratio under
    the line never shows as "0.80" (0.7996 gets the decimals it needs), and
    one on it never as "0.79" (16 of 25 against 4 of 5 is 0.7999… in floating
    point)."""
    if value is None:
        return "—"
    shown = f"{value:.2f}"
    if below is None or below == (float(shown) < FOUR_FIFTHS):
        return shown
    if not below:
        return f"{FOUR_FIFTHS:.2f}"
    for places in range(3, 10):
        shown = f"{value:.{places}f}"
        if float(shown) < FOUR_FIFTHS:
            return shown
    return f"< {FOUR_FIFTHS:.2f}"


def p_value(value: float | None) -> str:
    """Three decimals, "< 0.001" below that. More decimals only where three
    would round across the significance line (0.0498 is not "0.050")."""
    if value is None:
        return "—"
    if value < 0.001:
        return "< 0.001"
    for places in range(3, 10):
        shown = f"{value:.{places}f}"
        if (float(shown) < SIGNIFICANCE) == (value < SIGNIFICANCE):
            return shown
    return f"< {SIGNIFICANCE:.3f}"  # within a billionth under it


def p_phrase(value: float) -> str:
    """A p-value inside a sentence: "p = 0.310", "p < 0.001"."""
    shown = p_value(value)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def finding(cell) -> str:
    """What a compared group's figures say, in words, for a ``GroupStep``
    with a p-value: the flag when ratio and test agree, else which one holds."""
    p = p_phrase(cell.p_value)
    if cell.flagged:
        return f"Below four-fifths and statistically significant ({p})"
    if cell.below:
        return f"Below four-fifths, but not statistically significant: the gap could be chance ({p})"
    if cell.significant:
        return f"Statistically significant ({p}), but the ratio is at or above four-fifths"
    return f"Neither below four-fifths nor statistically significant ({p})"


def duration(seconds: float | None) -> str:
    """A stay in a stage: days with one decimal, or hours when under a day."""
    if seconds is None:
        return "—"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def share(value: float | int | None, highest: float | int | None) -> float:
    """A bar's length, 0 to 100, relative to the longest bar of its chart."""
    if not value or not highest:
        return 0
    return round(100 * value / highest, 2)


FILTERS = {
    "percent": percent, "ratio": ratio, "p_value": p_value, "finding": finding, "duration": duration, "share": share,
}
