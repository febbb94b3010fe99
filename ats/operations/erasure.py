"""Candidates' right to erasure (GDPR art. 17, CCPA, CMIA), and the
retention period after which everyone is erased (``ATS_RETENTION_MONTHS``).

Erasing a candidate (contract, "Data rights") deletes their identity,
contact details, profile text, notes about them, stored files and
self-identification, and revokes their status links. Their applications
stay as anonymous rows: stage, history times, role, skill-match levels,
source. So the funnel, time in stage, the fairness report and the CSV's row
count do not change. In detail, per application:

- the contact columns, profile, resume (file and text) and the link key go;
  the skills they claimed go (their words); recruiters' skill levels stay,
  their notes go; notes, interview offers and the reasons given on moves and
  cancellations go; a decision's summary goes, and the evidence it kept
  keeps only its numbers, levels and recommendations; interviews keep
  company and times, not the place, and those still to come are cancelled
  (without mail: there is no one to name); interviewers' scorecards keep
  their levels and recommendations, not their evidence notes and summaries
  (in every version), and their links stop working;
- the self-identification row is deleted after its answers are added to the
  anonymous :class:`~ats.models.FairnessTally`;
- audit entries keep action, actor and time; any value in their detail that
  could be free text is replaced (``KEPT_DETAIL`` lists what stays);
- mail not yet sent about them is dropped, and the texts of the messages
  they were sent are deleted.

An open application is first withdrawn, as the candidate who asks to be
forgotten has: an erased application is closed, and never moves again.
"""
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, delete, func, select, update

from ..extensions import db
from ..infra import resumes
from ..models import (
    Application,
    ApplicationNote,
    ApplicationSkillClaim,
    AuditEvent,
    Candidate,
    CandidateMessage,
    ErasureRequest,
    Event,
    FairnessTally,
    Interview,
    InterviewOffer,
    InterviewStatus,
    MessageStatus,
    OPEN_STAGES,
    ResumeTextStatus,
    Scorecard,
    ScorecardRating,
    ScorecardVersion,
    SelfIdentification,
    SkillAnnotation,
    Stage,
    StageChange,
    utcnow,
)
from ..models.audit import record
from ..queries.candidates import waiting_request
from ..queries.scorecards import erased_snapshot
from ..models.self_identification import DECLINE
from . import write_transaction
from .pipeline import CANDIDATE, move

log = logging.getLogger(__name__)

# Audit detail keys whose values are ids, stage names, slugs, times or
# counts: what an erased application's audit entries keep. Any other value
# (a reason, whatever a future action writes) is replaced by ERASED.
KEPT_DETAIL = frozenset({
    "from", "to", "interview_id", "offer_id", "note_id", "company", "starts_at", "ends_at", "timezone",
    "slots", "expires_at", "skills", "length", "sequence", "applications", "by", "job", "failure_id",
    "request_id", "scorecard_id", "version",
})
ERASED = "[erased]"


class NotErasable(Exception):
    """The candidate was erased already."""


@dataclass
class Erased:
    candidate_id: int
    application_ids: list[int]
    # Stored files deleted; a store that could not be reached leaves the
    # file to the worker's orphan sweep, and it is counted here as not.
    files_deleted: int = 0
    files_left: list[str] = field(default_factory=list)


def erase_candidate(candidate_id: int, actor_id: int | None, by: str) -> Erased:
    """Erase one candidate (see the module). One transaction; the stored
    files are deleted after it commits. ``by`` says how it was asked for
    ("admin", "command line", "retention") for the audit trail."""
    write_transaction()
    try:
        candidate = db.session.get(Candidate, candidate_id)
        if candidate is None:
            raise LookupError(candidate_id)
        if candidate.erased_at is not None:
            raise NotErasable(candidate_id)
        now = utcnow()
        applications = db.session.scalars(
            select(Application).where(Application.candidate_id == candidate_id).order_by(Application.id)
        ).all()
        for application in applications:
            if application.is_open:
                move(application, Stage.WITHDRAWN, "", CANDIDATE)
        db.session.flush()
        ids = [application.id for application in applications]
        files = [a.resume_storage_name for a in applications if a.resume_storage_name]
        _tally(ids)
        _erase_related(ids, now)
        for application in applications:
            _blank_application(application, now)
        _blank_candidate(candidate, now)
        record("candidate.erase", actor_id, None, applications=ids, by=by)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    erased = Erased(candidate_id, ids)
    for name in files:
        if resumes.delete(name):
            erased.files_deleted += 1
        else:
            erased.files_left.append(name)
    return erased


def _blank_candidate(candidate: Candidate, now: datetime) -> None:
    candidate.email = candidate.full_name = candidate.phone = candidate.location = candidate.linkedin_url = ""
    # Unique: a placeholder no address can equal (it has no "@"), so the
    # same person applying again later is a new candidate.
    candidate.email_key = f"erased-{candidate.id}"
    candidate.erased_at = now


