"""Calendar files (RFC 5545), built with the icalendar library."""
import logging
from datetime import datetime

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from ..models import Interview, utcnow
from .mail import Attachment

PRODID = "-//PropelGrad//Applicant Tracking//EN"

log = logging.getLogger(__name__)


def _address(email: str, name: str | None = None, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = vText(value)
    return address


def _organizer_email(interview: Interview) -> tuple[str, str]:
    if interview.organizer is not None:
        return interview.organizer.email, interview.organizer.name
    sender = current_app.config["ATS_MAIL_FROM"]
    email = sender.split("<")[-1].rstrip(">").strip()
    return email, current_app.config["ATS_SITE_NAME"]


def interview_event(interview: Interview, stamp: datetime | None = None, candidate=None) -> Event:
    """The interview as a VEVENT. ``candidate``: the identity the reader may
    see (``ats.queries.identity.Identity``); without one, the application's
    own (the candidate's invitation). Hidden by blind review, the candidate
    is named by their pseudonym and is no ATTENDEE: their address is not read."""
    application = interview.application
    if candidate is None:
        name, email = application.full_name, application.email
    else:
        name, email = candidate.name, None if candidate.hidden else candidate.email
    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", stamp or utcnow())
    event.add("dtstart", interview.starts_at)
    event.add("dtend", interview.ends_at)
    event.add("summary", f"Interview: {application.role.title} with {interview.company.name}")
    event.add(
        "description",
        f"{interview.kind.label} interview for {application.role.title} with {interview.company.name}.\n"
        f"Candidate: {name}\n"
        f"Local time: {interview.local_start:%Y-%m-%d %H:%M} {interview.timezone} (UTC{interview.local_start:%z})",
    )
    if interview.location:
        event.add("location", interview.location)
        if interview.location.startswith(("https://", "http://")):
            event.add("url", interview.location)
    organizer_email, organizer_name = _organizer_email(interview)
    event.add("organizer", _address(organizer_email, organizer_name))
    if email:
        event.add("attendee", _address(email, name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="TRUE"))
    for email in interview.interviewer_emails:
        event.add("attendee", _address(email, None, role="REQ-PARTICIPANT", partstat="ACCEPTED"))
    event.add("status", "CANCELLED" if interview.is_cancelled else "CONFIRMED")
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def interview_method(interview: Interview) -> str:
    return "CANCEL" if interview.is_cancelled else "REQUEST"


def interview_ics(interview: Interview, candidate=None) -> bytes:
    """The invitation (METHOD:REQUEST) or, once cancelled, the cancellation
    (METHOD:CANCEL); ``candidate`` as ``interview_event`` takes it."""
    calendar = _calendar(interview_method(interview))
    calendar.add_component(interview_event(interview, candidate=candidate))
    return calendar.to_ical()


def interview_attachment(interview: Interview) -> Attachment:
    method = interview_method(interview)
    return Attachment(
        filename="invite.ics" if method == "REQUEST" else "cancel.ics",
        content=interview_ics(interview),
        maintype="text",
        subtype="calendar",
        params={"method": method},
    )


def feed_ics(interviews: list[Interview], name: str, candidates=None) -> bytes:
    """A subscription feed: every given interview as a VEVENT, no METHOD;
    ``candidates``: the identity the reader may see, by application id."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    stamp = utcnow()
    for interview in interviews:
        # One entry that cannot be written must not take the whole feed down.
        try:
            event = interview_event(interview, stamp,
                                    candidates.get(interview.application_id) if candidates is not None else None)
            event.to_ical()
        except ValueError:
            log.warning("interview %s left out of a calendar feed: it cannot be written", interview.id, exc_info=True)
            continue
        calendar.add_component(event)
    return calendar.to_ical()
