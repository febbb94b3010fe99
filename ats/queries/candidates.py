"""Candidates as the admins' data-rights pages see them: found by address,
one candidate with their applications, and the erasure requests waiting."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Candidate, ErasureRequest, Stage
from ..models.data_rights import ANSWER_WITHIN_DAYS


@dataclass(frozen=True)
class HeldApplication:
    id: int
    role_title: str
    stage: Stage
    applied_at: datetime
    resume_name: str | None
    storage_name: str | None


@dataclass(frozen=True)
class CandidateRecord:
    candidate: Candidate
    applications: list[HeldApplication]
    requests: list[ErasureRequest]

    @property
    def open_applications(self) -> int:
        return sum(1 for application in self.applications if not application.stage.is_closed)

    @property
    def files(self) -> list[HeldApplication]:
        return [application for application in self.applications if application.storage_name]


def find_candidate(email: str) -> Candidate | None:
    """The candidate with this address, compared without case; erased ones are no one."""
    return db.session.scalars(
        select(Candidate).where(Candidate.email_key == email.strip().lower(), Candidate.erased_at.is_(None))
    ).one_or_none()


def candidate_record(candidate_id: int) -> CandidateRecord | None:
    """One candidate, not erased, with their applications and erasure requests."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.erased_at is not None:
        return None
    applications = db.session.scalars(
        select(Application).where(Application.candidate_id == candidate_id).order_by(Application.id)
    ).all()
    requests = db.session.scalars(
        select(ErasureRequest)
        .join(Application, Application.id == ErasureRequest.application_id)
        .where(Application.candidate_id == candidate_id)
        .order_by(ErasureRequest.id)
    ).all()
    held = [
        HeldApplication(a.id, a.role.title, a.stage, a.applied_at, a.resume_original_name, a.resume_storage_name)
        for a in applications
    ]
    return CandidateRecord(candidate, held, list(requests))


@dataclass(frozen=True)
class RequestRow:
    request: ErasureRequest
    # None once the candidate is erased: the request then names no one.
    candidate: Candidate | None
    days: int
    overdue: bool


def waiting_request(candidate_id: int) -> ErasureRequest | None:
    """The candidate's erasure request still waiting for an answer, if any."""
    return db.session.scalars(
        select(ErasureRequest)
        .join(Application, Application.id == ErasureRequest.application_id)
        .where(Application.candidate_id == candidate_id, ErasureRequest.handled_at.is_(None))
        .order_by(ErasureRequest.id)
    ).first()


def waiting_requests() -> int:
    """How many erasure requests wait for an answer."""
    return db.session.scalar(select(func.count()).select_from(ErasureRequest).where(ErasureRequest.handled_at.is_(None)))


def erasure_requests(now: datetime, answered_limit: int = 50) -> tuple[list[RequestRow], list[RequestRow]]:
    """(waiting, oldest first; answered, newest first, the last ``answered_limit``)."""
    def rows(query) -> list[RequestRow]:
        found = db.session.execute(
            query.join(Application, Application.id == ErasureRequest.application_id)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .add_columns(Candidate)
        ).all()
        return [
            RequestRow(request, None if candidate.erased_at else candidate, request.days_open(now),
                       request.days_open(now) >= ANSWER_WITHIN_DAYS)
            for request, candidate in found
        ]

    waiting = rows(select(ErasureRequest).where(ErasureRequest.handled_at.is_(None))
                   .order_by(ErasureRequest.requested_at, ErasureRequest.id))
    answered = rows(select(ErasureRequest).where(ErasureRequest.handled_at.is_not(None))
                    .order_by(ErasureRequest.handled_at.desc(), ErasureRequest.id.desc()).limit(answered_limit))
    return waiting, answered
