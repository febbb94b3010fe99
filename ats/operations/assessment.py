"""What recruiters record about an application: skill-match annotations and
notes, each with its audit event, and the audit of resume downloads.

The skill match's first save also reveals who the candidate is under blind
review (``applications.identity_revealed_at``, set once, whatever the role's
switch, so that turning blind review on later hides only applications nobody
has assessed yet); when the role's blind review is on, that reveal is audited
as ``application.identity_revealed``.

The skill counts on ``applications`` (strong, partial, assessed) are kept in
step here with a plain UPDATE of those columns: it does not raise the
application's version, so annotating never makes someone's stage form stale.
"""
from dataclasses import dataclass

from sqlalchemy import case, func, select, update

from ..extensions import db
from ..models import Application, ApplicationNote, Role, RoleSkill, SkillAnnotation, SkillLevel, utcnow
from ..models.audit import record
from . import write_transaction

MAX_ANNOTATION_NOTE = 2_000
MAX_NOTE_BODY = 10_000


@dataclass(frozen=True)
class SkillInput:
    """A recruiter's judgement of one skill. ``None`` leaves that part as it was."""

    level: SkillLevel | None = None
    note: str | None = None


class Erased(Exception):
    """The application's candidate was erased: nothing more is written about them."""



def annotate_skills(application_id: int, staff_id: int, inputs: dict[str, SkillInput]) -> dict[str, dict]:
    """Save the annotations of the application's active skills named in
    ``inputs`` (by skill slug; other slugs are ignored), recount the
    application's strong, partial and assessed skills, and record one
    ``skills.annotate`` audit event with what changed. One transaction.

    Returns the changes: ``{slug: {"before": level, "after": level, ...}}``
    (empty when nothing changed, and then nothing is written).
    """
    write_transaction()
    # Locks the application's row on PostgreSQL, so that two recruiters
    # annotating at once take turns and the counts stay true; SQLite's write
    # lock already does that.
    found = db.session.execute(
        select(Application.role_id, Application.identity_revealed_at, Application.erased_at)
        .where(Application.id == application_id)
        .with_for_update()
    ).one_or_none()
    if found is None:
        db.session.rollback()
        raise LookupError(application_id)
    role_id, revealed_at, erased_at = found
    if erased_at is not None:
        db.session.rollback()
        raise Erased(application_id)

    skills = db.session.scalars(
        select(RoleSkill).where(RoleSkill.role_id == role_id, RoleSkill.retired.is_(False))
    ).all()
    existing = {
        annotation.skill_id: annotation
        for annotation in db.session.scalars(
            select(SkillAnnotation).where(SkillAnnotation.application_id == application_id)
        )
    }
    now = utcnow()
    changes: dict[str, dict] = {}
    for skill in skills:
        given = inputs.get(skill.slug)
        if given is None:
            continue
        annotation = existing.get(skill.id)
        before_level = annotation.level if annotation else SkillLevel.UNKNOWN
        before_note = annotation.note if annotation else ""
        after_level = given.level if given.level is not None else before_level
        after_note = given.note if given.note is not None else before_note
        if (after_level, after_note) == (before_level, before_note):
            continue
        if annotation is None:
            annotation = SkillAnnotation(application_id=application_id, skill_id=skill.id)
            db.session.add(annotation)
        annotation.level = after_level
        annotation.note = after_note
        annotation.updated_by = staff_id
        annotation.updated_at = now
        change = {"before": before_level.value, "after": after_level.value}
        if after_note != before_note:
            change["note_changed"] = True
        changes[skill.slug] = change

    if not changes:
        db.session.rollback()
        return changes
    db.session.flush()
    _recount(application_id, role_id, reveal=revealed_at is None and now)
    record("skills.annotate", staff_id, application_id, skills=changes)
    if revealed_at is None and db.session.get(Role, role_id).blind_review:
        # Blind review hid who the candidate is until now (``ats.queries.identity``).
        record("application.identity_revealed", staff_id, application_id)
    db.session.commit()
    return changes


def _recount(application_id: int, role_id: int, reveal=None) -> None:
    """Set the application's skill counts from its annotations of the role's
    active skills, in one UPDATE that leaves the version alone; with
    ``reveal`` (a time), the skill match's first save, which ends blind
    review for this application."""
    level = SkillAnnotation.level
    counts = (
        select(
            func.coalesce(func.sum(case((level == SkillLevel.STRONG, 1), else_=0)), 0),
            func.coalesce(func.sum(case((level == SkillLevel.PARTIAL, 1), else_=0)), 0),
            func.coalesce(func.sum(case((level != SkillLevel.UNKNOWN, 1), else_=0)), 0),
        )
        .join(RoleSkill, RoleSkill.id == SkillAnnotation.skill_id)
        .where(
            SkillAnnotation.application_id == application_id,
            RoleSkill.role_id == role_id,
            RoleSkill.retired.is_(False),
        )
    )
    strong, partial, assessed = db.session.execute(counts).one()
    # The table, not the mapped class: a Core UPDATE that the ORM's version
    # counter (version_id_col) knows nothing of.
    table = Application.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == application_id)
        .values(skills_strong=strong, skills_partial=partial, skills_assessed=assessed,
                **({"identity_revealed_at": reveal} if reveal else {}))
    )


def add_note(application_id: int, staff_id: int, body: str) -> ApplicationNote:
    """Add a recruiter's note and its ``note.add`` audit event. One transaction."""
    body = body.strip()
    if not body or len(body) > MAX_NOTE_BODY:
        raise ValueError("a note is 1 to 10,000 characters of text")
    write_transaction()
    application = db.session.get(Application, application_id)
    if application is None:
        db.session.rollback()
        raise LookupError(application_id)
    if application.erased:
        db.session.rollback()
        raise Erased(application_id)
    note = ApplicationNote(application_id=application_id, author_id=staff_id, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    record("note.add", staff_id, application_id, note_id=note.id, length=len(body))
    db.session.commit()
    return note


