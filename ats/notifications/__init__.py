"""Which mail goes to whom, with which links: one sender per kind of event,
kept with its feature (``applications``, ``interviews``).

The dispatcher (``ats.events``) calls ``notify`` once per committed event,
after the commit: a mail that fails to build or send is logged and never
undoes or misreports the change it announces. Links come from
``ATS_PUBLIC_URL`` (``ats.urls``), never from the request.
"""
from ..models import Event
from . import applications, interviews

SENDERS = {**applications.SENDERS, **interviews.SENDERS}


def notify(event: Event) -> None:
    """Send the mail ``event`` calls for, if any."""
    sender = SENDERS.get(event.type)
    if sender is not None:
        sender(event)
