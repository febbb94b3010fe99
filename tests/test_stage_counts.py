"""The counts per role and stage that the board and the dashboard show, kept
by the database's triggers (migration 0008). Every test also ends with the
suite-wide check in tests/fixtures/database.py that the kept counts equal a fresh count."""
import threading

from sqlalchemy import delete, select, update

from ats.extensions import db
from ats.models import Application, Stage, StageCount
from ats.operations.pipeline import Actor, move_stage

S = Stage


def kept(db_session, role) -> dict[Stage, int]:
    db_session.expire_all()
    rows = db_session.execute(select(StageCount.stage, StageCount.applications).filter_by(role_id=role.id))
    return {stage: count for stage, count in rows if count}


def test_a_new_role_has_a_zero_count_for_every_stage(db_session, create_role):
    role = create_role("ai-engineer", "AI Engineer")
    rows = db_session.execute(select(StageCount.stage, StageCount.applications).filter_by(role_id=role.id)).all()
    assert sorted(rows, key=lambda row: list(Stage).index(row[0])) == [(stage, 0) for stage in Stage]


def test_counts_follow_inserts_moves_and_deletes(app, db_session, create_role, create_application, create_staff):
    role, other = create_role("ai-engineer", "AI Engineer"), create_role("analyst", "Analyst")
    ada, ben, cy = (create_application(role, name) for name in ("Ada", "Ben", "Cy"))
    create_application(other, "Di", S.OFFER)
    assert kept(db_session, role) == {S.APPLIED: 3}
    assert kept(db_session, other) == {S.OFFER: 1}

    staff = Actor.staff(create_staff().id)
    with app.app_context():
        move_stage(ada.id, S.INTERVIEW, "", staff, expected_version=1)
        move_stage(ben.id, S.REJECTED, "Role filled", staff, expected_version=1)
    assert kept(db_session, role) == {S.APPLIED: 1, S.INTERVIEW: 1, S.REJECTED: 1}

    # Writes that bypass the services count too: a bulk UPDATE, a change of
    # role, a DELETE.
    db_session.execute(update(Application).where(Application.role_id == role.id).values(stage=S.SCREENING))
    db_session.execute(update(Application).where(Application.id == cy.id).values(role_id=other.id))
    db_session.commit()
    assert kept(db_session, role) == {S.SCREENING: 2}
    assert kept(db_session, other) == {S.OFFER: 1, S.SCREENING: 1}
    db_session.execute(delete(Application).where(Application.id.in_([ada.id, cy.id])))
    db_session.commit()
    assert kept(db_session, role) == {S.SCREENING: 1}
    assert kept(db_session, other) == {S.OFFER: 1}


def test_a_rolled_back_move_leaves_the_counts(app, db_session, create_role, create_application):
    role = create_role("ai-engineer", "AI Engineer")
    application = create_application(role, "Ada")
    with app.app_context():
        db.session.execute(update(Application).where(Application.id == application.id).values(stage=S.OFFER))
        db.session.rollback()
    assert kept(db_session, role) == {S.APPLIED: 1}


def test_simultaneous_moves_in_one_role_all_land(app, db_session, create_role, create_application, create_staff):
    """Moves in opposite directions at once: on PostgreSQL each takes the
    role's count rows in the same order, so none deadlocks; on SQLite they
    take turns for the write lock."""
    role = create_role("ai-engineer", "AI Engineer")
    forward = [create_application(role, f"Forward {n}").id for n in range(6)]
    back = [create_application(role, f"Back {n}", S.INTERVIEW).id for n in range(6)]
    staff = Actor.staff(create_staff().id)
    moves = [(i, S.INTERVIEW, "") for i in forward] + [(i, S.APPLIED, "Scheduled too early") for i in back]
    barrier = threading.Barrier(len(moves))
    outcomes = [""] * len(moves)

    def attempt(index: int) -> None:
        application_id, to_stage, reason = moves[index]
        with app.app_context():
            barrier.wait()
            try:
                move_stage(application_id, to_stage, reason, staff, expected_version=1)
                outcomes[index] = "moved"
            except Exception as error:  # a deadlock or a lock timeout would land here
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(moves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["moved"] * len(moves)
    assert kept(db_session, role) == {S.APPLIED: 6, S.INTERVIEW: 6}
