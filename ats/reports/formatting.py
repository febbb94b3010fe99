"""How the reports page writes its numbers."""


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


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


FILTERS = {"percent": percent, "ratio": ratio, "duration": duration, "share": share}
