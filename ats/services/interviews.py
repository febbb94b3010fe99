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
"""
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from ..timezones import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import or_, select, text

from ..extensions import db
from ..models import (
    Application,
    Company,
    Interview,
    InterviewInterviewer,
    InterviewKind,
    InterviewOffer,
    InterviewStatus,
    OfferSlot,
    EventType,
    OfferStatus,
    RoleCompany,
    Stage,
    utcnow,
)
from ..models.audit import record
from . import write_transaction
from .events import record_event
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


def zone_names() -> list[str]:
    return sorted(name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))


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
        application, company = _open_application_and_company(application_id, request.company_slug)
        if slot.starts_at <= utcnow():
            raise InterviewError("The interview must start in the future.", "starts_at")
        _lock(application.candidate_id, request.interviewers)
        clashes = _clashes(application.candidate_id, request.interviewers, slot, exclude_id=None)
        if clashes:
            raise InterviewClash(clashes)
        interview = _create(
            application, company, slot, request.kind, request.location, request.interviewers, organizer_id
        )
        record("interview.schedule", organizer_id, application.id, interview_id=interview.id,
               company=company.slug, starts_at=slot.starts_at.isoformat(), timezone=slot.timezone)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return interview


def _open_application_and_company(application_id: int, company_slug: str) -> tuple[Application, Company]:
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


def _create(application, company, slot: Slot, kind, location, interviewers, organizer_id) -> Interview:
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
    record_event(EventType.INTERVIEW_SCHEDULED, application, interview_id=interview.id)
    return interview


def reschedule(interview_id: int, local_start: datetime, zone_name: str, duration_minutes: int, actor_id: int | None) -> Interview:
    slot = resolve(local_start, zone_name, duration_minutes)
    write_transaction()
    try:
        interview = _open_interview(interview_id)
        if slot.starts_at <= utcnow():
            raise InterviewError("The interview must start in the future.", "starts_at")
        emails = tuple(interview.interviewer_emails)
        _lock(interview.application.candidate_id, emails)
        clashes = _clashes(interview.application.candidate_id, emails, slot, exclude_id=interview.id)
        if clashes:
            raise InterviewClash(clashes)
        before = interview.starts_at.isoformat()
        interview.starts_at, interview.ends_at = slot.starts_at, slot.ends_at
        interview.timezone, interview.duration_minutes = slot.timezone, duration_minutes
        interview.sequence += 1
        record("interview.reschedule", actor_id, interview.application_id, interview_id=interview.id,
               before=before, after=slot.starts_at.isoformat(), timezone=slot.timezone)
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


def _lock(candidate_id: int, emails) -> None:
    """Serialise bookings that could clash: same candidate or a shared interviewer."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: write_transaction already holds the single write lock
    keys = sorted({f"candidate:{candidate_id}"} | {f"interviewer:{email}" for email in emails})
    for key in keys:
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _clashes(candidate_id: int, emails, slot: Slot, exclude_id: int | None) -> list[Interview]:
    shares_person = [Interview.application.has(candidate_id=candidate_id)]
    if emails:
        shares_person.append(Interview.interviewers.any(InterviewInterviewer.email.in_(list(emails))))
    query = select(Interview).where(
        Interview.status == InterviewStatus.SCHEDULED,
        Interview.starts_at < slot.ends_at,
        Interview.ends_at > slot.starts_at,
        or_(*shares_person),
    )
    if exclude_id is not None:
        query = query.where(Interview.id != exclude_id)
    return list(db.session.scalars(query.order_by(Interview.starts_at)).unique())


def for_application(application_id: int) -> list[Interview]:
    """All of an application's interviews, cancelled ones included, by start time."""
    return list(db.session.scalars(
        select(Interview).where(Interview.application_id == application_id).order_by(Interview.starts_at)
    ).unique())


def starting_within(hours: int) -> list[Interview]:
    """Scheduled interviews that start in the next ``hours`` hours (or are under way)."""
    now = utcnow()
    return list(db.session.scalars(
        select(Interview)
        .where(Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at > now,
               Interview.starts_at < now + timedelta(hours=hours))
        .order_by(Interview.starts_at)
    ).unique())


def upcoming_for_application(application_id: int) -> list[Interview]:
    return list(db.session.scalars(
        select(Interview)
        .where(Interview.application_id == application_id, Interview.status == InterviewStatus.SCHEDULED,
               Interview.ends_at > utcnow())
        .order_by(Interview.starts_at)
    ).unique())


def reset_calendar_token(user_id: int) -> str:
    """Give the user a new secret feed address; the old one stops working."""
    from ..models import StaffUser

    write_transaction()
    user = db.session.get(StaffUser, user_id)
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.commit()
    return user.calendar_token


def feed_for_token(token: str) -> tuple[str, list[Interview]] | None:
    """The organiser's name and their upcoming scheduled interviews, or None for an unknown token."""
    from ..models import StaffUser

    user = db.session.scalars(select(StaffUser).filter_by(calendar_token=token, active=True)).first()
    if user is None:
        return None
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.organizer_id == user.id, Interview.status == InterviewStatus.SCHEDULED,
               Interview.ends_at > utcnow())
        .order_by(Interview.starts_at)
    ).unique().all()
    return user.name, list(interviews)


