"""Staff sessions, kept on the server.

The signed cookie carries a random token; this table keeps only its SHA-256,
so a copy of the table opens no session. A session is good while its row
exists, is not revoked, has seen a request within ATS_SESSION_IDLE_MINUTES
and is younger than ATS_SESSION_MAX_HOURS (``ats.operations.sessions``).
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


def new_session_token() -> str:
    """A new session's secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def session_id_for(token: str) -> str:
    """The row id of the session whose cookie holds ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffSession(db.Model):
    """One sign-in of one staff user, from sign-in until it ends."""

    __tablename__ = "staff_sessions"

    # SHA-256 (hex) of the token in the cookie, never the token itself.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on at most once a minute (``TOUCH_EVERY``), not by every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the session was ended: signing out, a new password, deactivation.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The browser's User-Agent at sign-in, cut short, for the record only.
    user_agent: Mapped[str | None] = mapped_column(String(200))

    def ended(self, now: datetime, idle: timedelta, lifetime: timedelta) -> bool:
        """Whether the session is over at ``now``: revoked, idle too long, or too old."""
        return (
            self.revoked_at is not None
            or now - self.last_seen_at >= idle
            or now - self.created_at >= lifetime
        )

    def __repr__(self) -> str:
        return f"<StaffSession {self.id[:8]}… user {self.user_id}>"
