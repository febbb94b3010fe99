"""One-time links by which a staff member sets their password: the one an
invitation mails, and a password-reset link (sent by an admin, or asked for
on the sign-in page).

The key in the link is never stored: like a status link (``tokens``), the row
keeps a random salt and the SHA-256 of the key derived from it, so the mail
can be built after the commit from the row alone, and a copy of the database
opens nothing. A link is good once, until it expires; making a new link for a
user ends their older unused ones (``ats.operations.password_links``).
"""
import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from . import tokens
from .types import UTCDateTime, utcnow, value_enum


class LinkPurpose(enum.Enum):
    INVITE = "invite"
    RESET = "reset"

    @property
    def lifetime(self) -> timedelta:
        """How long a link works. An invitation may wait in an inbox over a
        weekend; a reset link is asked for by someone about to use it, and
        a new one is a click away on the sign-in page."""
        return INVITE_LIFETIME if self is LinkPurpose.INVITE else RESET_LIFETIME

    @property
    def lifetime_text(self) -> str:
        hours = int(self.lifetime.total_seconds() // 3600)
        return f"{hours} hour{'' if hours == 1 else 's'}"


INVITE_LIFETIME = timedelta(hours=72)
RESET_LIFETIME = timedelta(hours=1)


class LinkState(enum.Enum):
    GOOD = "good"
    # Past its time: the page says to ask for a new one (410).
    EXPIRED = "expired"
    # Used, replaced by a newer link, or its account deactivated: like an unknown key (404).
    DEAD = "dead"


class PasswordLink(db.Model):
    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(value_enum(LinkPurpose, "purpose"))
    salt: Mapped[str] = mapped_column(String(32), default=tokens.new_salt)
    digest: Mapped[str] = mapped_column(String(64), unique=True,
                                        default=tokens.digest_default(tokens.PASSWORD, "salt"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the password was set with it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when it was ended unused: a newer link, the account deactivated,
    # or a password set some other way.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("StaffUser")

    @property
    def key(self) -> str:
        """The key in the link's address (derived from the salt, never stored)."""
        return tokens.key_for(tokens.PASSWORD, self.salt)

    def state(self, now: datetime) -> LinkState:
        if self.used_at is not None or self.ended_at is not None or not self.user.active:
            return LinkState.DEAD
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.GOOD

    def __repr__(self) -> str:
        return f"<PasswordLink {self.id} {self.purpose.value} user={self.user_id}>"


def digest_of(key: str) -> str:
    return tokens.digest(key)


def new_link(user_id: int, purpose: LinkPurpose, now: datetime | None = None) -> PasswordLink:
    now = now or utcnow()
    return PasswordLink(user_id=user_id, purpose=purpose, created_at=now, expires_at=now + purpose.lifetime)
