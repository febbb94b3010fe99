"""Time zones come from the pinned ``tzdata`` package, never the machine's copy.

With an empty search path, ``zoneinfo`` reads only the ``tzdata`` package, so
an interview's UTC time is the same on every machine that runs this version
of the service. Importing this module sets that for the process.
"""
import functools
import zoneinfo

zoneinfo.reset_tzpath(to=())

ZoneInfo = zoneinfo.ZoneInfo
ZoneInfoNotFoundError = zoneinfo.ZoneInfoNotFoundError
available_timezones = zoneinfo.available_timezones


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones people pick from: ``Area/City`` names, without the legacy
    aliases. Read once per process: the pinned ``tzdata`` does not change."""
    return tuple(sorted(name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/"))))
