"""The pipeline's stage rules (contract: "Stages"), each allowed and refused move."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.extensions import db
from ats.models import Application, Stage, StageChange, utcnow
from ats.models.stage_rules import MoveError, check_move
from ats.operations.pipeline import Actor, StaleVersion, move_stage

S = Stage
OPEN = [S.APPLIED, S.SCREENING, S.INTERVIEW, S.OFFER]


def application_in(stage: Stage, closed_from: Stage | None = None) -> Application:
    return Application(stage=stage, closed_from_stage=closed_from)


FORWARD = [(a, b) for i, a in enumerate(OPEN) for b in (OPEN + [S.HIRED])[i + 1:]]
BACKWARD = [(a, b) for i, a in enumerate(OPEN) for b in OPEN[:i]]


@pytest.mark.parametrize(("current", "target"), FORWARD)
def test_forward_moves_need_no_reason(current, target):
    check_move(application_in(current), target, "")


@pytest.mark.parametrize(("current", "target"), BACKWARD)
def test_backward_moves_need_a_reason(current, target):
    with pytest.raises(MoveError, match="needs a reason"):
        check_move(application_in(current), target, "  ")
    check_move(application_in(current), target, "Scheduled by mistake")


@pytest.mark.parametrize("current", OPEN)
def test_reject_from_any_open_stage_needs_a_reason(current):
    with pytest.raises(MoveError, match="Rejecting needs a reason"):
        check_move(application_in(current), S.REJECTED, "")
    check_move(application_in(current), S.REJECTED, "Needs more imaging experience")


@pytest.mark.parametrize("current", OPEN)
def test_withdraw_from_any_open_stage(current):
    check_move(application_in(current), S.WITHDRAWN, "")


@pytest.mark.parametrize("stage", list(Stage))
def test_moving_to_the_same_stage_is_refused(stage):
    with pytest.raises(MoveError, match="already in"):
        check_move(application_in(stage, S.OFFER), stage, "why not")


@pytest.mark.parametrize("closed", [S.HIRED, S.REJECTED, S.WITHDRAWN])
@pytest.mark.parametrize("closed_from", OPEN)
def test_a_closed_application_reopens_only_to_where_it_was_with_a_reason(closed, closed_from):
    application = application_in(closed, closed_from)
    with pytest.raises(MoveError, match="needs a reason"):
        check_move(application, closed_from, "")
    check_move(application, closed_from, "Candidate came back")
    for other in Stage:
        if other not in (closed_from, closed):
            with pytest.raises(MoveError, match="can only be reopened"):
                check_move(application, other, "Candidate came back")


@pytest.fixture
def staff(recruiter):
    return Actor.staff(recruiter.id)


@pytest.fixture
def application_id(create_application, role):
    return create_application(role, "C", email="c@example.org").id


def test_a_move_writes_history_and_raises_the_version(app, application_id, staff):
    with app.app_context():
        moved = move_stage(application_id, S.INTERVIEW, "", staff, expected_version=1)
        assert (moved.stage, moved.version) == (S.INTERVIEW, 2)
        rejected = move_stage(application_id, S.REJECTED, "Position filled", staff, expected_version=2)
        assert rejected.closed_from_stage == S.INTERVIEW
        reopened = move_stage(application_id, S.INTERVIEW, "Filled role reopened", staff, expected_version=3)
        assert reopened.closed_from_stage is None
        history = db.session.scalars(
            select(StageChange).filter_by(application_id=application_id).order_by(StageChange.id)
        ).all()
        assert [(h.from_stage, h.to_stage, h.reason, h.actor_kind, h.actor_id) for h in history] == [
            (S.APPLIED, S.INTERVIEW, "", "staff", staff.id),
            (S.INTERVIEW, S.REJECTED, "Position filled", "staff", staff.id),
            (S.REJECTED, S.INTERVIEW, "Filled role reopened", "staff", staff.id),
        ]


def test_a_move_records_the_stay_it_ends_and_the_furthest_stage(app, application_id, staff):
    with app.app_context():
        # The application has been in "applied" for three days.
        application = db.session.get(Application, application_id)
        application.stage_entered_at = utcnow() - timedelta(days=3)
        db.session.commit()
        move_stage(application_id, S.OFFER, "", staff, expected_version=2)  # skips two stages
        move_stage(application_id, S.SCREENING, "Offer sent too early", staff, expected_version=3)
        move_stage(application_id, S.REJECTED, "Role filled", staff, expected_version=4)
        application = db.session.get(Application, application_id)
        # Moving back and closing leave the furthest stage where it was.
        assert (application.stage, application.furthest_stage) == (S.REJECTED, S.OFFER)
        stays = db.session.scalars(
            select(StageChange.stay_seconds).filter_by(application_id=application_id).order_by(StageChange.id)
        ).all()
        assert stays[0] == pytest.approx(3 * 86_400, abs=60)
        assert all(0 <= stay < 60 for stay in stays[1:])


def test_a_stale_version_is_refused_before_the_rules(app, application_id, staff):
    with app.app_context():
        # Even a move the rules would refuse answers "stale" first.
        with pytest.raises(StaleVersion):
            move_stage(application_id, S.APPLIED, "", staff, expected_version=7)
        assert db.session.get(Application, application_id).stage == S.APPLIED


def test_a_refused_move_changes_nothing(app, application_id, staff):
    with app.app_context():
        with pytest.raises(MoveError):
            move_stage(application_id, S.REJECTED, "", staff, expected_version=1)
        db.session.expire_all()
        application = db.session.get(Application, application_id)
        assert (application.stage, application.version) == (S.APPLIED, 1)
        assert len(application.history) == 0


def test_of_simultaneous_moves_from_one_version_exactly_one_wins(app, application_id, staff):
    targets = [S.SCREENING, S.INTERVIEW, S.OFFER, S.REJECTED, S.WITHDRAWN, S.HIRED] * 2
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = [""] * len(targets)

    def attempt(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                move_stage(application_id, targets[index], "Parallel", staff, expected_version=1)
                outcomes[index] = "moved"
            except StaleVersion:
                outcomes[index] = "stale"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("moved") == 1
    assert outcomes.count("stale") == len(targets) - 1
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.version == 2
        assert len(application.history) == 1
        assert application.stage == targets[outcomes.index("moved")]
