"""Webhooks: registering one, pausing and resuming it, and sending one
delivery again (``/admin/webhooks``, ``flask ats add-webhook``). Each is one
transaction with its audit entry; the secret is never written to the audit."""
import secrets
from dataclasses import dataclass

from ..extensions import db
from ..infra.webhooks import TargetRefused, resolve
from ..models import DeliveryStatus, Webhook, WebhookDelivery, utcnow
from ..models.audit import record
from ..models.webhooks import MAX_SECRET, MAX_URL
from ..webhooks import EVENT_NAMES
from . import write_transaction

MIN_SECRET = 16


class WebhookError(ValueError):
    """A webhook that cannot be made as asked; the message says why (and ``field`` where)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewWebhook:
    id: int
    url: str
    events: list[str]
    secret: str  # shown once, by what made it


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_events(names) -> list[str]:
    """The contract's event names asked for, in the contract's order; ``WebhookError`` for any other."""
    names = [name.strip() for name in names if name.strip()]
    unknown = sorted(set(names) - set(EVENT_NAMES))
    if unknown:
        raise WebhookError("events", f"Unknown event {', '.join(unknown)}: choose from {', '.join(EVENT_NAMES)}.")
    if not names:
        raise WebhookError("events", f"Choose at least one event: {', '.join(EVENT_NAMES)}.")
    return [name for name in EVENT_NAMES if name in names]


def create_webhook(url: str, events, secret: str | None, actor_id: int | None, *,
                   allow_private: bool) -> NewWebhook:
    """Register a webhook (active); ``secret`` None or empty: a new random one.
    The URL's host must resolve to public addresses unless ``allow_private``."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise WebhookError("url", f"Give the URL to send to (at most {MAX_URL} characters).")
    try:
        resolve(url, allow_private)
    except TargetRefused as refused:
        raise WebhookError("url", str(refused)) from None
    names = check_events(events)
    secret = (secret or "").strip() or new_secret()
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise WebhookError("secret", f"The secret must be {MIN_SECRET} to {MAX_SECRET} characters long.")
    write_transaction()
    hook = Webhook(url=url, events=names, secret=secret, active=True, created_by_id=actor_id)
    db.session.add(hook)
    db.session.flush()
    record("webhook.create", actor_id, None, webhook_id=hook.id, url=url, events=names)
    db.session.commit()
    return NewWebhook(hook.id, url, names, secret)


def set_active(webhook_id: int, active: bool, actor_id: int) -> bool | None:
    """Resume (``active``) or pause a webhook; None when there is none, False
    when it already was so. A paused webhook gets no new deliveries; those
    pending are still tried."""
    write_transaction()
    hook = db.session.get(Webhook, webhook_id)
    if hook is None or hook.active == active:
        db.session.rollback()
        return None if hook is None else False
    hook.active = active
    record("webhook.resume" if active else "webhook.pause", actor_id, None, webhook_id=hook.id, url=hook.url)
    db.session.commit()
    return True


def redeliver(webhook_id: int, delivery_id: int, actor_id: int) -> bool:
    """Send one of the webhook's deliveries again, as a new round of tries
    with the same ``X-ATS-Delivery``; False when the webhook has no such
    delivery. The caller queues ``deliver_webhook``."""
    write_transaction()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != webhook_id:
        db.session.rollback()
        return False
    delivery.status = DeliveryStatus.PENDING
    delivery.tries = 0
    delivery.next_try_at = utcnow()
    delivery.claimed_until = None
    delivery.delivered_at = None
    record("webhook.redeliver", actor_id, None, webhook_id=webhook_id, delivery_id=delivery.id,
           event_id=delivery.event_id)
    db.session.commit()
    return True
