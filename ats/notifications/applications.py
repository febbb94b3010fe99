"""Mail about applications: received (from its template), and the status
link sent again (a fixed text: it is a copy of the link, not a message)."""
from ..models import Event, EventType
from .candidates import to_candidate
from .messages import send_for_event


def application_received(event: Event) -> None:
    send_for_event(event, "application_received")


def status_link_again(event: Event) -> None:
    """Someone applied again with the address of an open application: nothing
    new was stored, and the address's owner (only) gets the existing link."""
    to_candidate(event, f"Your application for {event.application.role.title}", "status_link")


SENDERS = {
    EventType.APPLICATION_CREATED: application_received,
    EventType.APPLICATION_RESUBMITTED: status_link_again,
}
