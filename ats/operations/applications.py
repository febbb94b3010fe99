"""A candidate applies, follows their application, and may withdraw it."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..events import record_event
from ..extensions import db
from ..infra import resumes
from ..models import (
    OPEN_STAGES,
    Application,
    Candidate,
    EventType,
    ResumeTextStatus,
    Role,
    RoleStatus,
    SelfIdentification,
    Stage,
    StageChange,
    utcnow,
)
from ..models.applications import DEFAULT_SOURCE, valid_source
from . import end_transaction, write_transaction
from .messages import WITHDRAWAL, MessageChoice
from .pipeline import CANDIDATE, move

# Bump when the privacy notice changes; each consent records the version it was given to.
PRIVACY_NOTICE_VERSION = "2026-11-27"


class RoleClosed(Exception):
    """The role is not open (closed, or a draft): it takes no applications; nothing was stored."""


class DuplicateApplication(Exception):
    """The address already has an open application for the role; nothing new was stored."""

    def __init__(self, application: Application):
        super().__init__(f"open application {application.id} exists")
        self.application = application


@dataclass(frozen=True)
class ApplicantDetails:
    full_name: str
    email: str
    phone: str
    location: str
    linkedin_url: str
    profile: str
    skill_slugs: tuple[str, ...] = ()
    self_identification: dict[str, str] = field(default_factory=dict)
    # Where the candidate came from; anything but a valid source counts as the role page.
    source: str = DEFAULT_SOURCE


def open_application(email_key: str, role_id: int) -> Application | None:
    return db.session.scalars(
        select(Application)
        .join(Candidate)
        .where(
            Candidate.email_key == email_key,
            Application.role_id == role_id,
            Application.stage.in_(OPEN_STAGES),
        )
    ).first()


def submit_application(role_id: int, details: ApplicantDetails, resume: resumes.Resume | None) -> Application:
    """Store a new application, its candidate, history entry, claimed skills,
    self-identification and resume, all or nothing.

    The resume is stored first, outside any transaction, and removed again
    if the transaction does not commit. Its text is 'pending': a background
    job reads it after the commit (``ats.jobs``, ``read_resume``).

    Raises RoleClosed when the role is not open (checked in the writing
    transaction, so a role closed meanwhile takes nothing), and
    DuplicateApplication when the same address (compared without
    case) already has an open application for this role; the existing
    application's status link is then mailed again (to that address only).
    """
    email_key = details.email.lower()
    if resume and open_application(email_key, role_id) is not None:
        # Nothing new will be stored: no file written.
        write_transaction()
        existing = open_application(email_key, role_id)
        if existing is not None:
            _resubmitted(existing)
    storage_name = None
    try:
        if resume:
            end_transaction()
            storage_name = resumes.store(resume)
            text = ResumeTextStatus.PENDING
        else:
            text = ResumeTextStatus.NONE
        # A concurrent first application from the same address can win the
        # race to create the candidate; the second attempt then finds it.
        for attempt in (1, 2):
            write_transaction()
            existing = open_application(email_key, role_id)
            if existing is not None:
                _resubmitted(existing)
            try:
                application = _insert(role_id, email_key, details, resume, storage_name, text)
                db.session.commit()
                return application
            except IntegrityError:
                db.session.rollback()
                if attempt == 2:
                    raise
    except BaseException:
        db.session.rollback()
        resumes.discard(storage_name)
        raise
    raise AssertionError("unreachable")


def _resubmitted(existing: Application) -> None:
    """Record that the address applied again, and refuse the new application."""
    record_event(EventType.APPLICATION_RESUBMITTED, existing)
    db.session.commit()
    raise DuplicateApplication(existing)


def _insert(role_id, email_key, details, resume, storage_name, text: ResumeTextStatus) -> Application:
    role = db.session.get(Role, role_id)
    if role is None or role.status != RoleStatus.OPEN:
        raise RoleClosed(role_id)
    now = utcnow()
    candidate = db.session.scalars(select(Candidate).filter_by(email_key=email_key)).first()
    contact = {
        "full_name": details.full_name,
        "email": details.email,
        "phone": details.phone,
        "location": details.location,
        "linkedin_url": details.linkedin_url,
    }
    if candidate is None:
        candidate = Candidate(email_key=email_key, **contact)
        db.session.add(candidate)
    else:
        # The person's latest details; each application keeps its own copy.
        for name, value in contact.items():
            setattr(candidate, name, value)
    claimed = set(details.skill_slugs)
    application = Application(
        role=role,
        candidate=candidate,
        stage=Stage.APPLIED,
        applied_at=now,
        stage_entered_at=now,
        profile=details.profile,
        consent_at=now,
        consent_version=PRIVACY_NOTICE_VERSION,
        claimed_skills=[skill for skill in role.active_skills if skill.slug in claimed],
        resume_storage_name=storage_name,
        resume_original_name=resume.original_name if resume else None,
        resume_content_type=resume.content_type if resume else None,
        resume_size=resume.size if resume else None,
        resume_text_status=text.value,
        source=valid_source(details.source) or DEFAULT_SOURCE,
        **contact,
    )
    application.history.append(
        StageChange(from_stage=None, to_stage=Stage.APPLIED, actor_kind=CANDIDATE.kind, created_at=now)
    )
    db.session.add(application)
    # With a resume, a job reads its text once the application is committed.
    record_event(EventType.APPLICATION_CREATED, application, resume=storage_name is not None)
    db.session.flush()
    # Kept in its own table, reachable from no application page.
    db.session.add(SelfIdentification(application_id=application.id, **details.self_identification))
    db.session.flush()
    return application


def withdraw(application_id: int) -> Application:
    """The candidate withdraws their own open application, and is sent the
    confirmation. One transaction."""
    write_transaction()
    application = db.session.get(Application, application_id)
    try:
        move(application, Stage.WITHDRAWN, "", CANDIDATE, message=MessageChoice(WITHDRAWAL))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return application

