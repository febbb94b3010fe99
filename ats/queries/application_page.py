"""What the application page shows, read in a fixed number of queries
whatever the length of the history or the number of notes: the application
with its role, the role's skills, the claimed skills and the history; then the
notes, the annotations, and the names of the staff they mention.

Voluntary self-identification is never read here. Under blind review
(``ats.queries.identity``), a hidden application is loaded without its
identity and resume columns, its profile is shown masked, and its evidence
comes from the profile alone.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload, undefer

from ..extensions import db
from ..infra import resumes
from ..models import (
    Application,
    ApplicationNote,
    Interview,
    Role,
    RoleSkill,
    SkillAnnotation,
    SkillLevel,
    StaffUser,
    Stage,
    StageChange,
    utcnow,
)
from ..models.stage_rules import allowed_moves
from . import identity, interviews
from .evidence import Evidence, Passage, evidence_for
from .scorecards import DECISION_STAGES, ApplicationEvidence, SnapshotView, load_evidence, snapshot_view

LEVELS = list(SkillLevel)
RESUME_TYPES = {resumes.PDF: "PDF", resumes.DOCX: "Word document"}
_WEB_ADDRESS = re.compile(r"^https?://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class HistoryRow:
    change: StageChange
    who: str

    @property
    def from_label(self) -> str:
        return self.change.from_stage.label if self.change.from_stage else "New application"

    @property
    def decision(self) -> SnapshotView | None:
        """The evidence a decision kept, as it stood then (``ats.queries.scorecards``)."""
        return snapshot_view(self.change.evidence)


@dataclass(frozen=True)
class NoteRow:
    note: ApplicationNote
    author: str


@dataclass
class SkillRow:
    skill: RoleSkill
    annotation: SkillAnnotation | None
    claimed: bool
    evidence: list[Passage]
    updated_by: str | None = None
    # What the form shows: the saved values, or what was sent when it came back with errors.
    chosen: str = SkillLevel.UNKNOWN.value
    note_text: str = ""
    level_error: str | None = None
    note_error: str | None = None

    @property
    def level(self) -> SkillLevel:
        return self.annotation.level if self.annotation else SkillLevel.UNKNOWN

    @property
    def slug(self) -> str:
        return self.skill.slug

    @property
    def first_radio_id(self) -> str:
        """The radio an error message links to: the chosen one, or the first."""
        chosen = self.chosen if self.chosen in {level.value for level in LEVELS} else LEVELS[0].value
        return f"skill-{self.slug}-{chosen}"


@dataclass(frozen=True)
class Move:
    stage: Stage
    needs_reason: bool

    @property
    def option_label(self) -> str:
        return f"{self.stage.label} (needs a reason)" if self.needs_reason else self.stage.label


@dataclass
class ApplicationPage:
    application: Application
    candidate: identity.Identity  # who applied, as the viewer may see it
    profile: str  # the profile as shown (masked under blind review)
    skills: list[SkillRow]
    history: list[HistoryRow]  # newest first
    notes: list[NoteRow]  # newest first
    moves: list[Move]
    evidence: Evidence
    interviews: list[Interview]  # by start time, cancelled ones included
    # Assessments of skills since retired from the role page: kept, read-only.
    retired: list[SkillAnnotation] = field(default_factory=list)
    levels: list[SkillLevel] = field(default_factory=lambda: LEVELS)
    # The interviewers' scorecards beside the recruiter's levels (``ats.queries.scorecards``).
    scorecards: ApplicationEvidence | None = None
    # An interview (not cancelled) has ended: a move to offer or rejected needs a decision summary.
    after_interview: bool = False

    @property
    def role(self) -> Role:
        return self.application.role

    @property
    def score(self) -> float | None:
        return self.application.skill_score(len(self.skills))

    @property
    def score_text(self) -> str:
        score = self.score
        return "Not scored yet" if score is None else f"{score:.1f}"

    @property
    def linkedin_href(self) -> str | None:
        """The LinkedIn address as a link only when it is a web address."""
        url = self.candidate.linkedin_url
        return url if _WEB_ADDRESS.match(url) else None

    @property
    def resume_type(self) -> str:
        return RESUME_TYPES.get(self.application.resume_content_type or "", "File")

    @property
    def resume_size(self) -> str:
        return file_size(self.application.resume_size or 0)

    @property
    def reason_stages(self) -> list[str]:
        return [move.stage.label for move in self.moves if move.needs_reason]

    @property
    def summary_stages(self) -> list[str]:
        """The moves offered now that need a decision summary (after an interview)."""
        return decision_labels(self.moves, self.after_interview)

    @property
    def skill_errors(self) -> list[tuple[str, str, str]]:
        """(field id, skill name, message) for every field of the skills form with an error."""
        errors = []
        for row in self.skills:
            if row.level_error:
                errors.append((row.first_radio_id, row.skill.name, row.level_error))
            if row.note_error:
                errors.append((f"note-{row.slug}", f"Note on {row.skill.name}", row.note_error))
        return errors


def decision_labels(moves: list[Move], after_interview: bool) -> list[str]:
    """The labels of ``moves`` that decide the application, when that needs a summary."""
    return [move.stage.label for move in moves if move.stage in DECISION_STAGES] if after_interview else []


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def actor_name(kind: str, actor_id: int | None, names: dict[int, str]) -> str:
    if kind == "candidate":
        return "Candidate"
    if kind == "system":
        return "System"
    return names.get(actor_id, "A former staff member")


def load_application(application_id: int, *, resume_text: bool = False, hidden: bool = False) -> Application | None:
    """The application with its role, the role's skills, the claimed skills and
    the history; with ``resume_text``, its stored resume text too (deferred
    otherwise); ``hidden`` (by blind review), without its identity and resume."""
    options = [
        joinedload(Application.role).selectinload(Role.skills),
        selectinload(Application.claimed_skills),
        selectinload(Application.history),
    ]
    if hidden:
        options.extend(identity.hidden_columns())
    elif resume_text:
        options.append(undefer(Application.resume_text))
    return db.session.scalars(
        select(Application).where(Application.id == application_id).options(*options)
    ).unique().one_or_none()


def staff_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all())


def load_page(application_id: int, blinded: bool = False) -> ApplicationPage | None:
    """The page for a viewer blind review applies to when ``blinded``."""
    candidate = identity.identity(application_id, blinded)
    if candidate is None:
        return None
    application = load_application(application_id, resume_text=True, hidden=candidate.hidden)
    if application is None:
        return None
    profile = application.profile or ""
    if candidate.hidden:
        profile = identity.masked_profile(application_id, profile)
    notes = db.session.scalars(
        select(ApplicationNote)
        .where(ApplicationNote.application_id == application_id)
        .order_by(ApplicationNote.created_at.desc(), ApplicationNote.id.desc())
    ).all()
    annotations = {
        annotation.skill_id: annotation
        for annotation in db.session.scalars(
            select(SkillAnnotation).where(SkillAnnotation.application_id == application_id)
        )
    }
    names = staff_names(
        [change.actor_id for change in application.history]
        + [note.author_id for note in notes]
        + [annotation.updated_by for annotation in annotations.values()]
    )

    skills = application.role.active_skills
    evidence = evidence_for(application, skills, profile=profile, with_resume=not candidate.hidden)
    claimed = {skill.id for skill in application.claimed_skills}
    rows = []
    for skill in skills:
        annotation = annotations.get(skill.id)
        rows.append(
            SkillRow(
                skill=skill,
                annotation=annotation,
                claimed=skill.id in claimed,
                evidence=evidence.for_skill(skill),
                updated_by=names.get(annotation.updated_by) if annotation and annotation.updated_by else None,
                chosen=(annotation.level if annotation else SkillLevel.UNKNOWN).value,
                note_text=annotation.note if annotation else "",
            )
        )
    history = [
        HistoryRow(change, actor_name(change.actor_kind, change.actor_id, names))
        for change in reversed(application.history)
    ]
    held = interviews.for_application(application_id)
    now = utcnow()
    return ApplicationPage(
        application=application,
        candidate=candidate,
        profile=profile,
        skills=rows,
        history=history,
        notes=[NoteRow(note, names.get(note.author_id, "A former staff member")) for note in notes],
        moves=[Move(stage, needs_reason) for stage, needs_reason in allowed_moves(application)],
        evidence=evidence,
        interviews=held,
        retired=[annotations[skill.id] for skill in application.role.skills
                 if skill.retired and skill.id in annotations],
        scorecards=load_evidence(application, skills, annotations, now, held),
        after_interview=any(not held_one.is_cancelled and held_one.ends_at <= now for held_one in held),
    )


def changes_since(application: Application, version: int) -> list[HistoryRow]:
    """The history entries made after the page showed ``version``, oldest first.

    Every change of an application is a stage move, and every move raises the
    version by one, so the entries since are the last (current − shown) ones.
    """
    count = max(0, application.version - version)
    entries = application.history[-count:] if count else []
    names = staff_names(change.actor_id for change in entries)
    return [HistoryRow(change, actor_name(change.actor_kind, change.actor_id, names)) for change in entries]
