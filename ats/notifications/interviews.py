"""Mail about interviews: invitations with a calendar file, new times,
cancellations (each from its template, ``ats.notifications.messages``), and
offers of times to choose from (a fixed text around its link). All go to
the candidate (blind review, which hides candidates from recruiters, leaves
them as they are: see ``ats.queries.identity``)."""
from ..extensions import db
from ..infra.calendar import interview_attachment
from ..models import Event, EventType, Interview, InterviewOffer
from ..urls import absolute_url
from .candidates import to_candidate
from .messages import send_for_event


def _interview_mail(key: str):
    def send(event: Event) -> None:
        interview = db.session.get(Interview, event.data["interview_id"])
        send_for_event(event, key, interview, attachments=[interview_attachment(interview)])

    return send


def interview_offered(event: Event) -> None:
    offer = db.session.get(InterviewOffer, event.data["offer_id"])
    application = offer.application
    to_candidate(
        event,
        f"Choose a time: interview for {application.role.title} with {offer.company.name}",
        "interview_offer",
        offer=offer,
        offer_url=absolute_url("public.interview_offer", token=offer.token),
    )


SENDERS = {
    EventType.INTERVIEW_SCHEDULED: _interview_mail("interview_scheduled"),
    EventType.INTERVIEW_RESCHEDULED: _interview_mail("interview_rescheduled"),
    EventType.INTERVIEW_CANCELLED: _interview_mail("interview_cancelled"),
    EventType.INTERVIEW_OFFERED: interview_offered,
}