# --- Self-scheduling: the recruiter offers times, the candidate books one --------

MAX_SLOTS = 12


class OfferClosed(Exception):
    """The offer was booked, withdrawn or has expired (410)."""


class SlotTaken(Exception):
    """The chosen time is no longer free (409); ``remaining`` lists what still is."""

    def __init__(self, remaining: list[OfferSlot]):
        super().__init__("slot taken")
        self.remaining = remaining


@dataclass(frozen=True)
class OfferRequest:
    company_slug: str
    kind: InterviewKind
    duration_minutes: int
    location: str
    interviewers: tuple[str, ...]
    timezone: str
    local_starts: tuple[datetime, ...]
    local_expiry: datetime


def create_offer(application_id: int, request: OfferRequest, organizer_id: int | None) -> InterviewOffer:
    """Offer the candidate several times to choose from; they are e-mailed a link. One transaction."""
    if not 1 <= len(request.local_starts) <= MAX_SLOTS:
        raise InterviewError(f"Offer between 1 and {MAX_SLOTS} times.", "slots")
    slots = [resolve(local, request.timezone, request.duration_minutes) for local in request.local_starts]
    expiry = resolve(request.local_expiry, request.timezone, MIN_DURATION).starts_at
    now = utcnow()
    if any(slot.starts_at <= now for slot in slots):
        raise InterviewError("Every offered time must be in the future.", "slots")
    if len({slot.starts_at for slot in slots}) != len(slots):
        raise InterviewError("The same time is offered twice.", "slots")
    if not now < expiry <= max(slot.starts_at for slot in slots):
        raise InterviewError("The offer must expire in the future, and before the last offered time.", "expires_at")
    write_transaction()
    try:
        application, company = _open_application_and_company(application_id, request.company_slug)
        offer = InterviewOffer(
            token=secrets.token_urlsafe(32),
            application=application,
            company=company,
            organizer_id=organizer_id,
            kind=request.kind,
            duration_minutes=request.duration_minutes,
            location=request.location,
            timezone=request.timezone,
            interviewers=list(request.interviewers),
            expires_at=expiry,
            slots=[OfferSlot(starts_at=slot.starts_at, ends_at=slot.ends_at) for slot in sorted(slots, key=lambda s: s.starts_at)],
        )
        db.session.add(offer)
        db.session.flush()
        record("interview.offer", organizer_id, application.id, offer_id=offer.id, company=company.slug,
               slots=[slot.starts_at.isoformat() for slot in slots], expires_at=expiry.isoformat())
        record_event(EventType.INTERVIEW_OFFERED, application, offer_id=offer.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return offer


def offer_by_token(token: str) -> InterviewOffer | None:
    return db.session.scalars(select(InterviewOffer).filter_by(token=token)).first()


def open_offers_for_application(application_id: int) -> list[InterviewOffer]:
    return list(db.session.scalars(
        select(InterviewOffer).where(
            InterviewOffer.application_id == application_id,
            InterviewOffer.status == OfferStatus.OPEN,
            InterviewOffer.expires_at > utcnow(),
        ).order_by(InterviewOffer.created_at)
    ).unique())


def free_slots(offer: InterviewOffer) -> list[OfferSlot]:
    """The offered times still in the future and clear of the candidate's and interviewers' interviews."""
    now = utcnow()
    return [
        slot for slot in offer.slots
        if slot.starts_at > now
        and not _clashes(offer.application.candidate_id, offer.interviewers,
                         Slot(slot.starts_at, slot.ends_at, offer.timezone), exclude_id=None)
    ]


def book(token: str, slot_id: int) -> Interview:
    """The candidate takes one offered time. Atomic: of two people picking the
    same interviewer's time, one gets it and the other is told it is taken."""
    write_transaction()
    try:
        offer = offer_by_token(token)
        if offer is None:
            raise LookupError(token)
        if not offer.is_bookable(utcnow()) or offer.application.stage.is_closed:
            raise OfferClosed()
        chosen = next((slot for slot in offer.slots if slot.id == slot_id), None)
        if chosen is None:
            raise InterviewError("Choose one of the offered times.", "slot")
        _lock(offer.application.candidate_id, offer.interviewers)
        slot = Slot(chosen.starts_at, chosen.ends_at, offer.timezone)
        if chosen.starts_at <= utcnow() or _clashes(offer.application.candidate_id, offer.interviewers, slot, exclude_id=None):
            raise SlotTaken(free_slots(offer))
        interview = _create(
            offer.application, offer.company, slot, offer.kind, offer.location, tuple(offer.interviewers), offer.organizer_id
        )
        offer.status = OfferStatus.BOOKED
        offer.interview = interview
        record("interview.book", None, offer.application_id, offer_id=offer.id, interview_id=interview.id,
               starts_at=chosen.starts_at.isoformat())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return interview
