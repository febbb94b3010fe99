"""Messages to candidates: admins' edits of the templates, and the message a
stage move plans (see ``ats.models.messages``).

A move to Offer or Rejected may carry a message (``MessageChoice``): which
template, and when to send it. It is stored, as ``scheduled``, in the move's
own transaction; one due now is named in the move's event, so it goes out
right after the commit (``ats.notifications.messages``), and one due later
is sent by the worker's sweep once its time has come. Any later move of the
application (reopening it, say) cancels a message still waiting: it was
about the move that planned it.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import delete, update

from ..extensions import db
from ..models import Application, Stage, utcnow
from ..models.audit import record
from ..models.messages import (
    FOR_MOVE_TO,
    MAX_BODY,
    MAX_SUBJECT,
    REJECTION_FOR,
    TEMPLATES,
    CandidateMessage,
    MessageStatus,
    MessageTemplate,
)
from ..notifications.placeholders import latest_interview, unknown_placeholders
from ..timezones import ZoneInfo, zone_names
from . import write_transaction

# A delayed message goes at 09:00 (the candidate's morning) with ``next-morning``.
MORNING = time(9, 0)
# How far ahead a message may be timed.
LATEST_SEND = timedelta(days=60)
WITHDRAWAL = "withdrawal_confirmed"
NONE = "none"


# --- The templates --------------------------------------------------------------


class TemplateError(Exception):
    """A template that cannot be saved; ``field`` names the field at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TemplateInput:
    subject: str
    body_text: str
    body_html: str = ""


def _checked(given: TemplateInput) -> dict:
    subject = " ".join(given.subject.split())
    body_text = given.body_text.strip("\n").rstrip()
    body_html = given.body_html.strip()
    if not subject:
        raise TemplateError("A subject is required.", "subject")
    if len(subject) > MAX_SUBJECT:
        raise TemplateError(f"Keep the subject to {MAX_SUBJECT} characters.", "subject")
    if not body_text.strip():
        raise TemplateError("The plain-text message is required: every candidate's mail program can show it.",
                            "body_text")
    for field, text in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        if len(text) > MAX_BODY:
            raise TemplateError(f"Keep it to {MAX_BODY:,} characters.", field)
        unknown = unknown_placeholders(text)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            raise TemplateError(f"Not a placeholder: {names}. Use only the placeholders listed on this page.", field)
    return {"subject": subject, "body_text": body_text + "\n", "body_html": body_html or None}


def save_template(key: str, given: TemplateInput, actor_id: int) -> list[str]:
    """An admin's wording for template ``key``, audited as
    ``message_template.update`` with the names of what changed; returns them
    (empty: nothing changed, nothing written). Raises LookupError for an
    unknown key and TemplateError (nothing written)."""
    if key not in TEMPLATES:
        raise LookupError(key)
    values = _checked(given)
    write_transaction()
    try:
        row = db.session.get(MessageTemplate, key)
        default = TEMPLATES[key]
        before = ({"subject": row.subject, "body_text": row.body_text, "body_html": row.body_html} if row else
                  {"subject": default.subject, "body_text": default.body_text, "body_html": default.body_html})
        changed = [name for name, value in values.items() if before[name] != value]
        if changed:
            if row is None:
                row = MessageTemplate(key=key)
                db.session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            row.updated_by_id = actor_id
            record("message_template.update", actor_id, None, template=key, changed=changed)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return changed


def reset_template(key: str, actor_id: int) -> bool:
    """Template ``key`` back to its default wording, audited as
    ``message_template.reset``; False when it was the default already."""
    if key not in TEMPLATES:
        raise LookupError(key)
    write_transaction()
    try:
        removed = db.session.execute(delete(MessageTemplate).where(MessageTemplate.key == key)).rowcount
        if removed:
            record("message_template.reset", actor_id, None, template=key)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return bool(removed)


# --- The message a move plans ---------------------------------------------------


class MessageChoiceError(Exception):
    """A message choice that cannot be used; ``field`` names the form field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MessageChoice:
    """Send template ``key`` (None: send nothing) once ``send_after`` has
    passed (None: now); ``zone`` is the zone a later time was given in."""

    key: str | None
    send_after: datetime | None = None
    zone: str | None = None


def templates_for_move(to_stage: Stage, from_stage: Stage) -> tuple[str, ...]:
    """The templates a move from ``from_stage`` to ``to_stage`` may send, its default first."""
    keys = FOR_MOVE_TO.get(to_stage, ())
    if to_stage is Stage.REJECTED and from_stage in REJECTION_FOR:
        default = REJECTION_FOR[from_stage]
        keys = (default,) + tuple(key for key in keys if key != default)
    return keys


def default_zone(application: Application) -> str:
    """The zone a delayed message is timed in unless another is chosen: the
    zone of the application's latest interview, else UTC (staff accounts
    have no zone of their own yet)."""
    interview = latest_interview(application.id)
    return interview.timezone if interview else "UTC"


def next_morning(zone: str, now: datetime) -> datetime:
    """The next 09:00 in ``zone`` after ``now``, in UTC."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=tz).astimezone(timezone.utc)


