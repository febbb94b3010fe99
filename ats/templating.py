"""Jinja filters and globals: formatting only, no decisions."""
import re

from flask import Flask
from markupsafe import Markup, escape

from .models import Access
from .timezones import ZoneInfo

_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(value: str) -> Markup:
    """Plain text to escaped ``<p>`` elements, one per blank-line-separated block."""
    blocks = [block.strip() for block in _BLANK_LINES.split(value or "") if block.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.splitlines()))
        for block in blocks
    )


def usd(amount: int | None) -> str:
    return "—" if amount is None else f"${amount:,}"


def usd_range(low: int | None, high: int | None, suffix: str = "") -> str:
    if low is None and high is None:
        return "—"
    if low is None or high is None or low == high:
        return usd(low if high is None else high) + suffix
    return f"{usd(low)}–{usd(high)}{suffix}"


EMPLOYMENT_LABELS = {
    "FULL_TIME": "Full-time",
    "PART_TIME": "Part-time",
    "CONTRACTOR": "Contract",
    "TEMPORARY": "Temporary",
    "INTERN": "Internship",
    "VOLUNTEER": "Volunteer",
    "PER_DIEM": "Per diem",
    "OTHER": "Other",
}


def employment_label(value: str) -> str:
    return EMPLOYMENT_LABELS.get(value, value)


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(moment) -> str:
    """``3 Feb 2026``: a day, briefly (the board's cards have room for little)."""
    return f"{moment.day} {_MONTHS[moment.month]} {moment.year}"


def date_utc(moment) -> str:
    return f"{moment:%-d %B %Y, %H:%M} UTC"


def in_zone(moment, zone: str) -> str:
    """``9 March 2027, 09:00``: ``moment`` on the wall clock of ``zone``."""
    return f"{moment.astimezone(ZoneInfo(zone)):%-d %B %Y, %H:%M}"


def timeline_text(change) -> str:
    """What a candidate reads for one history entry: what happened, never why."""
    if change.from_stage is None:
        return "Application received"
    if change.to_stage.value == "withdrawn" and change.actor_kind == "candidate":
        return "You withdrew your application"
    if change.from_stage.is_closed:
        return f"Reopened, back to {change.to_stage.label}"
    return f"Moved to {change.to_stage.label}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["usd_range"] = usd_range
    app.jinja_env.filters["employment_label"] = employment_label
    app.jinja_env.filters["date_utc"] = date_utc
    app.jinja_env.filters["in_zone"] = in_zone
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["timeline_text"] = timeline_text
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {"site_name": app.config["ATS_SITE_NAME"], "Access": Access}
