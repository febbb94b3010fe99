"""Staff sessions: opening one at sign-in, resuming it on each request,
ending one at sign-out and all of a user's when their password changes or the
account is deactivated.

The token is handed to the caller, which keeps it in the signed cookie; only
its SHA-256 is stored (``ats.models.sessions``).
"""
from datetime import datetime, timedelta

from ..extensions import db
from ..models import StaffUser, utcnow
from ..models.sessions import StaffSession, new_session_token, session_id_for
from . import write_transaction

# last_seen_at moves on at most this often: a write on every request would
# make every staff page a writer, and SQLite has one writer at a time. The
# idle limit is therefore exact to within this.
TOUCH_EVERY = timedelta(minutes=1)

USER_AGENT_LENGTH = 200


def open_session(user_id: int, user_agent: str | None, lifetime: timedelta) -> str:
    """Add a new session for the user to the current write transaction and
    return its token; the caller commits. Rows of the user's that are past
    ``lifetime`` (revoked or not) are deleted on the way: they can never be
    good again."""
    now = utcnow()
    db.session.execute(
        db.delete(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.created_at <= now - lifetime)
        .execution_options(synchronize_session=False)
    )
    token = new_session_token()
    db.session.add(
        StaffSession(
            id=session_id_for(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
        )
    )
    return token


def resume_session(token: str | None, user_id: int, idle: timedelta, lifetime: timedelta) -> StaffUser | None:
    """The active user whose session ``token`` is, if that session is still
    good (not revoked, not idle for ``idle``, younger than ``lifetime``) and
    belongs to ``user_id``; else None. Notes the request's time on the
    session when the last note is older than :data:`TOUCH_EVERY`."""
    if not token:
        return None
    now = utcnow()
    # One query for both: every staff page pays for it.
    row = db.session.execute(
        db.select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.id == session_id_for(token))
    ).one_or_none()
    if row is None:
        return None
    found, user = row
    if user.id != user_id or not user.active or found.ended(now, idle, lifetime):
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        _touch(found.id, now)
    return user


def _touch(session_id: str, now: datetime) -> None:
    write_transaction()
    db.session.execute(
        db.update(StaffSession)
        .where(StaffSession.id == session_id, StaffSession.revoked_at.is_(None))
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def end_session(token: str | None) -> None:
    """End the session ``token`` opens (signing out). Unknown or ended: nothing to do."""
    if not token:
        return
    write_transaction()
    db.session.execute(
        db.update(StaffSession)
        .where(StaffSession.id == session_id_for(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def revoke_all_sessions(user_id: int, keep_token: str | None = None) -> None:
    """End every open session of the user, in the caller's write transaction
    (a new password, deactivation), but the one ``keep_token`` opens if given
    (turning on two-step sign-in ends the others); the caller commits."""
    statement = db.update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
    if keep_token:
        statement = statement.where(StaffSession.id != session_id_for(keep_token))
    db.session.execute(
        statement.values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
