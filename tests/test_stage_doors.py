"""Every way of changing a stage goes through one door (``services.pipeline.move``):
each writes history, audit and exactly one event, and refuses a stale version
where it takes one. A transaction that fails records no event."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from ats.extensions import db
from ats.models import AuditEvent, CandidateMessage, Event, EventType, InterviewKind, Stage, StageChange
from ats.models.stage_rules import MoveError
from ats.operations import pipeline
from ats.operations.applications import withdraw
from ats.operations.interviews import InterviewRequest, schedule
from ats.operations.pipeline import Actor, StaleVersion, bulk_move, move_stage

pytestmark = pytest.mark.usefixtures("seeded")


@dataclass(frozen=True)
class Trail:
    history: int
    audit: int
    events: list[tuple[str, dict]]


def trail(db_session, application_id: int) -> Trail:
    def count(model, *where):
        return db_session.scalar(select(func.count()).select_from(model).where(*where))

    events = db_session.execute(
        select(Event.type, Event.data).where(Event.application_id == application_id).order_by(Event.id)
    ).all()
    return Trail(
        history=count(StageChange, StageChange.application_id == application_id),
        audit=count(AuditEvent, AuditEvent.application_id == application_id, AuditEvent.action == "stage.move"),
        events=[(type.value, data) for type, data in events],
    )


def moved(before: Trail, after: Trail, from_stage: str, to_stage: str, **data) -> bool:
    """One move more; ``data``: more the event names (the message it sends now)."""
    return (
        after.history == before.history + 1
        and after.audit == before.audit + 1
        and after.events == [*before.events,
                             ("application.stage_changed", {"from": from_stage, "to": to_stage, **data})]
    )


def test_the_recruiters_move(app_session, db_session, create_application, role, recruiter):
    application = create_application(role, "Ada")
    before = trail(db_session, application.id)
    move_stage(application.id, Stage.SCREENING, "", Actor.staff(recruiter.id), expected_version=1)
    assert moved(before, trail(db_session, application.id), "applied", "screening")
    with pytest.raises(StaleVersion):
        move_stage(application.id, Stage.INTERVIEW, "", Actor.staff(recruiter.id), expected_version=1)
    assert len(trail(db_session, application.id).events) == 1


def test_a_bulk_move(app_session, db_session, create_application, role, recruiter):
    first, second = create_application(role, "Ada"), create_application(role, "Grace")
    before = {a.id: trail(db_session, a.id) for a in (first, second)}
    result = bulk_move(role.id, [(first.id, 1), (second.id, 7)], Stage.SCREENING, "", recruiter.id)
    assert [application_id for application_id, _ in result.moved] == [first.id]
    assert moved(before[first.id], trail(db_session, first.id), "applied", "screening")
    # The stale one is refused, and nothing about it is recorded.
    assert [refusal.application_id for refusal in result.refused] == [second.id]
    assert trail(db_session, second.id) == before[second.id]


def test_the_candidate_withdrawing(app_session, db_session, create_application, role):
    application = create_application(role, "Ada", stage=Stage.SCREENING)
    before = trail(db_session, application.id)
    withdraw(application.id)
    # The confirmation goes at once: the event names it.
    message_id = db_session.scalar(select(CandidateMessage.id).where(CandidateMessage.application_id == application.id))
    assert moved(before, trail(db_session, application.id), "screening", "withdrawn", message_id=message_id)
    # A second withdrawal is a move the rules forbid: nothing more is recorded.
    with pytest.raises(MoveError):
        withdraw(application.id)
    assert len(trail(db_session, application.id).events) == 1


def test_scheduling_an_interview(app_session, db_session, create_application, role, recruiter):
    application = create_application(role, "Ada")
    before = trail(db_session, application.id)
    starts = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=30)
    interview = schedule(application.id, InterviewRequest(
        company_slug="tempus", local_start=starts, timezone="UTC", duration_minutes=45,
        kind=InterviewKind.VIDEO, location="", interviewers=(),
    ), recruiter.id)
    after = trail(db_session, application.id)
    assert after.history == before.history + 1 and after.audit == before.audit + 1
    assert after.events == [
        ("application.stage_changed", {"from": "applied", "to": "interview"}),
        ("interview.scheduled", {"interview_id": interview.id}),
    ]


def test_a_new_application_records_its_event(client, csrf, db_session, upload_dir, outbox):
    response = client.post("/roles/healthcare-ai-engineer/apply", data={
        "csrf_token": csrf(), "full_name": "Ada Lovelace", "email": "ada@example.org",
        "profile": "Clinical NLP.", "consent": "y",
    })
    assert response.status_code == 303
    assert db_session.execute(select(Event.type, Event.data)).all() == [(EventType.APPLICATION_CREATED, {"resume": False})]


def test_a_failed_transaction_records_no_event(app_session, db_session, create_application, role, recruiter,
                                               monkeypatch):
    application = create_application(role, "Ada")
    before = trail(db_session, application.id)

    def fail_after_the_move(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # The move, its history, audit and event are written; then the commit fails.
    monkeypatch.setattr(db.session, "commit", fail_after_the_move)
    with pytest.raises(RuntimeError):
        move_stage(application.id, Stage.SCREENING, "", Actor.staff(recruiter.id), expected_version=1)
    monkeypatch.undo()
    assert trail(db_session, application.id) == before
    assert db_session.scalar(select(func.count()).select_from(Event)) == 0


def test_every_door_is_the_one_function(monkeypatch, app_session, db_session, create_application, role, recruiter):
    """Replacing ``pipeline.move`` shows which workflows go through it."""
    calls = []
    real = pipeline.move

    def spy(application, to_stage, *args, **kwargs):
        calls.append(to_stage)
        return real(application, to_stage, *args, **kwargs)

    for module in ("ats.operations.pipeline", "ats.operations.applications", "ats.operations.interviews"):
        monkeypatch.setattr(f"{module}.move", spy)
    first, second = create_application(role, "Ada"), create_application(role, "Grace")
    move_stage(first.id, Stage.SCREENING, "", Actor.staff(recruiter.id), expected_version=1)
    bulk_move(role.id, [(second.id, 1)], Stage.SCREENING, "", recruiter.id)
    withdraw(second.id)
    starts = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=30)
    schedule(first.id, InterviewRequest(
        company_slug="tempus", local_start=starts, timezone="UTC", duration_minutes=45,
        kind=InterviewKind.VIDEO, location="", interviewers=(),
    ), recruiter.id)
    assert calls == [Stage.SCREENING, Stage.SCREENING, Stage.WITHDRAWN, Stage.INTERVIEW]
