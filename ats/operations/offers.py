"""Self-scheduling: the recruiter offers several times, the candidate books one."""
from dataclasses import dataclass
from datetime import datetime

from ..events import record_event
from ..extensions import db
from ..models import EventType, Interview, InterviewKind, InterviewOffer, OfferSlot, OfferStatus, utcnow
from ..models.audit import record
from ..queries.interviews import clashes, free_slots, offer_by_token
from . import write_transaction
from .interviews import MIN_DURATION, InterviewError, Slot, create, lock, open_application_and_company, resolve

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
        application, company = open_application_and_company(application_id, request.company_slug)
        offer = InterviewOffer(
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
        lock(offer.application.candidate_id, offer.interviewers)
        slot = Slot(chosen.starts_at, chosen.ends_at, offer.timezone)
        if chosen.starts_at <= utcnow() or clashes(offer.application.candidate_id, offer.interviewers, slot.starts_at, slot.ends_at):
            raise SlotTaken(free_slots(offer))
        interview = create(
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
