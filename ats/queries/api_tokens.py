"""A staff member's API tokens, as their own page lists them."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken


@dataclass(frozen=True)
class TokenRow:
    id: int
    label: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


def tokens_of(user_id: int) -> list[TokenRow]:
    """The tokens of ``user_id`` still working, newest first (revoked ones are not listed)."""
    rows = db.session.execute(
        select(ApiToken.id, ApiToken.label, ApiToken.prefix, ApiToken.created_at, ApiToken.last_used_at)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    )
    return [TokenRow(*row) for row in rows]
