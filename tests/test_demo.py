"""``flask ats demo --applications N [--seed S]`` (contract: CLI): deterministic
synthetic data that replaces only earlier demo data."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from ats.models import (
    PIPELINE,
    Application,
    ApplicationNote,
    ApplicationSkillClaim,
    Candidate,
    Role,
    RoleSkill,
    SelfIdentification,
    SkillAnnotation,
    SkillLevel,
    Stage,
    StageChange,
    tokens,
)
from ats.tools.demo import DEMO_DOMAIN

DAY = date(2026, 3, 2)
MIDNIGHT = datetime.combine(DAY, time(), tzinfo=timezone.utc)


@pytest.fixture
def run(app):
    """``run("--applications", "5", ...)``: the CLI command, as `flask --app wsgi ats demo …` runs it."""
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["ats", "demo", *args])

    return invoke


def snapshot(session) -> dict[str, list[tuple]]:
    """Every demo row, without ids and status links (which follow the data
    already there, and are secrets), in a stable order."""
    demo = select(Application.id, Application.email).where(Application.source == "demo").subquery()
    email_of = dict(session.execute(select(demo.c.id, demo.c.email)).all())

    def rows(statement, key=lambda row: row):
        return sorted((key(tuple(row)) for row in session.execute(statement)), key=repr)

    return {
        "candidates": rows(
            select(Candidate.email, Candidate.email_key, Candidate.full_name, Candidate.phone, Candidate.location,
                   Candidate.linkedin_url, Candidate.created_at).where(Candidate.email_key.like(f"%@{DEMO_DOMAIN}"))
        ),
        "applications": rows(
            select(Application.email, Role.slug, Application.stage, Application.version, Application.closed_from_stage,
                   Application.applied_at, Application.stage_entered_at, Application.updated_at, Application.full_name,
                   Application.phone, Application.location, Application.linkedin_url, Application.profile,
                   Application.consent_at, Application.consent_version, Application.skills_strong,
                   Application.skills_partial, Application.skills_assessed)
            .join(Role).where(Application.source == "demo")
        ),
        "history": rows(
            select(StageChange.application_id, StageChange.from_stage, StageChange.to_stage, StageChange.reason,
                   StageChange.actor_kind, StageChange.created_at).where(StageChange.application_id.in_(email_of)),
            key=lambda row: (email_of[row[0]], *row[1:]),
        ),
        "claims": rows(
            select(ApplicationSkillClaim.application_id, RoleSkill.slug).join(RoleSkill)
            .where(ApplicationSkillClaim.application_id.in_(email_of)),
            key=lambda row: (email_of[row[0]], row[1]),
        ),
        "self_identification": rows(
            select(SelfIdentification.application_id, SelfIdentification.gender, SelfIdentification.race_ethnicity,
                   SelfIdentification.veteran, SelfIdentification.disability)
            .where(SelfIdentification.application_id.in_(email_of)),
            key=lambda row: (email_of[row[0]], *row[1:]),
        ),
        "annotations": rows(
            select(SkillAnnotation.application_id, RoleSkill.slug, SkillAnnotation.level).join(RoleSkill)
            .where(SkillAnnotation.application_id.in_(email_of)),
            key=lambda row: (email_of[row[0]], *row[1:]),
        ),
    }


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_same_seed_makes_the_same_rows(app, run, seeded, db_session):
    assert run("--applications", "60", "--seed", "7", "--as-of", DAY.isoformat()).exit_code == 0
    first = snapshot(db_session)
    digests = set(db_session.scalars(select(Application.status_digest)))

    assert run("--applications", "60", "--seed", "7", "--as-of", DAY.isoformat()).exit_code == 0
    assert snapshot(db_session) == first
    assert len(first["applications"]) == 60
    # Status links are secrets: new ones every run, 256 bits each, kept as digests.
    new_digests = set(db_session.scalars(select(Application.status_digest)))
    assert not digests & new_digests
    with app.app_context():
        applications = db_session.scalars(select(Application)).all()
        assert all(len(a.status_token) == 43 and tokens.digest(a.status_token) == a.status_digest
                   for a in applications)

    assert run("--applications", "60", "--seed", "8", "--as-of", DAY.isoformat()).exit_code == 0
    assert snapshot(db_session)["applications"] != first["applications"]


def test_counts_and_the_shape_of_the_data(run, seeded, db_session):
    result = run("--applications", "200", "--seed", "3", "--as-of", DAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "demo: 200 applications and candidates" in result.output

    assert count(db_session, Application) == 200
    assert count(db_session, Candidate) == 200
    assert count(db_session, SelfIdentification) == 200
    history = count(db_session, StageChange)
    assert history >= 200
    assert f"{history} history entries" in result.output

    applications = db_session.scalars(select(Application)).all()
    stages = {a.stage for a in applications}
    assert stages == set(Stage)  # 200 are enough to reach every stage
    for application in applications:
        assert application.email.endswith(f"@{DEMO_DOMAIN}")
        assert application.source == "demo"
        assert application.applied_at <= application.stage_entered_at <= MIDNIGHT
        assert MIDNIGHT - application.applied_at < timedelta(days=181)
        changes = application.history
        assert changes[0].from_stage is None and changes[0].to_stage == Stage.APPLIED
        assert changes[-1].to_stage == application.stage
        assert application.version == len(changes)
        assert all(a.to_stage == b.from_stage for a, b in zip(changes, changes[1:]))
        if application.stage.is_closed:
            assert application.closed_from_stage == changes[-2].to_stage
        else:
            assert application.closed_from_stage is None
        if application.stage == Stage.REJECTED:
            assert changes[-1].reason
        # What the stage-move service keeps for the reports, from the same history.
        assert application.furthest_stage == max(
            (c.to_stage for c in changes if c.to_stage in PIPELINE), key=PIPELINE.index
        )
        assert changes[0].stay_seconds is None
        assert [c.stay_seconds for c in changes[1:]] == [
            (b.created_at - a.created_at).total_seconds() for a, b in zip(changes, changes[1:])
        ]
        # The board's skill counts agree with the annotations.
        levels = db_session.scalars(select(SkillAnnotation.level).filter_by(application_id=application.id)).all()
        assert application.skills_assessed == len(levels)
        assert application.skills_strong == levels.count(SkillLevel.STRONG)
        assert application.skills_partial == levels.count(SkillLevel.PARTIAL)
        if levels:
            assert Stage.INTERVIEW in {change.to_stage for change in changes}
    assert any(a.skills_assessed for a in applications)


def test_applications_go_round_the_roles_or_into_one(run, second_role, db_session):
    assert run("--applications", "10", "--as-of", DAY.isoformat()).exit_code == 0
    per_role = dict(db_session.execute(
        select(Role.slug, func.count(Application.id)).join(Application).group_by(Role.slug)
    ).all())
    assert per_role == {"healthcare-ai-engineer": 5, "clinical-data-scientist": 5}

    assert run("--applications", "10", "--role", "clinical-data-scientist").exit_code == 0
    per_role = dict(db_session.execute(
        select(Role.slug, func.count(Application.id)).join(Application).group_by(Role.slug)
    ).all())
    assert per_role == {"clinical-data-scientist": 10}


@pytest.fixture
def real_application(seeded, create_application, db_session, create_staff):
    """A real candidate's application, with a note, beside the demo data; one
    of them even uses the demo domain (written straight to the database)."""
    role = db_session.scalars(select(Role)).one()
    application = create_application(role, "Real Person", Stage.SCREENING, days_in_stage=4)
    staff = create_staff()
    db_session.add(ApplicationNote(application_id=application.id, author_id=staff.id, body="Strong referral."))
    odd = create_application(role, "Real But Odd Address", Stage.APPLIED)
    odd.candidate.email_key = odd.email = f"odd@{DEMO_DOMAIN}"
    db_session.commit()
    return application


def real_rows(session) -> list[tuple]:
    return session.execute(
        select(Application.id, Application.version, Application.stage, Application.updated_at, Application.email,
               Candidate.id, Candidate.email_key)
        .join(Candidate).where(Application.source != "demo").order_by(Application.id)
    ).all()


def test_a_new_run_replaces_only_earlier_demo_data(run, real_application, db_session):
    before = real_rows(db_session)
    assert len(before) == 2

    assert run("--applications", "30", "--seed", "1").exit_code == 0
    assert count(db_session, Application, Application.source == "demo") == 30

    result = run("--applications", "12", "--seed", "2")
    assert result.exit_code == 0
    assert "replaced 30 earlier demo applications" in result.output
    assert count(db_session, Application, Application.source == "demo") == 12
    assert count(db_session, Candidate) == 12 + 2
    assert real_rows(db_session) == before
    assert count(db_session, ApplicationNote, ApplicationNote.application_id == real_application.id) == 1
    assert count(db_session, StageChange, StageChange.application_id.in_([row[0] for row in before])) == 0

    assert run("--applications", "0").exit_code == 0
    assert count(db_session, Application) == 2
    assert real_rows(db_session) == before


def test_new_rows_after_the_demo_get_fresh_ids(run, seeded, create_application, db_session):
    """PostgreSQL's sequences are moved past the ids the demo wrote."""
    assert run("--applications", "25").exit_code == 0
    highest = db_session.scalar(select(func.max(Application.id)))
    role = db_session.scalars(select(Role)).one()
    application = create_application(role, "After The Demo")
    assert application.id > highest
    assert application.candidate_id > db_session.scalar(
        select(func.max(Candidate.id)).where(Candidate.email_key.like(f"%@{DEMO_DOMAIN}"))
    )
    # And a second run does not hand out the ids of the rows it removed to someone else.
    assert run("--applications", "25").exit_code == 0
    assert db_session.scalar(select(func.min(Application.id)).where(Application.source == "demo")) > highest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--applications", "-1"], "-1 is not in the range x>=0"),
        (["--applications", "many"], "'many' is not a valid integer"),
        (["--applications", "5", "--role", "no-such-role"], "There is no role 'no-such-role'."),
        (["--applications", "5", "--as-of", "2026-02-30"], "'2026-02-30' does not match the format"),
        ([], "Missing option '--applications'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(run, seeded, db_session, args, message):
    assert run("--applications", "5", "--seed", "4").exit_code == 0
    before = snapshot(db_session)

    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert snapshot(db_session) == before


def test_without_roles_the_demo_asks_for_the_catalog(run, db_session):
    result = run("--applications", "5")
    assert result.exit_code != 0
    assert "There are no roles: load the catalog first (flask --app wsgi ats seed)." in result.output
    assert "Nothing was written." in result.output
    assert count(db_session, Application) == 0
    assert count(db_session, Candidate) == 0


def test_the_demo_ends_with_fresh_planner_statistics(run, seeded, db_session):
    """A bulk load must leave the planner statistics of what it wrote (issue 13)."""
    result = run("--applications", "120", "--seed", "4", "--as-of", DAY.isoformat())
    assert result.exit_code == 0, result.output
    if db_session.bind.dialect.name == "postgresql":
        # Never analysed, a table's reltuples is -1; ANALYZE sets the row count.
        estimated = dict(db_session.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('applications', 'candidates')"
        )).all())
        assert estimated == {"applications": 120, "candidates": 120}
    else:
        analysed = {row[0] for row in db_session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
        assert {"applications", "candidates", "stage_changes", "self_identifications"} <= analysed


def test_the_search_index_is_built_after_the_load_and_kept_again(app, run, seeded, db_session, create_application,
                                                                 role):
    """The demo takes the search index off for the load and builds it once at
    the end (ats.tools.bulk): what it wrote is found, and a row written after
    it is kept in the index row by row again."""
    from ats.queries.board import BoardQuery, load_board

    def found(query: str) -> set[str]:
        with app.app_context():
            board = load_board(role.slug, BoardQuery.from_args({"q": query}))
            return {card.full_name for column in board.columns for card in column.cards}

    result = run("--applications", "40", "--seed", "5", "--as-of", DAY.isoformat(), "--role", role.slug)
    assert result.exit_code == 0, result.output
    demo_email = db_session.scalars(select(Application.email).order_by(Application.id)).first()
    demo_name = db_session.scalars(select(Application.full_name).order_by(Application.id)).first()
    assert found(demo_email) == {demo_name}
    create_application(role, "Grace Hopperton")
    assert found("hopperton") == {"Grace Hopperton"}
    if db_session.bind.dialect.name == "sqlite":
        # FTS5's own check that the index holds exactly the rows' texts.
        db_session.execute(text("INSERT INTO applications_search (applications_search, rank) "
                                "VALUES ('integrity-check', 1)"))
    else:
        assert db_session.scalar(text("SELECT count(*) FROM pg_indexes "
                                      "WHERE indexname = 'ix_applications_search'")) == 1
