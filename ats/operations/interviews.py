"""Scheduling, rescheduling and cancelling interviews with the companies a role page lists.

Times arrive as wall-clock time in an IANA zone and are stored in UTC with
the zone kept. A wall-clock time that does not exist in the zone (inside a
daylight-saving gap) is refused. One that happens twice (when clocks go back)
is resolved by a fixed rule: the first occurrence, still on summer time
(``fold=0``); the page shows the offset, so nobody has to guess.

An interview may not overlap another scheduled interview of the same
candidate or of any of its interviewers. Checking and booking happen under a
lock (PostgreSQL advisory locks on the candidate and each interviewer;
SQLite's single writer), so two recruiters cannot both book the same hour.
Offering times for the candidate to choose from is in ``offers``.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from ..events import record_event
from ..extensions import db
from ..infra.calendar import interview_ics
from ..models import (
    Application,
    Company,
    EventType,
    Interview,
    InterviewInterviewer,
    InterviewKind,
    InterviewStatus,
    RoleCompany,
    Stage,
    utcnow,
)
from ..models.audit import record
from ..queries.interviews import clashes
from ..timezones import ZoneInfo, ZoneInfoNotFoundError
from . import write_transaction
from .pipeline import Actor, move

MIN_DURATION, MAX_DURATION = 10, 8 * 60

class InterviewError(ValueError):
    """A request that cannot be scheduled as asked; the message says why (422)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InterviewClash(Exception):
    """The time overlaps other scheduled interviews (409); nothing was changed."""

    def __init__(self, clashes: list[Interview]):
        super().__init__(f"clashes with interview(s) {[c.id for c in clashes]}")
        self.clashes = clashes


@dataclass(frozen=True)
class Slot:
    """A resolved time: the UTC start and end, and how the wall-clock time was read."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    ambiguous: bool = False


def resolve(local: datetime, zone_name: str, duration_minutes: int) -> Slot:
    """Read a naive wall-clock ``local`` in ``zone_name``; refuse times that do not exist."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InterviewError(f"{zone_name!r} is not a time zone we know (use an IANA name such as Europe/Berlin).", "timezone") from None
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise InterviewError(f"The duration must be between {MIN_DURATION} and {MAX_DURATION} minutes.", "duration_minutes")
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    starts_at = first.astimezone(timezone.utc)
    if starts_at.astimezone(zone).replace(tzinfo=None) != local:
        raise InterviewError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks go forward then "
            "(daylight saving). Choose a time outside the skipped hour.",
            "starts_at",
        )
    ambiguous = first.utcoffset() != second.utcoffset()
    return Slot(starts_at, starts_at + timedelta(minutes=duration_minutes), zone_name, ambiguous)


@dataclass(frozen=True)
class InterviewRequest:
    company_slug: str
    local_start: datetime
    timezone: str
    duration_minutes: int
    kind: InterviewKind
    location: str
    interviewers: tuple[str, ...]


def schedule(application_id: int, request: InterviewRequest, organizer_id: int | None) -> Interview:
    """Book an interview; an application in applied or screening moves to interview. One transaction."""
    slot = resolve(request.local_start, request.timezone, request.duration_minutes)
    write_transaction()
    try:
        application, company = open_application_and_company(application_id, request.company_slug)
        if slot.starts_at <= utcnow():
            raise InterviewError("The interview must start in the future.", "starts_at")
        lock(application.candidate_id, request.interviewers)
        clashing = clashes(application.candidate_id, request.interviewers, slot.starts_at, slot.ends_at)
        if clashing:
            raise InterviewClash(clashing)
        interview = create(
            application, company, slot, request.kind, request.location, request.interviewers, organizer_id
        )
        record("interview.schedule", organizer_id, application.id, interview_id=interview.id,
               company=company.slug, starts_at=slot.starts_at.isoformat(), timezone=slot.timezone)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return interview


