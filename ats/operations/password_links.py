"""One-time links to set a staff password: making one (an invitation, a
reset asked for on the sign-in page or sent by an admin), and setting the
password with one.

A link's mail is an event (``staff.invited``, ``staff.password_reset``)
naming the user and the link's row, never the key: the mail is built after
the commit (``ats.notifications.staff``), so nothing rolled back is mailed.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from ..events import record_event
from ..extensions import db
from ..models import EventType, LinkPurpose, LinkState, PasswordLink, StaffUser, utcnow
from ..models.audit import record
from ..models.password_links import digest_of, new_link
from ..models.staff import check_password_rule, password_check_slot, password_hasher
from . import write_transaction
from .sessions import open_session, revoke_all_sessions

EVENT_FOR = {LinkPurpose.INVITE: EventType.STAFF_INVITED, LinkPurpose.RESET: EventType.STAFF_PASSWORD_RESET}


class LinkNotGood(Exception):
    """The link is unknown, used, replaced or its account deactivated
    (``state`` DEAD), or past its time (``state`` EXPIRED)."""

    def __init__(self, state: LinkState):
        super().__init__(state.value)
        self.state = state


@dataclass(frozen=True)
class PasswordSet:
    user: StaffUser
    # A new session's secret for the cookie; None when the account has
    # two-step sign-in on (a mailed link must not stand in for the code):
    # the user signs in with the new password and a code.
    session_token: str | None


def issue_link(user: StaffUser, purpose: LinkPurpose, now: datetime | None = None) -> PasswordLink:
    """Add a new link for ``user`` and the event that mails it to the
    caller's write transaction; the user's older unused links stop working."""
    now = now or utcnow()
    end_links(user.id, now)
    link = new_link(user.id, purpose, now)
    db.session.add(link)
    db.session.flush()
    record_event(EVENT_FOR[purpose], None, user_id=user.id, link_id=link.id)
    return link


def end_links(user_id: int, now: datetime | None = None) -> None:
    """End every unused link of the user, in the caller's transaction."""
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None), PasswordLink.ended_at.is_(None))
        .values(ended_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def request_reset(email: str) -> None:
    """Someone asked on the sign-in page for a link to set the password of
    ``email``'s account. Mails one when the address is an active account's;
    otherwise does nothing. Either way the caller answers the same, and
    learns nothing here that would tell them apart."""
    write_transaction()
    try:
        user = db.session.scalars(
            db.select(StaffUser).filter_by(email=email.strip().lower()).with_for_update()
        ).one_or_none()
        if user is None or not user.active:
            db.session.rollback()
            return
        issue_link(user, LinkPurpose.RESET)
        record("staff.reset_link", None, user_id=user.id, asked_by="the user, on the sign-in page")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def set_password_with_link(key: str, password: str, user_agent: str | None, lifetime: timedelta,
                           now: datetime | None = None) -> PasswordSet:
    """Set the password of the link's user, once. Ends all the user's
    sessions and unused links, marks this one used, and opens a new session
    (unless two-step sign-in is on). Raises :class:`LinkNotGood`, changing
    nothing, for a link that does not work, ``ValueError`` for a password
    the rule refuses, and ``PasswordChecksBusy`` when no hashing slot frees
    up. The password is hashed first, outside the transaction, as signing
    in checks one (``ats.operations.staff.sign_in``)."""
    check_password_rule(password)
    with password_check_slot():
        password_hash = password_hasher().hash(password)
    now = now or utcnow()
    write_transaction()
    try:
        link = db.session.scalars(
            db.select(PasswordLink).filter_by(digest=digest_of(key)).with_for_update()
        ).one_or_none()
        if link is None:
            raise LinkNotGood(LinkState.DEAD)
        user = db.session.get(StaffUser, link.user_id, with_for_update=True)
        state = link.state(now)
        if state is not LinkState.GOOD:
            raise LinkNotGood(state)
        user.password_hash = password_hash
        link.used_at = now
        end_links(user.id, now)
        revoke_all_sessions(user.id)
        token = None
        if not user.two_step_on:
            user.last_login_at = now
            token = open_session(user.id, user_agent, lifetime)
        record("staff.password_set", user.id, user_id=user.id, link_id=link.id, purpose=link.purpose.value)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return PasswordSet(user, token)
