"""Events: recorded inside the operation's transaction, dispatched after its
commit (see ``ats.models.events``)."""
import logging

from sqlalchemy import event as orm_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import Application, Event, EventType, utcnow
from .notifications import notify
from .operations import write_transaction

log = logging.getLogger(__name__)


def record_event(type: EventType, application: Application | None, **data) -> Event:
    """Add an event to the current transaction: it is committed with the change
    it reports, or rolled back with it. ``data`` names what it concerns (ids,
    stages), nothing personal."""
    event = Event(type=type, application=application, data=data)
    db.session.add(event)
    return event


def dispatch_pending(limit: int = 500) -> int:
    """Dispatch every committed event not yet dispatched, oldest first (for
    events whose request ended before dispatching them); returns how many."""
    ids = db.session.scalars(
        select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id).limit(limit)
    ).all()
    db.session.commit()
    return dispatch(ids)


def dispatch(event_ids) -> int:
    """Hand each of these committed events to the notifications, once; returns
    how many this call dispatched. They are claimed first, in one transaction,
    so two dispatchers never send the same event; a notification that fails is
    logged, and the change it reports stays committed."""
    if not event_ids:
        return 0
    write_transaction()
    claimed = db.session.scalars(
        update(Event)
        .where(Event.id.in_(list(event_ids)), Event.dispatched_at.is_(None))
        .values(dispatched_at=utcnow())
        .returning(Event.id)
    ).all()
    db.session.commit()
    for event_id in sorted(claimed):
        event = db.session.get(Event, event_id)
        try:
            notify(event)
        except Exception:
            log.exception("event %s (%s): the notification failed", event_id, event.type.value)
        finally:
            db.session.rollback()  # a notification only reads
    return len(claimed)


# The events a session has flushed in its open transaction, and those it has
# committed and not yet dispatched (session.info, by these keys).
_FLUSHED = "ats.events_flushed"
_COMMITTED = "ats.events_committed"


@orm_event.listens_for(Session, "after_flush")
def _note_new_events(session, flush_context) -> None:
    new = [instance for instance in session.new if isinstance(instance, Event)]
    if new:
        session.info.setdefault(_FLUSHED, []).extend(new)


@orm_event.listens_for(Session, "after_commit")
def _note_committed(session) -> None:
    flushed = session.info.pop(_FLUSHED, [])
    if flushed:
        session.info.setdefault(_COMMITTED, []).extend(event.id for event in flushed)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    session.info.pop(_FLUSHED, None)


def init_app(app) -> None:
    """Until the background-job queue exists, a request that committed events
    dispatches them itself, right after its work and before its answer leaves."""

    @app.after_request
    def dispatch_committed(response):
        # Most requests (pages, static files, /healthz) committed no event;
        # those that used no session at all are not made to open one.
        if db.session.registry.has():
            dispatch(db.session.info.pop(_COMMITTED, []))
        return response
