"""After the links' secret changes (ATS_LINK_KEY, or SECRET_KEY when that is
unset), each stored digest must follow: ``rekey_links`` recomputes them from
the salts, so the links the service sends from then on work, and every link
sent before stops working. Nothing else is changed.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from ..extensions import db
from ..models import Application, Interview, InterviewOffer, Scorecard, StaffUser, tokens
from . import write_transaction

BATCH = 5_000


@dataclass
class Rekeyed:
    status_links: int = 0
    offer_links: int = 0
    calendar_feeds: int = 0
    scorecard_links: int = 0


def rekey_links() -> Rekeyed:
    """Every key's digest from its salt and the current secret. One transaction."""
    write_transaction()
    try:
        counts = Rekeyed(
            status_links=_rekey(Application, Application.status_salt, Application.status_digest, tokens.STATUS),
            offer_links=_rekey(InterviewOffer, InterviewOffer.salt, InterviewOffer.digest, tokens.OFFER),
            calendar_feeds=_rekey(StaffUser, StaffUser.calendar_salt, StaffUser.calendar_digest, tokens.CALENDAR),
            scorecard_links=_rekey(Scorecard, Scorecard.salt, Scorecard.digest, tokens.SCORECARD),
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return counts


def _rekey(model, salt_column, digest_column, purpose: str) -> int:
    query = select(model.id, salt_column).where(salt_column.is_not(None))
    if model is Application:
        # An erased candidate's links stay dead (``ats.operations.erasure``).
        query = query.where(Application.erased_at.is_(None))
    if model is Scorecard:
        # Nor do an erased candidate's interviewers' links.
        query = query.where(Scorecard.interview_id.in_(
            select(Interview.id).join(Application, Application.id == Interview.application_id)
            .where(Application.erased_at.is_(None))
        ))
    rows = db.session.execute(query).all()
    # The table, not the mapped class: a new link is no change a stage form
    # should go stale for, so an application's version is left alone.
    table = model.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({digest_column.expression.name: bindparam("digest")})
    )
    for start in range(0, len(rows), BATCH):
        db.session.execute(statement, [
            {"row_id": row_id, "digest": tokens.digest(tokens.key_for(purpose, salt))}
            for row_id, salt in rows[start:start + BATCH]
        ])
    return len(rows)
