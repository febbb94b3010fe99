"""What the JSON API answers with, as plain data: roles, applications (the
contract's application shape) and their history.

Times are written as the pipeline CSV writes them (ISO 8601 in UTC with
``Z``, whole seconds); ``skill_match_score`` is the CSV's score
(``ats.models.assessment.skill_match_score``) as a number. Who the candidate
is comes from ``ats.queries.identity``: ``null`` under blind review for a
recruiter, and ``null`` once the candidate is erased.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Access, Application, Role, RoleSkill, RoleStatus, Stage, StageChange
from ..models.assessment import skill_match_score
from ..models.types import LARGEST_ID
from .identity import identities, is_blinded

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
NO_CANDIDATE = {"name": None, "email": None, "phone": None, "location": None}


class QueryError(ValueError):
    """A query value the API cannot use (answered 400); the message says which and why."""


def iso(moment: datetime) -> str:
    """A time as the CSV writes it: ``2026-03-01T09:30:00Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def roles() -> list[dict]:
    """Every open or closed role (drafts are for admins only), by slug, with its active skills."""
    rows = db.session.execute(
        select(Role.id, Role.slug, Role.title, Role.status)
        .where(Role.status != RoleStatus.DRAFT)
        .order_by(Role.slug)
    ).all()
    skills: dict[int, list[dict]] = {}
    for role_id, slug, name in db.session.execute(
        select(RoleSkill.role_id, RoleSkill.slug, RoleSkill.name)
        .where(RoleSkill.retired.is_(False), RoleSkill.role_id.in_([row.id for row in rows]))
        .order_by(RoleSkill.role_id, RoleSkill.position, RoleSkill.id)
    ):
        skills.setdefault(role_id, []).append({"slug": slug, "name": name})
    return [
        {"slug": row.slug, "title": row.title, "status": row.status.value, "skills": skills.get(row.id, [])}
        for row in rows
    ]


# --- Cursors ----------------------------------------------------------------------


# A cursor is "c" and the last id of the page before, in hexadecimal. Clients
# treat it as opaque (they pass ``next_cursor`` back); every string of this
# form is a valid cursor, one past any row giving an empty page.
CURSOR_PATTERN = r"^c[0-9a-f]{1,16}$"


def encode_cursor(last_id: int) -> str:
    """The cursor of the page after the one that ended with ``last_id``."""
    return f"c{last_id:x}"


def decode_cursor(cursor: str) -> int:
    """The id after which the page starts (at most ``LARGEST_ID``: no row is past it)."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise QueryError("cursor: not a cursor this API gave out")
    return min(int(cursor[1:], 16), LARGEST_ID)


# --- Applications -----------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    data: list[dict]
    next_cursor: str | None


def _columns():
    return (
        Application.id, Role.slug, Application.stage, Application.version, Application.applied_at,
        Application.updated_at, Application.stage_entered_at, Application.source, Application.skills_strong,
        Application.skills_partial, Application.skills_assessed, Application.role_id, Application.erased_at,
    )


def _skill_totals(role_ids) -> dict[int, int]:
    return dict(db.session.execute(
        select(RoleSkill.role_id, func.count())
        .where(RoleSkill.retired.is_(False), RoleSkill.role_id.in_(set(role_ids)))
        .group_by(RoleSkill.role_id)
    ).all())


def _shape(rows, access: Access) -> list[dict]:
    """The contract's application for each row, in the rows' order."""
    totals = _skill_totals(row.role_id for row in rows)
    shown = identities([row.id for row in rows if row.erased_at is None], is_blinded(access))
    out = []
    for row in rows:
        person = shown.get(row.id)
        if person is None or person.hidden:
            candidate = dict(NO_CANDIDATE)
        else:
            candidate = {"name": person.name, "email": person.email, "phone": person.phone,
                         "location": person.location}
        out.append({
            "id": row.id,
            "role": row.slug,
            "stage": row.stage.value,
            "version": row.version,
            "applied_at": iso(row.applied_at),
            "updated_at": iso(row.updated_at),
            "stage_entered_at": iso(row.stage_entered_at),
            "source": row.source,
            "skill_match_score": skill_match_score(
                row.skills_strong, row.skills_partial, row.skills_assessed, totals.get(row.role_id, 0)
            ),
            "candidate": candidate,
        })
    return out


def applications(access: Access, *, role: str | None = None, stage: Stage | None = None,
                 updated_since: datetime | None = None, limit: int = DEFAULT_LIMIT,
                 cursor: str | None = None) -> Page:
    """One page of applications, ordered by id, after ``cursor``; ``role`` is a
    role's slug (a draft's or an unknown one: ``QueryError``)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit: from 1 to {MAX_LIMIT}")
    query = select(*_columns()).join(Role, Role.id == Application.role_id)
    if role is not None:
        role_id = db.session.scalar(select(Role.id).where(Role.slug == role, Role.status != RoleStatus.DRAFT))
        if role_id is None:
            raise QueryError(f"role: there is no role {role!r}")
        query = query.where(Application.role_id == role_id)
    if stage is not None:
        query = query.where(Application.stage == stage)
    if updated_since is not None:
        query = query.where(Application.updated_at >= updated_since)
    if cursor is not None:
        query = query.where(Application.id > decode_cursor(cursor))
    rows = db.session.execute(query.order_by(Application.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(_shape(rows, access), encode_cursor(rows[-1].id) if more else None)


def application_shape(application_id: int, access: Access) -> dict | None:
    """One application in the contract's shape (as listed, and as webhooks send
    it); None when there is none."""
    if not 0 < application_id <= LARGEST_ID:
        return None
    row = db.session.execute(
        select(*_columns()).join(Role, Role.id == Application.role_id).where(Application.id == application_id)
    ).one_or_none()
    return None if row is None else _shape([row], access)[0]


def application(application_id: int, access: Access) -> dict | None:
    """One application with its history (oldest first); None when there is none."""
    shaped = application_shape(application_id, access)
    if shaped is None:
        return None
    history = db.session.execute(
        select(StageChange.from_stage, StageChange.to_stage, StageChange.created_at, StageChange.reason)
        .where(StageChange.application_id == application_id)
        .order_by(StageChange.created_at, StageChange.id)
    )
    shaped["history"] = [
        {"from": from_stage.value if from_stage else None, "to": to_stage.value, "at": iso(at), "reason": reason}
        for from_stage, to_stage, at, reason in history
    ]
    return shaped
