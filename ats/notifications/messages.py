"""Sending messages to candidates from the templates admins edit, and
keeping what was sent (``candidate_messages``) for the candidate's page.

Two ways in:

- an event's mail (received, the interview mails): ``send_for_event``
  fills the template in when the event is delivered, sends it with the
  event's Message-ID and records it as sent; a retried delivery that finds
  it recorded sends nothing;
- a message a move planned (offer, rejection, withdrawal confirmed):
  ``send_planned`` claims the stored message, as ``ats.events.deliver``
  claims an event, so two jobs or two sweeps never both send it, fills the
  template in as it stands at sending time, sends it and records it.
"""
from datetime import timedelta

from sqlalchemy import or_, select, update

from ..extensions import db
from ..infra import mail
from ..models import Application, Event, EventType, Interview, utcnow
from ..models.messages import CandidateMessage, MessageStatus
from ..operations import write_transaction
from ..queries.messages import current_template
from ..urls import public_host
from .placeholders import Rendered, render, values_for

# How long a job may take to send one message before another may try.
CLAIM = timedelta(minutes=5)
# After a failed try (the mail server down or refusing), how long a message
# waits before the sweep hands it over again.
RETRY_AFTER = timedelta(minutes=5)


def rendered(key: str, application: Application, interview: Interview | None = None) -> Rendered:
    return render(current_template(key), values_for(application, interview))


def _send(application: Application, message: Rendered, message_id: str, attachments=()) -> None:
    mail.send(mail.compose(application.email, message.subject, message.text, message.html, attachments, message_id))


def send_for_event(event: Event, key: str, interview: Interview | None = None, attachments=()) -> None:
    """Mail template ``key`` to the candidate of ``event``'s application and
    record it as sent; raises ``MailNotSent``."""
    if db.session.scalar(select(CandidateMessage.id).where(CandidateMessage.event_id == event.id)) is not None:
        return  # sent by an earlier try
    application = event.application
    message = rendered(key, application, interview)
    _send(application, message, f"<ats-event-{event.id}-{event.created_at:%Y%m%d%H%M%S%f}@{public_host()}>",
          attachments)
    now = utcnow()
    write_transaction()
    db.session.add(CandidateMessage(
        application_id=event.application_id, template_key=key, status=MessageStatus.SENT, event_id=event.id,
        created_at=now, send_after=now, sent_at=now, subject=message.subject, body_text=message.text,
    ))
    db.session.commit()


def send_planned(message_id: int) -> bool:
    """Send a stored message whose time has come, once. False when there was
    nothing to do: sent or cancelled already, not yet due, or claimed by
    another job. Raises ``MailNotSent``, leaving it scheduled for the sweep
    to hand over again after ``RETRY_AFTER``."""
    now = utcnow()
    write_transaction()
    claimed = db.session.execute(
        update(CandidateMessage)
        .where(
            CandidateMessage.id == message_id,
            CandidateMessage.status == MessageStatus.SCHEDULED,
            CandidateMessage.send_after <= now,
            or_(CandidateMessage.claimed_until.is_(None), CandidateMessage.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    try:
        message = db.session.get(CandidateMessage, message_id)
        application = message.application
        if application.erased:
            # Erasure cancels what waits; one claimed meanwhile goes to no one.
            _finish(message_id, status=MessageStatus.CANCELLED, cancelled_at=utcnow())
            return False
        text = rendered(message.template_key, application)
        _send(application, text, f"<ats-message-{message_id}@{public_host()}>")
    except BaseException:
        db.session.rollback()
        # Not tried again before RETRY_AFTER: the sweep hands it over then,
        # so a mail server that is down gets one try per message that often.
        _finish(message_id, claimed_until=now + RETRY_AFTER)
        raise
    _finish(message_id, status=MessageStatus.SENT, sent_at=utcnow(), subject=text.subject, body_text=text.text)
    return True


def _finish(message_id: int, **values) -> None:
    """Release the claim (unless ``values`` sets it), setting ``values``, in one transaction."""
    write_transaction()
    db.session.execute(update(CandidateMessage).where(CandidateMessage.id == message_id)
                       .values(**{"claimed_until": None, **values}))
    db.session.commit()


def planned_message(event: Event) -> None:
    """The sender for a stage change that planned a message due at once."""
    if has_planned_message(event.data):
        send_planned(event.data["message_id"])


def has_planned_message(data: dict | None) -> bool:
    return bool((data or {}).get("message_id"))


SENDERS = {EventType.STAGE_CHANGED: planned_message}