def _blank_application(application: Application, now: datetime) -> None:
    application.full_name = application.email = application.phone = ""
    application.location = application.linkedin_url = application.profile = ""
    application.resume_storage_name = application.resume_original_name = None
    application.resume_content_type = application.resume_size = None
    application.resume_text = None
    application.resume_text_truncated = False
    application.resume_text_status = ResumeTextStatus.NONE.value
    # The status link: a digest no key has, so every link sent is dead; a
    # later change of the links' secret leaves erased rows alone (link_keys).
    application.status_digest = secrets.token_hex(32)
    application.erased_at = now


def _erase_related(ids: list[int], now: datetime) -> None:
    """The rows of other tables that said something of or by the person."""
    if not ids:
        return
    for model in (ApplicationNote, ApplicationSkillClaim, SelfIdentification, InterviewOffer):
        db.session.execute(delete(model).where(model.application_id.in_(ids)))
    db.session.execute(update(SkillAnnotation).where(SkillAnnotation.application_id.in_(ids)).values(note=""))
    db.session.execute(update(StageChange).where(StageChange.application_id.in_(ids)).values(reason=""))
    _blank_decisions(ids)
    db.session.execute(
        update(Interview).where(Interview.application_id.in_(ids)).values(location="", cancel_reason="")
    )
    # Interviews still to come are off: the interviewers' calendar feeds
    # show them cancelled (there is no one left to mail about).
    db.session.execute(
        update(Interview)
        .where(Interview.application_id.in_(ids), Interview.status == InterviewStatus.SCHEDULED,
               Interview.starts_at > now)
        .values(status=InterviewStatus.CANCELLED, sequence=Interview.sequence + 1)
    )
    _blank_scorecards(ids)
    # Mail not sent yet is dropped: marked done, so no job sends it.
    db.session.execute(
        update(Event).where(Event.application_id.in_(ids), Event.dispatched_at.is_(None))
        .values(dispatched_at=now, claimed_until=None)
    )
    # Messages to them: what waits is cancelled, and the texts sent go (the
    # rows stay, with template and dates: what was sent when, to no one named).
    db.session.execute(
        update(CandidateMessage).where(CandidateMessage.application_id.in_(ids),
                                       CandidateMessage.status == MessageStatus.SCHEDULED)
        .values(status=MessageStatus.CANCELLED, cancelled_at=now)
    )
    db.session.execute(
        update(CandidateMessage).where(CandidateMessage.application_id.in_(ids)).values(subject="", body_text="")
    )
    db.session.execute(
        update(ErasureRequest).where(ErasureRequest.application_id.in_(ids), ErasureRequest.handled_at.is_(None))
        .values(handled_at=now)
    )
    for entry in db.session.scalars(select(AuditEvent).where(AuditEvent.application_id.in_(ids))):
        kept = {key: value if key in KEPT_DETAIL or value in ("", None) else ERASED
                for key, value in (entry.detail or {}).items()}
        if kept != entry.detail:
            entry.detail = kept


def _blank_decisions(ids: list[int]) -> None:
    """Decisions' summaries go; the evidence they kept keeps no text (``erased_snapshot``)."""
    db.session.execute(
        update(StageChange)
        .where(StageChange.application_id.in_(ids), StageChange.decision_summary.is_not(None))
        .values(decision_summary="")
    )
    for change in db.session.scalars(
        select(StageChange).where(StageChange.application_id.in_(ids), StageChange.evidence.is_not(None))
    ):
        change.evidence = erased_snapshot(change.evidence)


def _blank_scorecards(ids: list[int]) -> None:
    """Interviewers' words about the person go; their levels stay, as the
    recruiters' do. Each link gets a digest no key has (``link_keys`` leaves
    it so)."""
    scorecards = db.session.scalars(
        select(Scorecard).join(Interview, Interview.id == Scorecard.interview_id)
        .where(Interview.application_id.in_(ids))
    ).all()
    if not scorecards:
        return
    scorecard_ids = [scorecard.id for scorecard in scorecards]
    for scorecard in scorecards:
        scorecard.summary = ""
        scorecard.digest = secrets.token_hex(32)
    db.session.execute(update(ScorecardRating).where(ScorecardRating.scorecard_id.in_(scorecard_ids)).values(note=""))
    for version in db.session.scalars(select(ScorecardVersion).where(ScorecardVersion.scorecard_id.in_(scorecard_ids))):
        version.summary = ""
        version.ratings = {slug: {**rating, "note": ""} for slug, rating in (version.ratings or {}).items()}


