"""Admins run the staff accounts from ``/admin/staff``: invite someone,
change their access level, deactivate and reactivate them, send them a link
to set their password. One transaction each, in the audit trail with the
target's id (never a password or a link's key).

There is always an active admin. Each change first locks the rows of the
active admins (``FOR UPDATE``, in id order, on PostgreSQL; on SQLite the
write transaction has the database to itself) and counts them under that
lock, so two admins demoting each other at the same moment cannot both
succeed: the second finds it is no longer an admin.
"""
from collections.abc import Callable

from sqlalchemy import select

from ..extensions import db
from ..models import Access, LinkPurpose, StaffUser
from ..models.audit import record
from . import write_transaction
from .password_links import end_links, issue_link
from .sessions import revoke_all_sessions
from .staff import StaffError, find_by_email, normalise_email


class StaffRefused(Exception):
    """The change breaks a rule (the last admin, one's own account); the
    message says which, for the admin to read."""


def invite(actor_id: int, email: str, name: str, access: Access | str) -> StaffUser:
    """Make an account for ``email`` with no password yet, and mail its
    owner a link to set one (good for 72 hours). Raises :class:`StaffError`
    for input it cannot be made with, the address already taken included."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise StaffError("A name is required.")
    access = _access(access)
    write_transaction()
    try:
        _admins_locked(actor_id)
        if find_by_email(email) is not None:
            raise StaffError("There is already a staff account with this email address.")
        # No password until the invited person sets one: an empty hash matches none.
        user = StaffUser(email=email, name=name, access=access, password_hash="")  # nosec B106
        db.session.add(user)
        db.session.flush()
        link = issue_link(user, LinkPurpose.INVITE)
        record("staff.invite", actor_id, user_id=user.id, access=access.value, link_id=link.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user


def change_access(actor_id: int, user_id: int, access: Access | str) -> StaffUser | None:
    """Give the user another access level; None when there is no such user.
    The last active admin keeps theirs."""
    access = _access(access)

    def change(user: StaffUser, admins: list[int]) -> None:
        before = user.access
        if before is access:
            return
        if access is not Access.ADMIN and _last_admin(user, admins):
            raise StaffRefused(f"{user.name} is the only active admin: make someone else an admin first.")
        user.access = access
        record("staff.access", actor_id, user_id=user.id, before=before.value, after=access.value)

    return _on_user(actor_id, user_id, change)


def deactivate_user(actor_id: int, user_id: int) -> StaffUser | None:
    """Stop the user from signing in: their sessions and unused links end.
    Nobody deactivates their own account (a slip would lock them out, and
    another admin can always do it), nor the last active admin."""

    def change(user: StaffUser, admins: list[int]) -> None:
        if user.id == actor_id:
            raise StaffRefused("You cannot deactivate your own account: another admin can.")
        if _last_admin(user, admins):
            raise StaffRefused(f"{user.name} is the only active admin: make someone else an admin first.")
        if user.active:
            user.active = False
            revoke_all_sessions(user.id)
            end_links(user.id)
            record("staff.deactivate", actor_id, user_id=user.id)

    return _on_user(actor_id, user_id, change)


def reactivate_user(actor_id: int, user_id: int) -> StaffUser | None:
    """Let the user sign in again, with the password they had (an invited
    user who never set one needs a new link: :func:`send_link`)."""

    def change(user: StaffUser, admins: list[int]) -> None:
        if not user.active:
            user.active = True
            record("staff.reactivate", actor_id, user_id=user.id)

    return _on_user(actor_id, user_id, change)


def send_link(actor_id: int, user_id: int) -> StaffUser | None:
    """Mail the user a new link to set their password: the invitation again
    for someone who has not set one yet, else a reset link. Older links stop
    working."""

    def change(user: StaffUser, admins: list[int]) -> None:
        if not user.active:
            raise StaffRefused(f"{user.name}'s account is deactivated: reactivate it first.")
        if user.has_password:
            link = issue_link(user, LinkPurpose.RESET)
            record("staff.reset_link", actor_id, user_id=user.id, link_id=link.id)
        else:
            link = issue_link(user, LinkPurpose.INVITE)
            record("staff.invite_again", actor_id, user_id=user.id, link_id=link.id)

    return _on_user(actor_id, user_id, change)


def _on_user(actor_id: int, user_id: int, change: Callable[[StaffUser, list[int]], None]) -> StaffUser | None:
    """One transaction: the active admins locked (an actor no longer one of
    them is refused), then the user's row; ``change(user, admins)`` makes
    the change and its audit entry, or raises to leave nothing. None, with
    nothing changed, when there is no such user."""
    write_transaction()
    try:
        admins = _admins_locked(actor_id)
        user = db.session.get(StaffUser, user_id, with_for_update=True)
        if user is None:
            db.session.rollback()
            return None
        change(user, admins)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user


def _access(value: Access | str) -> Access:
    try:
        return Access(value)
    except ValueError:
        choices = ", ".join(level.value for level in Access)
        raise StaffError(f"{value!r} is not an access level; use one of {choices}.") from None


def _lock_admins() -> list[int]:
    """The ids of the active admins, their rows locked until the transaction
    ends (PostgreSQL; in id order, so two such transactions never deadlock)."""
    return list(db.session.scalars(
        select(StaffUser.id)
        .where(StaffUser.access == Access.ADMIN, StaffUser.active.is_(True))
        .order_by(StaffUser.id)
        .with_for_update()
    ))


def _admins_locked(actor_id: int) -> list[int]:
    """The active admins, locked; refuses an actor who is no longer one of
    them (demoted or deactivated by another admin a moment ago)."""
    admins = _lock_admins()
    if actor_id not in admins:
        raise StaffRefused("You are no longer an active admin: nothing was changed.")
    return admins


def _last_admin(user: StaffUser, admins: list[int]) -> bool:
    return admins == [user.id]
