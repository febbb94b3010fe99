"""What the interview pages, the dashboard and the candidate's pages show of interviews and offers."""
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload

from ..extensions import db
from . import identity
from ..models import (
    Application,
    Company,
    Interview,
    InterviewInterviewer,
    InterviewOffer,
    InterviewStatus,
    OfferSlot,
    OfferStatus,
    Role,
    RoleCompany,
    StaffUser,
    tokens,
    utcnow,
)

LIST_LIMIT = 500



def clashes(candidate_id: int, emails, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None) -> list[Interview]:
    """Scheduled interviews overlapping the time that share the candidate or an interviewer."""
    shares_person = [Interview.application.has(candidate_id=candidate_id)]
    if emails:
        shares_person.append(Interview.interviewers.any(InterviewInterviewer.email.in_(list(emails))))
    query = select(Interview).where(
        Interview.status == InterviewStatus.SCHEDULED,
        Interview.starts_at < ends_at,
        Interview.ends_at > starts_at,
        or_(*shares_person),
    )
    if exclude_id is not None:
        query = query.where(Interview.id != exclude_id)
    return list(db.session.scalars(query.order_by(Interview.starts_at)).unique())


def for_application(application_id: int) -> list[Interview]:
    """All of an application's interviews, cancelled ones included, by start
    time; the application itself is the caller's, not read again (under blind
    review, the page loaded it without the candidate's identity)."""
    return list(db.session.scalars(
        select(Interview).where(Interview.application_id == application_id).order_by(Interview.starts_at)
        .options(lazyload(Interview.application))
    ).unique())


def _blind(query, blinded: bool):
    """``query`` of interviews loading their application's identity only
    when blind review cannot apply to the viewer: a blinded viewer's page takes
    it from ``identity.identities`` (``ats.queries.identity``)."""
    return query.options(*identity.hidden_columns(joinedload(Interview.application))) if blinded else query


def for_page(interview_id: int, blinded: bool) -> Interview | None:
    """One interview for its page (``blinded`` as for ``_blind``)."""
    return db.session.scalars(_blind(select(Interview).where(Interview.id == interview_id), blinded)).first()


def starting_within(hours: int, blinded: bool = False) -> list[Interview]:
    """Scheduled interviews that start in the next ``hours`` hours (or are under way)."""
    now = utcnow()
    return list(db.session.scalars(
        _blind(select(Interview), blinded)
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


def feed_for_token(token: str) -> tuple[str, list[Interview], dict[int, identity.Identity]] | None:
    """The organiser's name, their upcoming scheduled interviews and the
    identity of each candidate as they may see it (blind review); None for
    an unknown token."""
    user = db.session.scalars(select(StaffUser).filter_by(calendar_digest=tokens.digest(token), active=True)).first()
    if user is None:
        return None
    blinded = identity.is_blinded(user.access)
    interviews = db.session.scalars(
        _blind(select(Interview), blinded)
        .where(Interview.organizer_id == user.id, Interview.status == InterviewStatus.SCHEDULED,
               Interview.ends_at > utcnow())
        .order_by(Interview.starts_at)
    ).unique().all()
    return user.name, list(interviews), identity.identities((i.application_id for i in interviews), blinded)


def offer_by_token(token: str) -> InterviewOffer | None:
    return db.session.scalars(select(InterviewOffer).filter_by(digest=tokens.digest(token))).first()


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
        and not clashes(offer.application.candidate_id, offer.interviewers, slot.starts_at, slot.ends_at)
    ]


def companies_listed(role_id: int) -> list[RoleCompany]:
    """The companies a role page lists, in its order: the ones interviews may be with."""
    return list(db.session.scalars(
        select(RoleCompany).filter_by(role_id=role_id).order_by(RoleCompany.position)
    ))


def scheduled(company: str = "", role: str = "", interviewer: str = "", *, blinded: bool = False) -> list[Interview]:
    """Scheduled interviews not yet over, soonest first, at most ``LIST_LIMIT``;
    filtered by company slug, role slug and interviewer address when given
    (``blinded`` as for ``_blind``)."""
    query = (
        _blind(select(Interview), blinded)
        .where(Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at > utcnow())
        .order_by(Interview.starts_at)
        .limit(LIST_LIMIT)
    )
    if company:
        query = query.where(Interview.company.has(slug=company))
    if role:
        query = query.where(Interview.application.has(Application.role.has(slug=role)))
    if interviewer:
        query = query.where(Interview.interviewers.any(InterviewInterviewer.email == interviewer))
    return list(db.session.scalars(query).unique())


def filter_choices() -> tuple[list[Company], list[Role]]:
    """Every company and role, by name, for the list's filters."""
    companies = db.session.scalars(select(Company).order_by(Company.name)).all()
    return list(companies), list(db.session.scalars(select(Role).order_by(Role.title)))
