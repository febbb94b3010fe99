"""Which mail goes to whom, with which links: one for each event that calls
for one, and the status link sent again on a duplicate application.

The dispatcher (``ats.services.events.dispatch_pending``) calls ``notify``
once per committed event, after the commit: a mail that fails to build or
send is logged and never undoes or misreports the change it announces.
"""
from . import mail
from .extensions import db
from .models import Event, EventType, Interview, InterviewOffer
from .services.calendar import interview_attachment
from .urls import absolute_url


def notify(event: Event) -> None:
    """Send the mail ``event`` calls for, if any."""
    sender = _SENDERS.get(event.type)
    if sender is not None:
        sender(event)


def _to_candidate(application, subject: str, template: str, **context) -> None:
    """A mail to the candidate, with the link to their application's page."""
    mail.send_mail(
        application.email,
        subject,
        template,
        application=application,
        status_url=absolute_url("public.status", token=application.status_token),
        **context,
    )


def status_link_again(application) -> None:
    """Someone applied again with the address of an open application: nothing
    new was stored, and the address's owner (only) gets the existing link."""
    _to_candidate(application, f"Your application for {application.role.title}", "status_link")


def _application_received(event: Event) -> None:
    application = event.application
    _to_candidate(application, f"We received your application for {application.role.title}", "application_received")


def _interview_mail(template: str, subject: str):
    def send(event: Event) -> None:
        interview = db.session.get(Interview, event.data["interview_id"])
        application = interview.application
        _to_candidate(
            application,
            subject.format(role=application.role.title, company=interview.company.name),
            template,
            attachments=[interview_attachment(interview)],
            interview=interview,
        )

    return send


def _interview_offered(event: Event) -> None:
    offer = db.session.get(InterviewOffer, event.data["offer_id"])
    application = offer.application
    _to_candidate(
        application,
        f"Choose a time: interview for {application.role.title} with {offer.company.name}",
        "interview_offer",
        offer=offer,
        offer_url=absolute_url("public.interview_offer", token=offer.token),
    )


_SENDERS = {
    EventType.APPLICATION_CREATED: _application_received,
    EventType.INTERVIEW_SCHEDULED: _interview_mail("interview_scheduled", "Interview for {role} with {company}"),
    EventType.INTERVIEW_RESCHEDULED: _interview_mail("interview_rescheduled", "New time: interview with {company}"),
    EventType.INTERVIEW_CANCELLED: _interview_mail("interview_cancelled", "Cancelled: interview with {company}"),
    EventType.INTERVIEW_OFFERED: _interview_offered,
}