def _tally(ids: list[int]) -> None:
    """Add these applications' self-identification answers to the anonymous
    tallies. With none on file, or all declined, there is nothing to add:
    the report counts an application without answers as declined."""
    if not ids:
        return
    ident = SelfIdentification
    rows = db.session.execute(
        select(Application.role_id, Application.applied_at, Application.stage, Application.furthest_stage,
               ident.gender, ident.race_ethnicity, ident.veteran, ident.disability)
        .outerjoin(ident, ident.application_id == Application.id)
        .where(Application.id.in_(ids))
    ).all()
    for role_id, applied_at, stage, furthest, *answers in rows:
        if all(answer in (None, DECLINE) for answer in answers):
            continue  # the report counts an erased application as declined already
        day = datetime.combine(applied_at.astimezone(timezone.utc).date(), time(), tzinfo=timezone.utc)
        cell = dict(role_id=role_id, applied_at=day, stage=stage, furthest_stage=furthest,
                    **dict(zip(("gender", "race_ethnicity", "veteran", "disability"),
                               (answer or DECLINE for answer in answers))))
        tally = db.session.scalars(select(FairnessTally).filter_by(**cell).with_for_update()).one_or_none()
        if tally is None:
            tally = FairnessTally(**cell, applications=0)
            db.session.add(tally)
        tally.applications += 1
        db.session.flush()


# --- Retention -----------------------------------------------------------------

MAX_RETENTION_MONTHS = 120


def check_retention(app) -> None:
    """Refuse to start with an ``ATS_RETENTION_MONTHS`` that is not a whole
    number of months from 1 to 120; store it as a number."""
    given = app.config["ATS_RETENTION_MONTHS"]
    try:
        months = int(str(given).strip())
    except ValueError:
        months = 0
    if not 1 <= months <= MAX_RETENTION_MONTHS:
        raise RuntimeError(f"ATS_RETENTION_MONTHS={given!r} is not a number of months from 1 to {MAX_RETENTION_MONTHS}")
    app.config["ATS_RETENTION_MONTHS"] = months


def retention_cutoff(today: date, months: int) -> date:
    """The day ``months`` calendar months before ``today``: applications
    closed before it are past the retention period (the 31st of a month
    without one is its last day)."""
    return today - relativedelta(months=months)


@dataclass(frozen=True)
class DueForErasure:
    candidate_id: int
    email: str
    last_closed_at: datetime


def due_for_erasure(closed_before: date) -> list[DueForErasure]:
    """Candidates not erased yet whose applications are all closed, the last
    of them before ``closed_before`` (a closed application's stage was
    entered when it closed). Oldest first."""
    cutoff = datetime.combine(closed_before, time(), tzinfo=timezone.utc)
    still_open = func.sum(case((Application.stage.in_(OPEN_STAGES), 1), else_=0))
    last_closed = func.max(Application.stage_entered_at)
    query = (
        select(Candidate.id, Candidate.email, last_closed)
        .join(Application, Application.candidate_id == Candidate.id)
        .where(Candidate.erased_at.is_(None))
        .group_by(Candidate.id, Candidate.email)
        .having(still_open == 0, last_closed < cutoff)
        .order_by(last_closed, Candidate.id)
    )
    rows = db.session.execute(query).all()
    db.session.commit()
    return [DueForErasure(*row) for row in rows]


@dataclass
class Purged:
    erased: list[Erased] = field(default_factory=list)
    skipped: int = 0  # erased or changed by someone else meanwhile


def purge(closed_before: date, actor_id: int | None = None, by: str = "retention") -> Purged:
    """Erase every candidate ``due_for_erasure`` finds, one transaction each,
    so a failure leaves those before it erased and the rest for next time.
    A candidate who applied again meanwhile is checked again and kept."""
    purged = Purged()
    for due in due_for_erasure(closed_before):
        if not _still_due(due.candidate_id, closed_before):
            purged.skipped += 1
            continue
        try:
            purged.erased.append(erase_candidate(due.candidate_id, actor_id, by))
        except (LookupError, NotErasable):
            purged.skipped += 1
    if purged.erased:
        log.info("purge: %d candidates whose applications closed before %s erased",
                 len(purged.erased), closed_before.isoformat())
    return purged


def _still_due(candidate_id: int, closed_before: date) -> bool:
    cutoff = datetime.combine(closed_before, time(), tzinfo=timezone.utc)
    open_or_recent = db.session.scalar(
        select(func.count()).select_from(Application).where(
            Application.candidate_id == candidate_id,
            Application.stage.in_(OPEN_STAGES) | (Application.stage_entered_at >= cutoff),
        )
    )
    db.session.commit()
    return open_or_recent == 0


# --- Requests ------------------------------------------------------------------


def request_erasure(application_id: int) -> ErasureRequest:
    """Record the candidate's request (from this application's status page).
    A second request while one is waiting is the same request. One transaction."""
    write_transaction()
    try:
        application = db.session.get(Application, application_id)
        if application is None or application.erased:
            raise LookupError(application_id)
        waiting = waiting_request(application.candidate_id)
        if waiting is None:
            waiting = ErasureRequest(application_id=application_id)
            db.session.add(waiting)
            db.session.flush()
            record("erasure.request", None, application_id, request_id=waiting.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return waiting
