"""The webhooks and their recent deliveries, for the admins' page."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Webhook, WebhookDelivery

RECENT = 10


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    event_id: int
    event_type: str
    status: str
    tries: int
    last_status_code: int | None
    last_error: str | None
    next_try_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class WebhookRow:
    id: int
    url: str
    events: list[str]
    active: bool
    created_by: str | None
    created_at: datetime
    deliveries: list[DeliveryRow]


def webhooks_overview(recent: int = RECENT) -> list[WebhookRow]:
    """Every webhook, newest first, each with its ``recent`` latest deliveries."""
    hooks = db.session.scalars(select(Webhook).order_by(Webhook.id.desc())).all()
    rows = []
    for hook in hooks:
        deliveries = db.session.execute(
            select(WebhookDelivery, Event.type, Event.created_at)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.webhook_id == hook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(recent)
        ).all()
        rows.append(WebhookRow(
            hook.id, hook.url, list(hook.events or []), hook.active,
            hook.created_by.name if hook.created_by else None, hook.created_at,
            [DeliveryRow(d.id, d.event_id, event_type.value, d.status.value, d.tries, d.last_status_code,
                         d.last_error, d.next_try_at, d.delivered_at, created_at)
             for d, event_type, created_at in deliveries],
        ))
    db.session.commit()
    return rows
