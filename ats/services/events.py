"""Events: recorded inside the operation's transaction, dispatched after its
commit (see ``ats.models.events``)."""
import logging

from sqlalchemy import event as orm_event, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Application, Event, EventType, utcnow
from . import write_transaction

log = logging.getLogger(__name__)

# session.info key: this session committed events that are not yet dispatched.
COMMITTED = "ats.events_committed"
_PENDING = "ats.events_pending"


def record_event(type: EventType, application: Application | None, **data) -> Event:
    """Add an event to the current transaction: it is committed with the change
    it reports, or rolled back with it. ``data`` names what it concerns (ids,
    stages), nothing personal."""
    event = Event(type=type, application=application, data=data)
    db.session.add(event)
    return event


def dispatch_pending(limit: int = 500) -> int:
    """Hand each committed, not yet dispatched event to the notifications, once,
    oldest first; returns how many were dispatched. Each event is claimed in its
    own transaction before anything is sent, so two dispatchers never send the
    same one; a notification that fails is logged, and the change it reports
    stays committed."""
    from ..notifications import notify

    ids = db.session.scalars(
        select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id).limit(limit)
    ).all()
    db.session.commit()
    dispatched = 0
    for event_id in ids:
        if not _claim(event_id):
            continue  # another dispatcher took it
        dispatched += 1
        event = db.session.get(Event, event_id)
        try:
            notify(event)
        except Exception:
            log.exception("event %s (%s): the notification failed", event_id, event.type.value)
        finally:
            db.session.rollback()  # a notification only reads
    return dispatched


def _claim(event_id: int) -> bool:
    write_transaction()
    claimed = db.session.execute(
        update(Event).where(Event.id == event_id, Event.dispatched_at.is_(None)).values(dispatched_at=utcnow())
    ).rowcount
    db.session.commit()
    return claimed == 1


@orm_event.listens_for(Session, "before_flush")
def _note_new_events(session, flush_context, instances) -> None:
    if any(isinstance(instance, Event) for instance in session.new):
        session.info[_PENDING] = True


@orm_event.listens_for(Session, "after_commit")
def _note_committed(session) -> None:
    if session.info.pop(_PENDING, False):
        session.info[COMMITTED] = True


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def init_app(app) -> None:
    """Until the background-job queue exists, a request that committed events
    dispatches them itself, right after its work and before its answer leaves."""

    @app.after_request
    def dispatch_committed(response):
        if db.session().info.pop(COMMITTED, False):
            dispatch_pending()
        return response
