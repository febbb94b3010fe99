"""Which mail goes to whom, with which links: one sender per kind of event,
kept with its feature (``applications``, ``interviews``, ``scorecards``,
``staff``).

A background job (``ats.events.deliver``, run by ``ats.jobs``) calls
``notify`` for each committed event, after the commit; a mail that fails to
build or send raises, the job is retried, and the change it announces stays
saved and truthfully reported. Links come from
``ATS_PUBLIC_URL`` (``ats.urls``), never from the request.

Messages to candidates are filled in from the templates admins edit
(``messages``); a stage change calls for a mail only when its move planned
a message due at once.
"""
from ..models import Event, EventType
from . import applications, interviews, messages, scorecards, staff

SENDERS = {**applications.SENDERS, **interviews.SENDERS, **scorecards.SENDERS, **staff.SENDERS, **messages.SENDERS}


def has_mail(event_type, data: dict | None = None) -> bool:
    if event_type is EventType.STAGE_CHANGED:
        return messages.has_planned_message(data)
    return event_type in SENDERS


def notify(event: Event) -> None:
    """Send the mail ``event`` calls for, if any; raises if it could not."""
    sender = SENDERS.get(event.type)
    if sender is not None:
        sender(event)
