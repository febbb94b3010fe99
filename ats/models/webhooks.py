"""Webhooks: URLs that are sent the contract's events (``ats.webhooks``).

A webhook's ``secret`` is a shared secret: the server must read it to sign
each body (HMAC-SHA256), so it is stored as given, in the database, unlike
passwords and API tokens. It is shown once, when the webhook is made.

A :class:`WebhookDelivery` is made, in the transaction of the event it
delivers, for every active webhook subscribed to the event's type; it then
follows that event to that URL through its tries.
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow, value_enum

MAX_URL = 2000
MAX_SECRET = 200
MAX_ERROR = 200


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(MAX_URL))
    # The event types' names (``EventType.value``), as a JSON list.
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(MAX_SECRET))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("StaffUser")

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {'active' if self.active else 'paused'}>"


class WebhookDelivery(db.Model):
    """One event for one webhook. ``last_error`` is short and safe to show
    (an exception's kind, 'answered 500'), never a body."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        # The sweep's list: what is still pending, by when it is due.
        Index("ix_webhook_deliveries_pending", "next_try_at", sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(value_enum(DeliveryStatus, "delivery_status", length=20),
                                                   default=DeliveryStatus.PENDING)
    tries: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # A job is trying it until then (no two jobs send one delivery at once).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook = relationship("Webhook")
    event = relationship("Event")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} webhook={self.webhook_id} event={self.event_id} {self.status.value}>"
