"""Webhooks: each event of the contract's four types, sent to every active
webhook subscribed to it (the contract's "Webhooks").

When an event is recorded (``ats.events.record_event``), a delivery row is
added for each active webhook subscribed to its type, in the same
transaction: a delivery exists exactly when its event was committed, so
nothing rolled back is sent and nothing committed is missed, even when the
process dies right after the commit (the sweep then finds the row). After
the commit, ``ats.jobs.hand_over`` queues a ``deliver_webhook`` job per row.

The job calls :func:`deliver`: it claims the row, builds the body (the
application as the API shows it to an admin: the candidate's fields are
null once erased), checks the target's address again, POSTs, and records
the answer. A failure is tried again after ``retry_delay`` (30 s, doubling,
at most 6 hours: 14 tries over about 28 hours), then the delivery is failed.
The body is built at each try, from what is on file then: an erasure
between two tries is respected.
"""
import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from .extensions import db
from .infra import webhooks as http
from .models import Access, DeliveryStatus, Event, EventType, Webhook, WebhookDelivery, utcnow
from .models.webhooks import MAX_ERROR
from .operations import write_transaction
from .queries.api import application_shape, iso

# The event types a webhook can be sent, in the contract's order.
WEBHOOK_EVENTS = (EventType.APPLICATION_CREATED, EventType.STAGE_CHANGED,
                  EventType.INTERVIEW_SCHEDULED, EventType.INTERVIEW_CANCELLED)
EVENT_NAMES = tuple(event.value for event in WEBHOOK_EVENTS)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
MAX_TRIES = 14
# Longer than one try can take (the 10 s timeout, the database): a claim
# this old belongs to a job that died.
CLAIM = timedelta(minutes=2)
# A delivery due this long ago and not tried was lost (the queue was down,
# the worker killed): the sweep queues it again.
LOST_AFTER = timedelta(minutes=2)


def allow_private() -> bool:
    return current_app.config.get("ATS_WEBHOOK_ALLOW_PRIVATE", False)


def retry_delay(tries: int) -> timedelta:
    """How long to wait after the ``tries``-th failed try: 30 s, 1 min, 2 min, … at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (tries - 1), LONGEST_WAIT)


def add_deliveries(event: Event) -> None:
    """In the event's transaction: a pending delivery for each active webhook subscribed to its type."""
    if event.type not in WEBHOOK_EVENTS:
        return
    with db.session.no_autoflush:
        hooks = db.session.scalars(select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)).all()
    for hook in hooks:
        if event.type.value in (hook.events or []):
            db.session.add(WebhookDelivery(webhook=hook, event=event, next_try_at=utcnow()))


def pending_for_events(event_ids) -> list[int]:
    """The pending deliveries of these (just committed) events."""
    if not event_ids:
        return []
    ids = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.event_id.in_(list(event_ids)), WebhookDelivery.status == DeliveryStatus.PENDING)
        .order_by(WebhookDelivery.id)
    ).all()
    db.session.commit()
    return ids


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose try was due more than LOST_AFTER ago and that no job holds: for the sweep."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_try_at < now - LOST_AFTER,
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .order_by(WebhookDelivery.next_try_at)
        .limit(limit)
    ).all()
    db.session.commit()
    return ids


def body(event: Event) -> bytes:
    """The contract's body for ``event``: its id, type, time and the application."""
    application = application_shape(event.application_id, Access.ADMIN) if event.application_id else None
    document = {"id": event.id, "type": event.type.value, "created_at": iso(event.created_at),
                "data": {"application": application}}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(delivery_id: int, now: datetime) -> bool:
    write_transaction()
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id,
               WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_try_at <= now,
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def deliver(delivery_id: int) -> timedelta | None:
    """Try one delivery that is due. Returns how long until its next try
    when this one failed and it is to be tried again, else None (it
    succeeded, it failed for good, or it was not due or held by another job)."""
    now = utcnow()
    if not _claim(delivery_id, now):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    hook, event = delivery.webhook, delivery.event
    payload = body(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ats-webhooks",
        "X-ATS-Event": event.type.value,
        "X-ATS-Delivery": str(event.id),
        "X-ATS-Signature": http.sign(hook.secret, payload),
    }
    url = hook.url
    db.session.commit()  # nothing is held open while the request waits
    try:
        answer = http.post(http.resolve(url, allow_private()), payload, headers)
    except http.TargetRefused as refused:
        answer = http.Answer(None, str(refused))
    return _record(delivery_id, answer)


def _record(delivery_id: int, answer: http.Answer) -> timedelta | None:
    now = utcnow()
    write_transaction()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    delivery.tries += 1
    delivery.claimed_until = None
    delivery.last_status_code = answer.status
    wait = None
    if answer.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.last_error = None
        delivery.next_try_at = None
    else:
        error = answer.error or f"answered {answer.status}"
        delivery.last_error = error[:MAX_ERROR]
        if delivery.tries >= MAX_TRIES:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_try_at = None
        else:
            wait = retry_delay(delivery.tries)
            delivery.next_try_at = now + wait
    db.session.commit()
    return wait
