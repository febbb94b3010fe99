"""Staff accounts as the admins' pages show them, and what a password link
opens (for its page, before anything is set)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Access, LinkPurpose, LinkState, PasswordLink, StaffUser, utcnow
from ..models.password_links import digest_of


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    email: str
    access: Access
    active: bool
    two_step_on: bool
    last_login_at: datetime | None
    # Invited and no password set yet: when the newest link went out.
    invited: bool
    link_sent_at: datetime | None

    @property
    def status(self) -> str:
        if not self.active:
            return "Deactivated"
        return "Invited" if self.invited else "Active"


def _rows(where=None) -> list[StaffRow]:
    newest_link = (
        select(PasswordLink.user_id, func.max(PasswordLink.created_at).label("sent_at"))
        .group_by(PasswordLink.user_id)
        .subquery()
    )
    query = (
        select(StaffUser, newest_link.c.sent_at)
        .outerjoin(newest_link, newest_link.c.user_id == StaffUser.id)
        .order_by(StaffUser.active.desc(), func.lower(StaffUser.name), StaffUser.id)
    )
    if where is not None:
        query = query.where(where)
    return [
        StaffRow(user.id, user.name, user.email, user.access, user.active, user.two_step_on, user.last_login_at,
                 not user.has_password, sent_at)
        for user, sent_at in db.session.execute(query)
    ]


def staff_list() -> list[StaffRow]:
    """Every staff account: active ones first, then by name."""
    return _rows()


def staff_member(user_id: int) -> StaffRow | None:
    rows = _rows(StaffUser.id == user_id)
    return rows[0] if rows else None


@dataclass(frozen=True)
class OpenLink:
    state: LinkState
    purpose: LinkPurpose | None = None
    email: str | None = None
    expires_at: datetime | None = None


def open_link(key: str, now: datetime | None = None) -> OpenLink:
    """What the link with ``key`` is now: good (for whose account, until
    when), expired, or dead (unknown, used, replaced, deactivated)."""
    link = db.session.scalars(select(PasswordLink).filter_by(digest=digest_of(key))).one_or_none()
    if link is None:
        return OpenLink(LinkState.DEAD)
    state = link.state(now or utcnow())
    if state is LinkState.DEAD:
        return OpenLink(state)
    return OpenLink(state, link.purpose, link.user.email, link.expires_at)
