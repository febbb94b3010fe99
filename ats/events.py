"""Events: recorded inside the operation's transaction, delivered after its
commit by background jobs (``ats.jobs``; see ``ats.models.events``).

After a request commits events, ``ats.jobs`` hands each one that calls for
a mail to the queue (:func:`take_committed`, :func:`needing_delivery`) and
marks the others delivered. A job then calls :func:`deliver`, which claims
the event, sends its mail and marks it delivered; a failure releases the
claim and raises, and the job is retried later.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event as orm_event
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import Application, Event, EventType, utcnow
from .notifications import has_mail, notify
from .operations import write_transaction
from .webhooks import add_deliveries

# How long a job may take to deliver one event before another may try: far
# beyond the mail server's timeout, so a claim lapses only when its job died.
CLAIM = timedelta(minutes=5)
# An event committed this long ago and never handed to the queue (the queue
# was unreachable, or it was committed outside a request) is handed over by
# the worker's sweep; one handed over this long ago and still not delivered
# (the job was lost with a killed worker) is handed over again. The second
# is longer than a job's retries take (about two hours).
NEVER_QUEUED_AFTER = timedelta(minutes=1)
LOST_AFTER = timedelta(hours=3)


def record_event(type: EventType, application: Application | None, **data) -> Event:
    """Add an event to the current transaction: it is committed with the change
    it reports, or rolled back with it. ``data`` names what it concerns (ids,
    stages), nothing personal."""
    event = Event(type=type, application=application, data=data)
    db.session.add(event)
    add_deliveries(event)  # its webhooks' deliveries, in the same transaction
    return event


@dataclass(frozen=True)
class Committed:
    """A committed event, as noted at its flush (no query needed to route it)."""

    id: int
    type: EventType
    application_id: int | None
    data: dict


def needing_delivery(events: list[Committed]) -> list[int]:
    """The ids of those events that call for a mail (later: a webhook)."""
    return [event.id for event in events if has_mail(event.type, event.data)]


def mark(event_ids, **columns) -> None:
    """Set ``columns`` (e.g. ``queued_at``, ``dispatched_at``) on these events, in one transaction."""
    if not event_ids:
        return
    write_transaction()
    db.session.execute(update(Event).where(Event.id.in_(list(event_ids))).values(**columns))
    db.session.commit()


def deliver(event_id: int) -> bool:
    """Send the mail this committed event calls for, once. Returns False when
    there was nothing to do: delivered already, or claimed by another job.
    Raises when the mail could not be sent; the event is then left for the
    job's next try (``MailNotSent``)."""
    now = utcnow()
    write_transaction()
    claimed = db.session.execute(
        update(Event)
        .where(
            Event.id == event_id,
            Event.dispatched_at.is_(None),
            or_(Event.claimed_until.is_(None), Event.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    try:
        event = db.session.get(Event, event_id)
        # Its candidate was erased after the event was claimed: no mail
        # names, or goes to, a person who is no longer on file.
        if event.application is None or not event.application.erased:
            notify(event)
    except BaseException:
        db.session.rollback()
        mark([event_id], claimed_until=None)
        raise
    db.session.rollback()  # the notification only read
    mark([event_id], dispatched_at=utcnow(), claimed_until=None, failed_at=None)
    return True


def waiting(limit: int = 500) -> list[int]:
    """Events the worker's sweep hands (again) to the queue: not delivered,
    not given up, not claimed, and either never queued or queued long ago."""
    now = utcnow()
    return db.session.scalars(
        select(Event.id)
        .where(
            Event.dispatched_at.is_(None),
            Event.failed_at.is_(None),
            or_(Event.claimed_until.is_(None), Event.claimed_until < now),
            or_(
                Event.queued_at.is_(None) & (Event.created_at < now - NEVER_QUEUED_AFTER),
                Event.queued_at < now - LOST_AFTER,
            ),
        )
        .order_by(Event.id)
        .limit(limit)
    ).all()


# The events a session has flushed in its open transaction, and those it has
# committed and not yet handed over (session.info, by these keys).
_FLUSHED = "ats.events_flushed"
_COMMITTED = "ats.events_committed"


@orm_event.listens_for(Session, "after_flush")
def _note_new_events(session, flush_context) -> None:
    new = [Committed(instance.id, instance.type, instance.application_id, dict(instance.data or {}))
           for instance in session.new if isinstance(instance, Event)]
    if new:
        session.info.setdefault(_FLUSHED, []).extend(new)


@orm_event.listens_for(Session, "after_commit")
def _note_committed(session) -> None:
    flushed = session.info.pop(_FLUSHED, [])
    if flushed:
        session.info.setdefault(_COMMITTED, []).extend(flushed)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    session.info.pop(_FLUSHED, None)


def take_committed(session) -> list[Committed]:
    """The events ``session`` committed since the last call, oldest first."""
    return sorted(session.info.pop(_COMMITTED, []), key=lambda event: event.id)