def _local_time(value: str, zone: str) -> datetime:
    """``YYYY-MM-DDTHH:MM`` on the wall clock of ``zone``, in UTC; raises
    ValueError for another shape or a time the zone skips (daylight saving)."""
    value = value.strip().replace(" ", "T")
    if len(value) != 16:
        raise ValueError(value)
    naive = datetime.strptime(value, "%Y-%m-%dT%H:%M")  # noqa: DTZ007 (a wall-clock time, given its zone next)
    tz = ZoneInfo(zone)
    local = naive.replace(tzinfo=tz)
    # A time in the gap does not survive the round trip through UTC.
    if local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValueError(value)
    return local.astimezone(timezone.utc)


def message_choice(application: Application, to_stage: Stage, message: str | None, send_at: str | None,
                   send_zone: str | None, send_time: str | None = None,
                   now: datetime | None = None) -> MessageChoice | None:
    """What a recruiter's move form asks for (``message``, ``send_at``,
    ``send_zone``, ``send_time``), checked; raises MessageChoiceError.

    ``message``: a template key, ``none``, or empty for the move's default.
    ``send_at``: ``now`` (or empty), ``next-morning`` (09:00 in the zone),
    ``at`` with ``send_time``, or the local time itself (``YYYY-MM-DDTHH:MM``).
    ``send_zone``: an IANA name; empty for ``default_zone``. A move to a stage
    that sends no message takes no choice (empty or ``none``).
    """
    now = now or utcnow()
    message = (message or "").strip()
    send_at = (send_at or "").strip() or "now"
    allowed = templates_for_move(to_stage, application.stage)
    if not allowed:
        if message not in ("", NONE):
            raise MessageChoiceError(f"No message goes with a move to {to_stage.label}: "
                                     "only rejections and offers send one.", "message")
        return None
    if message == NONE:
        return MessageChoice(None)
    key = message or allowed[0]
    if key not in allowed:
        names = ", ".join(TEMPLATES[k].name for k in allowed)
        raise MessageChoiceError(f"That message does not go with a move to {to_stage.label}: choose one of "
                                 f"{names}, or none.", "message")
    zone = (send_zone or "").strip() or default_zone(application)
    if zone not in zone_names() and zone != "UTC":
        raise MessageChoiceError("Choose a time zone from the list, such as Europe/Berlin.", "send_zone")
    if send_at == "now":
        return MessageChoice(key)
    if send_at == "next-morning":
        return MessageChoice(key, next_morning(zone, now), zone)
    given = (send_time or "") if send_at == "at" else send_at
    try:
        when = _local_time(given, zone)
    except ValueError:
        raise MessageChoiceError("Give the time to send it as a date and time (YYYY-MM-DDTHH:MM) that exists in "
                                 f"{zone}.", "send_time") from None
    if when <= now:
        raise MessageChoiceError("That time has passed: choose a later one, or send it now.", "send_time")
    if when > now + LATEST_SEND:
        raise MessageChoiceError(f"Send it within {LATEST_SEND.days} days.", "send_time")
    return MessageChoice(key, when, zone)


def default_choice(application: Application, to_stage: Stage) -> MessageChoice | None:
    """The move's usual message, sent now (None when the move sends none)."""
    allowed = templates_for_move(to_stage, application.stage)
    return MessageChoice(allowed[0]) if allowed else None


def cancel_waiting(application_id: int, now: datetime) -> None:
    """Cancel the application's messages not yet sent (nor being sent), in the caller's transaction."""
    db.session.execute(
        update(CandidateMessage)
        .where(CandidateMessage.application_id == application_id,
               CandidateMessage.status == MessageStatus.SCHEDULED,
               (CandidateMessage.claimed_until.is_(None)) | (CandidateMessage.claimed_until < now))
        .values(status=MessageStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )


def plan_for_move(application: Application, choice: MessageChoice | None, staff_id: int | None,
                  now: datetime) -> CandidateMessage | None:
    """Inside a move's transaction: cancel what was waiting, and store the
    chosen message as scheduled (None when there is none)."""
    cancel_waiting(application.id, now)
    if choice is None or choice.key is None:
        return None
    message = CandidateMessage(
        application_id=application.id,
        template_key=choice.key,
        status=MessageStatus.SCHEDULED,
        created_at=now,
        created_by_id=staff_id,
        send_after=max(choice.send_after or now, now),
        send_zone=choice.zone,
    )
    db.session.add(message)
    db.session.flush()
    return message
