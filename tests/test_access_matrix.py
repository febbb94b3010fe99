"""Who may reach which staff page: every staff route × anonymous, recruiter,
manager and admin, from the registry that ``ats.access`` keeps.

A new route outside the public pages that is not protected fails here.
"""
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint

from ats import create_app
from ats.access import access_required, protected_endpoints, require_access
from ats.models import Access
from config import TestingConfig

# Endpoints anyone may reach: the public blueprint, static files, and the
# sign-in and sign-out forms themselves (the code step of signing in too: it
# opens only for a browser whose password was right, tests/test_totp.py).
PUBLIC_BLUEPRINTS = {"public"}
# /metrics needs no sign-in: it answers only the addresses in ATS_METRICS_ALLOW
# (tests/test_observability.py).
OPEN_ENDPOINTS = {"static", "auth.login", "auth.login_code", "auth.logout", "auth.forgot_password",
                  "auth.set_password", "metrics"}

# The contract's "who may do what", by path.
CONTRACT_MINIMUM = {
    "/pipeline/": Access.RECRUITER,
    "/interviews/": Access.RECRUITER,
    "/reports/": Access.MANAGER,
    "/admin/": Access.ADMIN,
}


# The JSON API takes no session: its routes are guarded by bearer tokens,
# and tests/test_api_access.py is their matrix.
TOKEN_BLUEPRINTS = {"api"}


def is_open(endpoint: str) -> bool:
    return endpoint in OPEN_ENDPOINTS or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS | TOKEN_BLUEPRINTS


def staff_requests(app):
    """(endpoint, method, path, minimum access) for every staff route, with
    every URL argument filled in as 1 (an id or a slug that need not exist:
    the access check comes before the lookup)."""
    protected = protected_endpoints(app)
    adapter = app.url_map.bind("localhost")
    requests = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in protected:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = "GET" if "GET" in methods else methods[0]
        path = adapter.build(rule.endpoint, {arg: "1" for arg in rule.arguments}, method=method)
        requests.append((rule.endpoint, method, path, protected[rule.endpoint]))
    return requests


def send(client, method: str, path: str, token: str):
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": token})


def unprotected_routes(app) -> list[str]:
    protected = protected_endpoints(app)
    return sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if not is_open(rule.endpoint) and rule.endpoint not in protected
    )


def test_every_route_outside_the_public_pages_is_protected(app):
    unprotected = unprotected_routes(app)
    assert not unprotected, f"routes without an access check: {unprotected}"


def test_the_registry_knows_the_dashboard(app):
    assert protected_endpoints(app)["pipeline.dashboard"] is Access.RECRUITER


def test_protected_routes_ask_what_the_contract_says(app):
    wrong = []
    for endpoint, _, path, minimum in staff_requests(app):
        for prefix, expected in CONTRACT_MINIMUM.items():
            if path.startswith(prefix) and minimum is not expected:
                wrong.append(f"{path} ({endpoint}) needs {minimum.value}, the contract says {expected.value}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_sign_in(app, client, auth):
    requests = staff_requests(app)
    assert requests
    token = auth.token("/login")
    wrong = []
    for endpoint, method, path, _ in requests:
        response = send(client, method, path, token)
        target = urlsplit(response.headers.get("Location", ""))
        if (
            response.status_code not in (302, 303)
            or target.path != "/login"
            or parse_qs(target.query).get("next") != [path]
        ):
            wrong.append(f"{method} {path} ({endpoint}): {response.status_code} {target.geturl()}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("access", list(Access), ids=lambda a: a.value)
def test_staff_reach_what_their_access_allows_and_no_more(app, client, create_staff, auth, access):
    assert auth.login(create_staff(access=access)).status_code == 303
    token = auth.token("/pipeline/")
    wrong = []
    for endpoint, method, path, minimum in staff_requests(app):
        status = send(client, method, path, token).status_code
        allowed = access >= minimum
        if allowed and status in (302, 403):
            wrong.append(f"{method} {path} ({endpoint}): {status}, but {access.value} may")
        if not allowed and status != 403:
            wrong.append(f"{method} {path} ({endpoint}): {status}, but only {minimum.value} and above may")
    assert not wrong, "\n".join(wrong)


# --- The helpers themselves, on an app with routes made for the purpose ------------


@pytest.fixture
def access_app(app):
    """The app plus a manager-only blueprint with an admin-only view, and a lone
    view protected by the decorator alone; same database as ``app``."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    other = create_app(Config)
    managers = Blueprint("managers", __name__, url_prefix="/managers")
    require_access(managers, Access.MANAGER)

    @managers.get("/")
    def home():
        return "managers"

    @managers.get("/admins")
    @access_required(Access.ADMIN)
    def admins():
        return "admins"

    lone = Blueprint("lone", __name__)

    @lone.get("/lone")
    @access_required(Access.MANAGER)
    def lone_view():
        return "lone"

    @lone.get("/open")
    def open_view():
        return "open"

    other.register_blueprint(managers)
    other.register_blueprint(lone)
    return other


def test_the_registry_records_blueprints_and_views(access_app):
    protected = protected_endpoints(access_app)
    assert protected["managers.home"] is Access.MANAGER
    assert protected["managers.admins"] is Access.ADMIN
    assert protected["lone.lone_view"] is Access.MANAGER
    assert "lone.open_view" not in protected
    # The check above would catch it.
    assert unprotected_routes(access_app) == ["/open (lone.open_view)"]


@pytest.mark.parametrize(
    "access, expected",
    [
        (None, {"/managers/": 302, "/managers/admins": 302, "/lone": 302, "/open": 200}),
        (Access.RECRUITER, {"/managers/": 403, "/managers/admins": 403, "/lone": 403, "/open": 200}),
        (Access.MANAGER, {"/managers/": 200, "/managers/admins": 403, "/lone": 200, "/open": 200}),
        (Access.ADMIN, {"/managers/": 200, "/managers/admins": 200, "/lone": 200, "/open": 200}),
    ],
    ids=["anonymous", "recruiter", "manager", "admin"],
)
def test_blueprint_minimum_and_view_minimum_both_apply(access_app, create_staff, auth, access, expected):
    client = access_app.test_client()
    if access is not None:
        assert auth.using(client).login(create_staff(access=access)).status_code == 303
    assert {path: client.get(path).status_code for path in expected} == expected


def test_the_messages_to_candidates_are_for_admins_only(app):
    protected = protected_endpoints(app)
    for endpoint in ("admin.messages", "admin.edit_message", "admin.reset_message", "admin.preview_message"):
        assert protected[endpoint] is Access.ADMIN, endpoint
