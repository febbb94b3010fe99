"""Staff accounts: creating and updating them, and signing in."""
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email

from ..extensions import db
from ..models import Access, StaffUser, utcnow
from ..models.staff import (
    check_password_rule,
    password_check_slot,
    verify_dummy_password,
    verify_password,
)
from . import write_transaction
from .password_links import end_links
from .sessions import open_session, revoke_all_sessions


class StaffError(ValueError):
    """Input a staff account cannot be saved with; the message says what to fix."""


@dataclass(frozen=True)
class SavedUser:
    user: StaffUser
    created: bool


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    # The new session's secret, for the cookie; stored only hashed.
    session_token: str


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right, but the account has two-step sign-in on: no
    session is open until a code is given (``ats.operations.two_step``)."""

    user_id: int
    email: str


def normalise_email(email: str) -> str:
    """The account key for ``email``: checked for shape (no DNS look-up), lower-cased."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise StaffError(f"{email!r} is not a valid email address: {error}") from None
    return checked.normalized.lower()


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalars(
        db.select(StaffUser).filter_by(email=email.strip().lower())
    ).one_or_none()


def save_staff_user(email: str, name: str, access: Access | str, password: str | None) -> SavedUser:
    """Create the account for ``email``, or update its name, access and password.

    Every check runs before anything is written. Updating an account (its
    password is always set anew) ends the user's open sessions and unused
    password links.
    """
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise StaffError("A name is required.")
    if len(name) > 200:
        raise StaffError("The name must be at most 200 characters long.")
    try:
        access = Access(access)
    except ValueError:
        choices = ", ".join(level.value for level in Access)
        raise StaffError(f"{access!r} is not an access level; use one of {choices}.") from None
    if not password:
        raise StaffError("A password is required: pass --password or set ATS_PASSWORD.")
    try:
        check_password_rule(password)
    except ValueError as error:
        raise StaffError(str(error)) from None

    write_transaction()
    try:
        user = find_by_email(email)
        created = user is None
        if created:
            user = StaffUser(email=email)
            db.session.add(user)
        user.name = name
        user.access = access
        user.set_password(password)
        if not created:
            revoke_all_sessions(user.id)
            end_links(user.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return SavedUser(user, created)


def sign_in(email: str, password: str, user_agent: str | None,
            lifetime: timedelta) -> SignedIn | CodeNeeded | None:
    """A new session for the active user with these credentials, or None,
    telling nothing of which part was wrong. Records the time of the sign-in.
    For an account with two-step sign-in on, a right password opens nothing
    yet: :class:`CodeNeeded` says a code must follow.

    The password check (or, for an unknown address, a dummy one that takes as
    long) runs in one of the process's few password-check slots, outside any
    transaction: on SQLite sign-ins do not hold the write lock while hashing,
    and no database connection waits for a slot. Raises
    :class:`PasswordChecksBusy` when no slot frees up in time; nothing has
    been checked then.
    """
    user = find_by_email(email)
    found = (user.id, user.password_hash, user.active) if user is not None else None
    db.session.rollback()
    with password_check_slot():
        if found is None or not found[1]:
            # No account, or an invited one with no password yet: as slow as a wrong password.
            verify_dummy_password(password)
            return None
        user_id, stored_hash, active = found
        accepted, rehashed = verify_password(stored_hash, password)
    if not (accepted and active):
        return None

    write_transaction()
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or user.password_hash != stored_hash:
        # Deactivated or given a new password while we were checking.
        db.session.rollback()
        return None
    if rehashed:
        user.password_hash = rehashed
    if user.two_step_on:
        needed = CodeNeeded(user.id, user.email)
        db.session.commit()  # the rehash, if any
        return needed
    user.last_login_at = utcnow()
    token = open_session(user.id, user_agent, lifetime)
    db.session.commit()
    return SignedIn(user, token)


def deactivate(user: StaffUser) -> None:
    """Stop ``user`` from signing in and end their open sessions and unused
    password links (an admin's page does it with its checks and audit:
    ``staff_admin.deactivate_user``)."""
    write_transaction()
    user.active = False
    revoke_all_sessions(user.id)
    end_links(user.id)
    db.session.commit()


def reset_calendar_token(user_id: int) -> str:
    """Give the user a new secret feed address; the old one stops working."""
    write_transaction()
    user = db.session.get(StaffUser, user_id)
    key = user.new_calendar_key()
    db.session.commit()
    return key
