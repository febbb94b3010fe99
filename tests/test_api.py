"""The JSON API's answers: the contract's shapes, pagination, syncing by
``updated_since``, stage moves through the one operation, blind review and
erasure, bad parameters and the rate limit. Every answer is checked against
the OpenAPI description (``tests.api.Api``)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from ats.models import Application, AuditEvent, Event, Role, RoleStatus, Stage, StageChange
from tests.api import Api, make_token
from tests.fixtures.factories import set_columns

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

ROLE = "healthcare-ai-engineer"


@pytest.fixture
def api(app, client, manager):
    return Api(client, make_token(app, manager))


@pytest.fixture
def recruiter_api(app, client, recruiter):
    return Api(client, make_token(app, recruiter))


def test_roles_lists_open_and_closed_roles_with_skills_and_no_drafts(api, role, db_session, create_role):
    db_session.execute(update(Role).values(status="closed"))
    create_role("draft-role", "Draft Role", RoleStatus.DRAFT)
    create_role("open-role", "Open Role")
    body = api.get("/api/v1/roles").get_json()
    slugs = [item["slug"] for item in body["data"]]
    assert ROLE in slugs
    seed = next(item for item in body["data"] if item["slug"] == ROLE)
    assert seed["status"] == "closed" and seed["title"] == role.title
    assert [skill["slug"] for skill in seed["skills"]] == [skill.slug for skill in role.active_skills]
    assert "draft-role" not in slugs
    assert next(item for item in body["data"] if item["slug"] == "open-role")["status"] == "open"


def test_an_application_has_the_contracts_shape_times_as_the_csv(api, role, create_application, db_session, skills):
    application = create_application(role, "Ada Lovelace", email="ada@example.org", phone="+44 20 1234",
                                     location="London", history=True, source="linkedin",
                                     skills_strong=1, skills_partial=1, skills_assessed=2)
    set_columns(db_session, application.id, applied_at=datetime(2026, 3, 1, 9, 30, 15, 900000, tzinfo=timezone.utc))
    body = api.get(f"/api/v1/applications/{application.id}").get_json()
    assert set(body) == {"id", "role", "stage", "version", "applied_at", "updated_at", "stage_entered_at",
                         "source", "skill_match_score", "candidate", "history"}
    assert body["id"] == application.id and body["role"] == ROLE and body["stage"] == "applied"
    assert body["applied_at"] == "2026-03-01T09:30:15Z"
    assert body["source"] == "linkedin"
    assert body["skill_match_score"] == round(100 * 1.5 / len(skills), 1)
    assert body["candidate"] == {"name": "Ada Lovelace", "email": "ada@example.org", "phone": "+44 20 1234",
                                 "location": "London"}
    [entry] = body["history"]
    assert entry["from"] is None and entry["to"] == "applied" and entry["reason"] == ""
    listed = api.get("/api/v1/applications").get_json()["data"][0]
    assert {key: listed[key] for key in listed} == {key: body[key] for key in listed}


def test_the_csv_and_the_api_agree_on_times_and_scores(app, client, auth, manager, api, role, create_application):
    import csv
    import io

    create_application(role, "Ada Lovelace", skills_strong=2, skills_partial=1, skills_assessed=4)
    create_application(role, "Grace Hopper")
    assert auth.login(manager).status_code == 303
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/pipeline.csv").get_data(as_text=True).lstrip("\ufeff"))))
    listed = {item["id"]: item for item in api.get("/api/v1/applications").get_json()["data"]}
    for row in rows:
        item = listed[int(row["application_id"])]
        for column in ("applied_at", "updated_at", "stage_entered_at", "stage", "source"):
            assert item[column] == row[column]
        assert item["skill_match_score"] == (float(row["skill_match_score"]) if row["skill_match_score"] else None)


def test_pages_of_2500_applications_have_no_gap_or_repeat(app, api, role):
    result = app.test_cli_runner().invoke(args=["ats", "demo", "--applications", "2500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    seen, cursor, pages = [], None, 0
    while True:
        path = "/api/v1/applications?limit=200" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(path).get_json()
        seen += [item["id"] for item in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    with app.app_context():
        from ats.extensions import db

        every = db.session.scalars(select(Application.id).order_by(Application.id)).all()
    assert len(every) == 2500 and seen == every and pages == 13
    assert api.get("/api/v1/applications?cursor=cffffffffffffffff").get_json() == {"data": [], "next_cursor": None}
    default = api.get("/api/v1/applications").get_json()
    assert [item["id"] for item in default["data"]] == every[:50] and default["next_cursor"]


def test_filters_by_role_stage_and_updated_since(api, role, second_role, create_application, db_session):
    second = db_session.scalars(select(Role).where(Role.slug == second_role)).one()
    old = create_application(role, "Old One")
    new = create_application(role, "New One", stage=Stage.SCREENING)
    other = create_application(second, "Elsewhere")
    set_columns(db_session, old.id, updated_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    set_columns(db_session, new.id, updated_at=datetime(2026, 2, 1, 12, tzinfo=timezone.utc))
    set_columns(db_session, other.id, updated_at=datetime(2026, 2, 2, tzinfo=timezone.utc))

    def ids(query):
        return [item["id"] for item in api.get("/api/v1/applications?" + query).get_json()["data"]]

    assert ids(f"role={ROLE}") == [old.id, new.id]
    assert ids("stage=screening") == [new.id]
    assert ids("updated_since=2026-02-01T12:00:00Z") == [new.id, other.id]
    assert ids("updated_since=2026-02-01T13:00:00%2B01:00") == [new.id, other.id]
    assert ids(f"updated_since=2026-02-01T12:00:01Z&role={second_role}") == [other.id]


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "limit=ten", "stage=lost", "role=no-such-role", "role=Not%20A%20Slug",
    "updated_since=yesterday", "updated_since=2026-02-01T12:00:00", "cursor=%25%25", "cursor=c", "cursor=C1", "cursor=c12345678901234567", "cursor=1", "stge=hired",
])
def test_bad_parameters_are_400_problem_json(api, query):
    response = api.get("/api/v1/applications?" + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["title"] == "Bad Request" and problem["detail"]


def test_unknown_ids_and_paths_and_methods_are_problem_json(api):
    assert api.get("/api/v1/applications/999999").status_code == 404
    assert api.get(f"/api/v1/applications/{2**64}").status_code == 404
    assert api.get(f"/api/v1/applications/{2**40}").status_code == 404
    for missing in (999999, 2**31, 2**40, 2**63 - 1, 2**64):
        moved = api.post(f"/api/v1/applications/{missing}/stage", json={"stage": "screening", "version": 1})
        assert moved.status_code == 404 and moved.get_json()["status"] == 404
    assert api.get("/api/v1/nothing-here").status_code == 404
    wrong = api.request("DELETE", "/api/v1/roles")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert api.client.get("/no-such-page").mimetype == "text/html"


def test_a_stage_move_goes_through_the_one_operation(api, manager, role, create_application, db_session):
    application = create_application(role, "Ada Lovelace", history=True)
    response = api.post(f"/api/v1/applications/{application.id}/stage",
                        json={"stage": "screening", "reason": "", "version": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert body["stage"] == "screening" and body["version"] == 2
    assert body["history"][-1]["from"] == "applied" and body["history"][-1]["to"] == "screening"
    change = db_session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert change.actor_kind == "staff" and change.actor_id == manager.id
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.move")).one()
    assert audit.actor_id == manager.id and audit.application_id == application.id
    assert db_session.scalars(select(Event.type).where(Event.application_id == application.id)).all()[-1].value \
        == "application.stage_changed"


def test_a_stale_version_is_409_before_the_rules(api, role, create_application, db_session):
    application = create_application(role, "Ada Lovelace", history=True)
    path = f"/api/v1/applications/{application.id}/stage"
    assert api.post(path, json={"stage": "screening", "version": 1}).status_code == 200
    stale = api.post(path, json={"stage": "hired", "version": 1})  # forbidden too: the version wins
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert db_session.get(Application, application.id).stage is Stage.SCREENING


def test_a_move_the_rules_forbid_is_422_and_changes_nothing(api, role, create_application, db_session):
    application = create_application(role, "Ada Lovelace", stage=Stage.SCREENING, history=True)
    path = f"/api/v1/applications/{application.id}/stage"
    back = api.post(path, json={"stage": "applied", "reason": " ", "version": 1})
    assert back.status_code == 422 and "reason" in back.get_json()["detail"].lower()
    assert api.post(path, json={"stage": "screening", "version": 1}).status_code == 422
    assert db_session.get(Application, application.id).version == 1
    assert api.post(path, json={"stage": "applied", "reason": "Misfiled", "version": 1}).status_code == 200


@pytest.mark.parametrize("body", [
    {}, {"stage": "screening"}, {"stage": "nowhere", "version": 1}, {"stage": "screening", "version": "one"},
    {"stage": "screening", "version": 0}, {"stage": "screening", "version": 1, "reason": "x" * 2001}, [],
    {"stage": "screening", "version": 1, "note": "unknown field"},
])
def test_a_bad_move_body_is_400(api, role, create_application, body):
    application = create_application(role, "Ada Lovelace")
    response = api.post(f"/api/v1/applications/{application.id}/stage", json=body)
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_not_json_is_400(api, role, create_application):
    application = create_application(role, "Ada Lovelace")
    response = api.post(f"/api/v1/applications/{application.id}/stage", data="stage=screening",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_blind_review_hides_candidates_from_a_recruiters_token_only(api, recruiter_api, role, create_application,
                                                                   db_session):
    application = create_application(role, "Ada Lovelace", email="ada@example.org")
    db_session.execute(update(Role).where(Role.id == role.id).values(blind_review=True))
    nobody = {"name": None, "email": None, "phone": None, "location": None}
    assert recruiter_api.get(f"/api/v1/applications/{application.id}").get_json()["candidate"] == nobody
    assert recruiter_api.get("/api/v1/applications").get_json()["data"][0]["candidate"] == nobody
    moved = recruiter_api.post(f"/api/v1/applications/{application.id}/stage",
                               json={"stage": "screening", "version": 1})
    assert moved.status_code == 200 and moved.get_json()["candidate"] == nobody
    assert api.get(f"/api/v1/applications/{application.id}").get_json()["candidate"]["name"] == "Ada Lovelace"
    set_columns(db_session, application.id, identity_revealed_at=datetime.now(timezone.utc))
    assert recruiter_api.get(f"/api/v1/applications/{application.id}").get_json()["candidate"]["email"] \
        == "ada@example.org"


def test_an_erased_candidates_applications_show_no_one(app, api, role, create_application, db_session):
    application = create_application(role, "Ada Lovelace", email="ada@example.org", history=True)
    from ats.operations.erasure import erase_candidate

    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
    body = api.get(f"/api/v1/applications/{application.id}").get_json()
    assert body["candidate"] == {"name": None, "email": None, "phone": None, "location": None}
    assert "Ada" not in str(api.get("/api/v1/applications").get_json())


def test_the_rate_limit_is_per_token_and_answers_429_problem_json(app, client, recruiter, manager, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_API_LIMIT", "3 per minute")
    first = Api(client, make_token(app, recruiter))
    second = Api(client, make_token(app, manager))
    for _ in range(3):
        assert first.get("/api/v1/roles").status_code == 200
    limited = first.get("/api/v1/roles")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert limited.get_json()["status"] == 429
    assert second.get("/api/v1/roles").status_code == 200
