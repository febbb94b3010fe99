"""The one way a mail reaches a candidate: to the address of the application
the event concerns, with the link to that application's page."""
from ..infra import mail
from ..models import Event
from ..urls import absolute_url, public_host


def to_candidate(event: Event, subject: str, template: str, **context) -> None:
    """Mail the candidate of ``event``'s application; raises ``MailNotSent``.

    The Message-ID is the event's own, so that if a crash ever made a job
    send one event's mail twice, mail programs would show it once."""
    application = event.application
    mail.send_mail(
        application.email,
        subject,
        template,
        message_id=f"<ats-event-{event.id}-{event.created_at:%Y%m%d%H%M%S%f}@{public_host()}>",
        application=application,
        status_url=absolute_url("public.status", token=application.status_token),
        **context,
    )
