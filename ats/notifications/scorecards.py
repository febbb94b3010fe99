"""Mail to interviewers: the link to their scorecard when the interview
ends, and one reminder. An interviewer is an address, not the candidate
and not (necessarily) a staff member: the mail goes to the scorecard's
address alone, and names the role, the company, the interview's time and
the candidate (whom they met; blind review is for recruiters), nothing else
of the application.

A scorecard whose link stopped working before its mail was built (the
interview cancelled, the application decided, the link expired) is not
mailed; nor is a reminder for one submitted meanwhile."""
from ..extensions import db
from ..infra import mail
from ..models import Event, EventType, Scorecard, utcnow
from ..models.scorecards import DECIDED_STAGES
from ..urls import absolute_url, public_host


def _scorecard_mail(subject: str, template: str, reminder: bool = False):
    def send(event: Event) -> None:
        scorecard = db.session.get(Scorecard, event.data["scorecard_id"])
        if scorecard is None:
            return
        interview = scorecard.interview
        application = interview.application
        if (interview.is_cancelled or application.erased or application.stage in DECIDED_STAGES
                or utcnow() > scorecard.expires_at or (reminder and scorecard.is_submitted)):
            return
        mail.send_mail(
            scorecard.email,
            subject.format(role=application.role.title, company=interview.company.name),
            template,
            message_id=f"<ats-event-{event.id}-{event.created_at:%Y%m%d%H%M%S%f}@{public_host()}>",
            scorecard=scorecard,
            interview=interview,
            candidate_name=application.full_name,
            role_title=application.role.title,
            company_name=interview.company.name,
            scorecard_url=absolute_url("public.scorecard", token=scorecard.token),
        )

    return send


SENDERS = {
    EventType.SCORECARD_REQUESTED: _scorecard_mail("Your scorecard: {role} interview with {company}",
                                                   "scorecard_request"),
    EventType.SCORECARD_REMINDED: _scorecard_mail("Reminder: your scorecard for the {role} interview",
                                                  "scorecard_reminder", reminder=True),
}
