"""Interview dates for the tests, computed from the current time, never written down.

The service refuses interviews that do not start in the future, so a fixed
date would fail once it has passed. Ordinary dates fall in ``NEXT_YEAR``: all
of it is ahead, whatever today is. Daylight-saving changes are found in the
zone data the service itself reads (the pinned ``tzdata`` package, see
``ats.timezones``), so a test about the spring-forward gap picks a time that
is really in the gap, in whichever year that is.

Local (wall-clock) times are naive datetimes, as a recruiter types them; UTC
instants are aware.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from ats.timezones import ZoneInfo

UTC = timezone.utc
NEXT_YEAR = datetime.now(UTC).year + 1


def on(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """The naive local time ``hour:minute`` on ``day`` ``month`` of ``NEXT_YEAR``."""
    return datetime(NEXT_YEAR, month, day, hour, minute)


def days_ago(days: int) -> datetime:
    """The naive UTC wall-clock time ``days`` days ago, to the minute. Read in
    any zone (offsets span UTC-12 to UTC+14) it is in the past when ``days`` >= 1."""
    return (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None, second=0, microsecond=0)


def typed(local: datetime, sep: str = "T") -> str:
    """``local`` as typed into a form: ``YYYY-MM-DDTHH:MM`` (a datetime-local
    field), or with ``sep`` (e.g. a space) between the date and the time."""
    return local.isoformat(sep, "minutes")


def utc(local: datetime, offset: timedelta) -> datetime:
    """The aware UTC instant at which a clock ``offset`` ahead of UTC shows ``local``."""
    return (local - offset).replace(tzinfo=UTC)


def offset(zone: str, local: datetime) -> timedelta:
    """The UTC offset of ``zone`` at ``local``; fails for a time next to a clock
    change (skipped, or shown twice), whose offset is not a fact of the zone."""
    first, second = (local.replace(tzinfo=ZoneInfo(zone), fold=fold).utcoffset() for fold in (0, 1))
    assert first == second, f"{local} in {zone} is skipped or repeated by a clock change"
    return first


def in_utc(local: datetime, zone: str) -> datetime:
    """The aware UTC instant of the unambiguous local time ``local`` in ``zone``."""
    return utc(local, offset(zone, local))


def offset_label(delta: timedelta) -> str:
    """An offset as the pages show it: ``UTC-05:00``, ``UTC+05:30``."""
    minutes = int(delta.total_seconds()) // 60
    return f"UTC{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def slot_label(starts_at: datetime, minutes: int, zone: str) -> str:
    """How the candidate's offer page labels a time starting at the UTC instant
    ``starts_at`` and lasting ``minutes``, read in ``zone``: the weekday and
    date in full, the start and end times and the offset, e.g.
    ``Thursday 11 March <year>, 00:00–00:45 (UTC+09:00)``."""
    start = starts_at.astimezone(ZoneInfo(zone))
    end = start + timedelta(minutes=minutes)
    return f"{start:%A %-d %B %Y, %H:%M}–{end:%H:%M} ({offset_label(start.utcoffset())})"


@dataclass(frozen=True)
class Transition:
    """A change of a zone's UTC offset: from the UTC instant ``at`` on, ``after``
    applies instead of ``before``."""

    zone: str
    at: datetime
    before: timedelta
    after: timedelta

    @property
    def wall_clock(self) -> datetime:
        """The naive local time at which the clocks change (e.g. 02:00 in New
        York, both ways); they then show ``wall_clock + after - before``."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def during(self) -> datetime:
        """The naive local time halfway through the change (e.g. 02:30 when the
        clocks jump from 02:00 to 03:00, 01:30 when they go back from 02:00 to
        01:00): skipped when they go forward, shown twice when they go back."""
        return self.wall_clock + (self.after - self.before) / 2


@cache
def dst_transitions(zone: str, year: int) -> tuple[Transition, ...]:
    """Every change of ``zone``'s UTC offset during ``year`` (in UTC), in order,
    each found to the minute: a day-by-day scan, then bisection within the day."""
    tz = ZoneInfo(zone)

    def offset_at(minute: int) -> timedelta:
        return (start + timedelta(minutes=minute)).astimezone(tz).utcoffset()

    start = datetime(year, 1, 1, tzinfo=UTC)
    days = (datetime(year + 1, 1, 1, tzinfo=UTC) - start).days
    found = []
    for day in range(days):
        low, high = day * 1440, (day + 1) * 1440
        before, after = offset_at(low), offset_at(high)
        if before == after:
            continue
        while high - low > 1:  # offset_at(low) == before, offset_at(high) == after
            middle = (low + high) // 2
            low, high = (middle, high) if offset_at(middle) == before else (low, middle)
        found.append(Transition(zone, start + timedelta(minutes=high), before, after))
    return tuple(found)


def spring_forward(zone: str, year: int) -> Transition:
    """The change in ``year`` when ``zone``'s clocks go forward (daylight time starts)."""
    return _first(zone, year, lambda change: change.after > change.before)


def fall_back(zone: str, year: int) -> Transition:
    """The change in ``year`` when ``zone``'s clocks go back (daylight time ends)."""
    return _first(zone, year, lambda change: change.after < change.before)


def _first(zone: str, year: int, wanted) -> Transition:
    for change in dst_transitions(zone, year):
        if wanted(change):
            return change
    raise LookupError(f"{zone}'s clocks do not change that way in {year}")
