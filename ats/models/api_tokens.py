"""API tokens: what a script shows the API (``Authorization: Bearer …``) to
act as a staff member, with that member's access level.

A token is 256 random bits, shown once when made and never stored: its row
keeps the SHA-256 of it (found by, unique; nothing short enough to guess is
hashed, so no salt or slow hash is needed) and its first characters, so that
its owner can tell their tokens apart on their page. A revoked token, or one
whose owner is deactivated, opens nothing.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

# Every token starts with this, so that a leaked one is recognised (secret scanners, logs).
TOKEN_START = "ats_"  # nosec B105
# How much of the token its row keeps in the clear: "ats_" and 8 more characters.
PREFIX_LENGTH = 12
MAX_LABEL = 100
# ``last_used_at`` is written at most this often: reading through the API stays cheap.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def new_token() -> str:
    """A new token: ``ats_`` and 43 URL-safe characters (256 random bits)."""
    return TOKEN_START + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(MAX_LABEL))
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("StaffUser", lazy="joined")

    def used_recently(self, now: datetime) -> bool:
        """Whether ``last_used_at`` is recent enough not to be written again."""
        return self.last_used_at is not None and now - self.last_used_at < LAST_USED_GRANULARITY
