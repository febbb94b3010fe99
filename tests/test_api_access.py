"""Who may use the API: every API route × no token, a malformed header, an
unknown token, a revoked one, a deactivated user's, and each access level.
(The session routes' matrix is tests/test_access_matrix.py.)"""
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.models import Access
from tests.api import Api, bearer, make_token

# Every API route, with ids that need not exist: the token is checked first.
ROUTES = [
    ("GET", "/api/v1/roles", "/api/v1/roles", None),
    ("GET", "/api/v1/applications", "/api/v1/applications", None),
    ("GET", "/api/v1/applications/1", "/api/v1/applications/{application_id}", None),
    ("POST", "/api/v1/applications/1/stage", "/api/v1/applications/{application_id}/stage",
     {"stage": "screening", "reason": "", "version": 1}),
]


def test_the_routes_here_are_every_api_route(app):
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, template.replace("{application_id}", "<int:application_id>")) for method, _, template, _
              in ROUTES} | {("GET", "/api/v1/openapi.json")}
    assert rules == listed


def refusals(app, client, create_staff):
    """(what, headers) for each way of being refused with 401."""
    revoked_owner = create_staff(Access.ADMIN)
    revoked = make_token(app, revoked_owner)
    from ats.extensions import db
    from ats.models import ApiToken
    from ats.operations.api_tokens import revoke_token

    with app.app_context():
        revoke_token(revoked_owner.id, db.session.query(ApiToken.id).filter_by(user_id=revoked_owner.id).scalar())
        db.session.remove()
    gone = create_staff(Access.ADMIN)
    gone_token = make_token(app, gone)
    from ats.operations.staff import deactivate, find_by_email

    with app.app_context():
        deactivate(find_by_email(gone.email))
        db.session.commit()
        db.session.remove()
    return [
        ("no token", {}),
        ("not bearer", {"Authorization": f"Basic {revoked}"}),
        ("empty bearer", {"Authorization": "Bearer "}),
        ("unknown", bearer("ats_" + "x" * 43)),
        ("not ours", bearer("some-other-token")),
        ("revoked", bearer(revoked)),
        ("deactivated user's", bearer(gone_token)),
    ]


def test_without_a_valid_token_every_route_is_401_problem_json(app, client, create_staff):
    api = Api(client, None)
    for what, headers in refusals(app, client, create_staff):
        for method, path, template, body in ROUTES:
            response = api.request(method, path, template, headers=headers or {"X-None": "1"}, json=body)
            assert response.status_code == 401, (what, path)
            assert response.mimetype == "application/problem+json"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            problem = response.get_json()
            assert problem["status"] == 401 and problem["title"] == "Unauthorized" and problem["detail"]
            assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("access", list(Access))
def test_every_level_reaches_every_route(app, client, create_staff, access, role, create_application):
    application = create_application(role, "Ada Lovelace", history=True)
    api = Api(client, make_token(app, create_staff(access)))
    for method, path, template, body in ROUTES:
        path = path.replace("/1", f"/{application.id}")
        response = api.request(method, path, template, json=body)
        assert response.status_code == 200, (access, path, response.get_json())


def test_a_session_cookie_opens_nothing_and_the_csrf_check_does_not_apply(client, auth, signed_in):
    response = client.get("/api/v1/roles")
    assert response.status_code == 401
    moved = client.post("/api/v1/applications/1/stage", json={"stage": "screening", "version": 1})
    assert moved.status_code == 401 and moved.mimetype == "application/problem+json"


def test_the_api_never_reads_the_session(app, client, auth, create_staff, db_session, monkeypatch):
    """A session cookie sent along is not looked at: it does not keep the
    session alive, and an admin who must still enrol in two-step sign-in is
    not sent to enrolment from the API."""
    from ats.models import StaffSession

    monkeypatch.setitem(app.config, "ATS_REQUIRE_TOTP_FOR_ADMINS", True)
    admin = create_staff(Access.ADMIN)
    assert auth.login(admin).status_code == 303
    # Seen five minutes ago: a request of that session would write the time anew.
    before = db_session.scalars(select(StaffSession.last_seen_at)).one() - timedelta(minutes=5)
    db_session.execute(StaffSession.__table__.update().values(last_seen_at=before))
    seen = db_session.scalars(select(StaffSession.last_seen_at)).all()
    api = Api(client, make_token(app, admin))
    response = api.get("/api/v1/roles")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert db_session.scalars(select(StaffSession.last_seen_at)).all() == seen
    assert client.get("/pipeline/").status_code == 303  # the pages still send this admin to enrol
    assert db_session.scalars(select(StaffSession.last_seen_at)).all() != seen


def test_the_level_check_answers_403_below_the_minimum(app, create_staff, monkeypatch):
    """Every route needs recruiter access, the least there is; were one to
    need more, a lower token is refused with 403 problem+json."""
    from ats.api import routes

    monkeypatch.setattr(routes, "MINIMUM", Access.MANAGER)
    api = Api(app.test_client(), make_token(app, create_staff(Access.RECRUITER)))
    response = api.get("/api/v1/roles")
    assert response.status_code == 403 and response.get_json()["status"] == 403
    assert Api(app.test_client(), make_token(app, create_staff(Access.MANAGER))).get("/api/v1/roles").status_code == 200


def test_the_description_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"
