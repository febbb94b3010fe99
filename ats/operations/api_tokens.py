"""API tokens: making one, revoking one, and finding whose a presented token is.

A token is shown once, by what made it (``flask ats create-api-token``, the
owner's own page); the database keeps its SHA-256 (``ats.models.api_tokens``).
"""
from dataclasses import dataclass

from sqlalchemy import select, update

from ..extensions import db
from ..models import ApiToken, StaffUser, utcnow
from ..models.api_tokens import MAX_LABEL, PREFIX_LENGTH, TOKEN_START, new_token, token_digest
from ..models.audit import record
from . import write_transaction


class TokenError(Exception):
    """A token that cannot be made or revoked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    id: int
    label: str
    token: str  # shown once, never again


@dataclass(frozen=True)
class Bearer:
    """Who a valid token acts for."""

    token_id: int
    user: StaffUser


def create_token(user_id: int, label: str, actor_id: int | None) -> NewToken:
    """Make a token for the active staff member ``user_id``; ``actor_id`` is
    who asked (None: the command line). One transaction, audited ``api_token.create``."""
    label = " ".join(label.split())
    if not label:
        raise TokenError("Give the token a name, to tell it apart later.")
    if len(label) > MAX_LABEL:
        raise TokenError(f"The name is too long: {MAX_LABEL} characters at most.")
    write_transaction()
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active:
        db.session.rollback()
        raise TokenError("That account is deactivated: it cannot have API tokens.")
    token = new_token()
    row = ApiToken(user_id=user.id, label=label, prefix=token[:PREFIX_LENGTH], digest=token_digest(token))
    db.session.add(row)
    db.session.flush()
    record("api_token.create", actor_id, None, user_id=user.id, token_id=row.id, label=label, prefix=row.prefix)
    db.session.commit()
    return NewToken(row.id, label, token)


def revoke_token(user_id: int, token_id: int) -> bool:
    """Revoke ``user_id``'s token ``token_id`` (by its owner); False when
    they have no such token still working. Audited ``api_token.revoke``."""
    write_transaction()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        db.session.rollback()
        return False
    row.revoked_at = utcnow()
    record("api_token.revoke", user_id, None, user_id=user_id, token_id=row.id, label=row.label, prefix=row.prefix)
    db.session.commit()
    return True


def authenticate(token: str) -> Bearer | None:
    """Whose ``token`` is, when it opens the API: known, not revoked, its
    owner active. Marks it used (at most once a minute, ``LAST_USED_GRANULARITY``)."""
    if not token.startswith(TOKEN_START) or len(token) > 200:
        return None
    row = db.session.scalars(select(ApiToken).where(ApiToken.digest == token_digest(token))).one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if not row.used_recently(now):
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return Bearer(row.id, row.user)
