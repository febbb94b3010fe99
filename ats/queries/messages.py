"""Reading messages to candidates: the templates as they stand (an admin's
wording, or the default), the messages a candidate was sent, and the
messages waiting to be sent."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Application, utcnow
from ..models.messages import TEMPLATES, CandidateMessage, MessageStatus, MessageTemplate


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    when: str
    subject: str
    body_text: str
    body_html: str | None
    # None while the default is in use.
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def is_default(self) -> bool:
        return self.updated_at is None


def _template(key: str, row: MessageTemplate | None) -> Template:
    default = TEMPLATES[key]
    if row is None:
        return Template(key, default.name, default.when, default.subject, default.body_text, default.body_html)
    return Template(key, default.name, default.when, row.subject, row.body_text, row.body_html, row.updated_at,
                    row.updated_by.name if row.updated_by else None)


def current_template(key: str) -> Template | None:
    """The template ``key`` as it stands; None for a key that names none."""
    if key not in TEMPLATES:
        return None
    return _template(key, db.session.get(MessageTemplate, key))


def all_templates() -> list[Template]:
    rows = {row.key: row for row in db.session.scalars(select(MessageTemplate))}
    return [_template(key, rows.get(key)) for key in TEMPLATES]


def preview_application(application_id: int | None) -> Application | None:
    """The application a preview is filled in with: the one asked for, or the latest."""
    if application_id is not None:
        return db.session.get(Application, application_id)
    return db.session.scalars(select(Application).order_by(Application.id.desc()).limit(1)).first()


def sent_to(application_id: int) -> list[CandidateMessage]:
    """What the candidate was sent about this application, newest first."""
    return db.session.scalars(
        select(CandidateMessage)
        .where(CandidateMessage.application_id == application_id, CandidateMessage.status == MessageStatus.SENT)
        .order_by(CandidateMessage.sent_at.desc(), CandidateMessage.id.desc())
    ).all()


def waiting_for(application_id: int) -> list[CandidateMessage]:
    """Messages about this application still to be sent, soonest first (for staff)."""
    return db.session.scalars(
        select(CandidateMessage)
        .where(CandidateMessage.application_id == application_id, CandidateMessage.status == MessageStatus.SCHEDULED)
        .order_by(CandidateMessage.send_after, CandidateMessage.id)
    ).all()


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Messages whose time has come and that no job is sending: the sweep's list."""
    now = now or utcnow()
    return db.session.scalars(
        select(CandidateMessage.id)
        .where(
            CandidateMessage.status == MessageStatus.SCHEDULED,
            CandidateMessage.send_after <= now,
            or_(CandidateMessage.claimed_until.is_(None), CandidateMessage.claimed_until < now),
        )
        .order_by(CandidateMessage.send_after, CandidateMessage.id)
        .limit(limit)
    ).all()
