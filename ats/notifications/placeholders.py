"""Placeholders in message templates, and filling them in.

A placeholder is a name in braces, ``{first_name}``. Filling in is a plain
text substitution of the names listed in ``PLACEHOLDERS``: never
``str.format`` or a template engine, so ``{role.__class__}`` or ``{x:>10}``
is text, not code. Saving a template with anything else in braces is
refused (``unknown_placeholders``). In an HTML body every value is
HTML-escaped; the plain-text body gets the values as they are.
"""
import re
from dataclasses import dataclass

from flask import current_app
from markupsafe import escape
from sqlalchemy import select

from ..extensions import db
from ..models import Application, Interview, InterviewStatus
from ..urls import absolute_url

PLACEHOLDERS = {
    "first_name": "The candidate's first name (the first word of their name).",
    "full_name": "The candidate's name as they gave it.",
    "role": "The role applied for, e.g. Healthcare AI Engineer.",
    "company": "The company of the interview the message is about, or of the latest interview; "
               "before any interview, the site's name.",
    "status_link": "The address of the candidate's own status page (private to them).",
    "site_name": "The name of this careers site, used to sign messages.",
    "interview_time": "The interview's date and time in its time zone, e.g. "
                      "Tuesday 9 March 2027, 10:00–11:00 Europe/Berlin (UTC+0100); empty before any interview.",
    "interview_kind": "Video call, On site or Phone call; empty before any interview.",
    "interview_location": "Where the interview is, as the recruiter wrote it, or “see the calendar invitation”.",
}

# What a placeholder looks like, and anything else in braces (to refuse it).
_NAME = re.compile(r"\{([a-z_]+)\}")
_BRACED = re.compile(r"\{([^{}\n]{0,60})\}")


def unknown_placeholders(text: str) -> list[str]:
    """Whatever is written in braces in ``text`` and is not a placeholder, in order, once each."""
    unknown = []
    for match in _BRACED.finditer(text or ""):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def fill(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """``text`` with each known placeholder replaced by its value (escaped
    when ``html``); anything else is left exactly as written."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        found = values.get(name, "")
        return str(escape(found)) if html else found

    return _NAME.sub(value, text)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def render(template, values: dict[str, str]) -> Rendered:
    """A template (anything with ``subject``, ``body_text``, ``body_html``) filled in.
    The subject is one line whatever a value holds."""
    subject = " ".join(fill(template.subject, values).split())
    html = fill(template.body_html, values, html=True) if template.body_html else None
    return Rendered(subject, fill(template.body_text, values), html)


def interview_time(interview: Interview) -> str:
    start, end = interview.local_start, interview.local_end
    return (f"{start.strftime('%A')} {start.day} {start.strftime('%B %Y, %H:%M')}–{end.strftime('%H:%M')} "
            f"{interview.timezone} (UTC{start.strftime('%z')})")


def latest_interview(application_id: int) -> Interview | None:
    """The application's interview that starts last, scheduled ones first."""
    return db.session.scalars(
        select(Interview)
        .where(Interview.application_id == application_id)
        .order_by((Interview.status == InterviewStatus.SCHEDULED).desc(), Interview.starts_at.desc(), Interview.id.desc())
        .limit(1)
    ).first()


def values_for(application: Application, interview: Interview | None = None, *,
               status_link: str | None = None) -> dict[str, str]:
    """The placeholders' values for a message about ``application`` (and
    ``interview``, else its latest). ``status_link`` stands in for the real
    link where it must not be shown (the admins' preview)."""
    interview = interview or latest_interview(application.id)
    name = application.full_name.strip()
    site_name = current_app.config["ATS_SITE_NAME"]
    values = {
        "first_name": name.split()[0] if name else "",
        "full_name": name,
        "role": application.role.title,
        "company": interview.company.name if interview else site_name,
        "status_link": status_link if status_link is not None else absolute_url("public.status", token=application.status_token),
        "site_name": site_name,
        "interview_time": "",
        "interview_kind": "",
        "interview_location": "",
    }
    if interview is not None:
        values["interview_time"] = interview_time(interview)
        values["interview_kind"] = interview.kind.label
        values["interview_location"] = interview.location or "see the calendar invitation"
    return values