def open_application_and_company(application_id: int, company_slug: str) -> tuple[Application, Company]:
    application = db.session.get(Application, application_id)
    if application is None:
        raise LookupError(application_id)
    if application.stage.is_closed:
        raise InterviewError(f"The application is {application.stage.label.lower()}: closed applications cannot get interviews.")
    company = db.session.scalars(
        select(Company)
        .join(RoleCompany)
        .where(RoleCompany.role_id == application.role_id, Company.slug == company_slug)
    ).first()
    if company is None:
        raise InterviewError(f"{company_slug!r} is not one of the companies listed on the {application.role.title} page.", "company")
    return application, company


def create(application, company, slot: Slot, kind, location, interviewers, organizer_id) -> Interview:
    """Add the interview, and move an application still in applied or screening to interview."""
    interview = Interview(
        uid=f"{uuid.uuid4()}@ats",
        application=application,
        company=company,
        organizer_id=organizer_id,
        kind=kind,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=slot.timezone,
        duration_minutes=int((slot.ends_at - slot.starts_at).total_seconds() // 60),
        location=location,
        interviewers=[InterviewInterviewer(email=e) for e in interviewers],
    )
    db.session.add(interview)
    if application.stage in (Stage.APPLIED, Stage.SCREENING):
        move(
            application,
            Stage.INTERVIEW,
            f"Interview scheduled with {company.name} for {slot.starts_at:%Y-%m-%d %H:%M} UTC",
            Actor.staff(organizer_id) if organizer_id else Actor("system"),
        )
    db.session.flush()
    check_calendar_file(interview)
    record_event(EventType.INTERVIEW_SCHEDULED, application, interview_id=interview.id)
    return interview


def check_calendar_file(interview: Interview) -> None:
    """Build the interview's calendar file before the commit: an interview whose
    invitation cannot be written is refused (422), never saved half-announced."""
    try:
        interview_ics(interview)
    except ValueError:
        raise InterviewError("This interview cannot be written as a calendar file: check its location.", "location") from None


def reschedule(interview_id: int, local_start: datetime, zone_name: str, duration_minutes: int, actor_id: int | None) -> Interview:
    slot = resolve(local_start, zone_name, duration_minutes)
    write_transaction()
    try:
        interview = _open_interview(interview_id)
        if slot.starts_at <= utcnow():
            raise InterviewError("The interview must start in the future.", "starts_at")
        emails = tuple(interview.interviewer_emails)
        lock(interview.application.candidate_id, emails)
        clashing = clashes(interview.application.candidate_id, emails, slot.starts_at, slot.ends_at, exclude_id=interview.id)
        if clashing:
            raise InterviewClash(clashing)
        before = interview.starts_at.isoformat()
        interview.starts_at, interview.ends_at = slot.starts_at, slot.ends_at
        interview.timezone, interview.duration_minutes = slot.timezone, duration_minutes
        interview.sequence += 1
        record("interview.reschedule", actor_id, interview.application_id, interview_id=interview.id,
               before=before, after=slot.starts_at.isoformat(), timezone=slot.timezone)
        check_calendar_file(interview)
        record_event(EventType.INTERVIEW_RESCHEDULED, interview.application, interview_id=interview.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return interview


def cancel(interview_id: int, reason: str, actor_id: int | None) -> Interview:
    reason = reason.strip()
    if not reason:
        raise InterviewError("Cancelling needs a reason.", "reason")
    write_transaction()
    try:
        interview = _open_interview(interview_id)
        interview.status = InterviewStatus.CANCELLED
        interview.cancel_reason = reason
        interview.sequence += 1
        record("interview.cancel", actor_id, interview.application_id, interview_id=interview.id, reason=reason)
        record_event(EventType.INTERVIEW_CANCELLED, interview.application, interview_id=interview.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return interview


def _open_interview(interview_id: int) -> Interview:
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise LookupError(interview_id)
    if interview.is_cancelled:
        raise InterviewError("This interview has been cancelled.")
    return interview


def lock(candidate_id: int, emails) -> None:
    """Serialise bookings that could clash: same candidate or a shared interviewer."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: write_transaction already holds the single write lock
    keys = sorted({f"candidate:{candidate_id}"} | {f"interviewer:{email}" for email in emails})
    for key in keys:
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
