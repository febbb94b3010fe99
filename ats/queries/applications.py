"""An application as its candidate reaches it: by the key in their status link."""
from sqlalchemy import select

from ..extensions import db
from ..models import Application, tokens


def application_by_token(token: str) -> Application | None:
    return db.session.scalars(
        select(Application).filter_by(status_digest=tokens.digest(token), erased_at=None)
    ).first()
