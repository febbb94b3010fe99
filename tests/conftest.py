"""Fixtures shared by every test.

The database is real: a SQLite file by default, or the PostgreSQL database
named by TEST_DATABASE_URL. Its schema is built by the project's own
migrations once per run; every test starts from empty tables.
"""
import itertools
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ats import create_app
from ats.extensions import db, limiter
from ats.models import Access, Stage
from ats.tools.catalog import load_catalog
from config import TestingConfig, database_url

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        # A file, not :memory:, so the live server's threads see the same data.
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    parsed = make_url(url)
    if "test" not in (parsed.database or ""):
        raise pytest.UsageError(
            f"TEST_DATABASE_URL names database {parsed.database!r}; the suite empties "
            "its database, so the name must contain 'test'"
        )
    return database_url(url)


def _reset_schema() -> None:
    """Drop whatever an earlier run left, then build the schema from the migrations."""
    from flask_migrate import upgrade

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("ats")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_dir)
        ATS_UPLOAD_DIR = str(tmp_dir / "uploads")

    app = create_app(Config)
    app.test_client_class = TestClient
    with app.app_context():
        _reset_schema()
    return app


# SQL: (role, stage, kept count, real count) wherever the count that
# stage_counts keeps differs from a fresh count, or is missing.
_STAGES = " UNION ALL ".join(f"SELECT '{stage.value}' AS stage" for stage in Stage)
STAGE_COUNTS_DISAGREE = f"""
    SELECT role_id, stage, kept, counted FROM (
        SELECT roles.id AS role_id, stages.stage, stage_counts.applications AS kept,
               (SELECT COUNT(*) FROM applications
                WHERE applications.role_id = roles.id AND applications.stage = stages.stage) AS counted
        FROM roles CROSS JOIN ({_STAGES}) AS stages
        LEFT JOIN stage_counts ON stage_counts.role_id = roles.id AND stage_counts.stage = stages.stage
    ) AS compared
    WHERE kept IS NULL OR kept <> counted
"""


@pytest.fixture(autouse=True)
def _empty_tables(app):
    """Every test starts, and leaves, with empty tables and fresh rate limits."""
    yield
    limiter.reset()
    with app.app_context():
        db.session.remove()
        # Whatever the test wrote, and however, the database's triggers must
        # have kept the board's counts equal to a fresh count.
        with db.engine.connect() as conn:
            assert conn.execute(text(STAGE_COUNTS_DISAGREE)).all() == [], "stage_counts disagree with applications"
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE, not TRUNCATE: on tables this small it is many times faster.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app):
    """The role catalog as shipped, loaded."""
    with app.app_context():
        load_catalog(ROOT / "catalog")


@pytest.fixture
def role(seeded, db_session):
    """The catalog's first role, Healthcare AI Engineer, as shipped (a module may
    define its own ``role``)."""
    from ats.models import Role

    return db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()


# Sessions that tests use to look at the database beside the app's requests.
_TEST_SESSIONS: list[Session] = []


class TestClient(FlaskClient):
    """After every request, the tests' own sessions forget the rows they had
    loaded, so they see what the request committed."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        for session in _TEST_SESSIONS:
            session.expire_all()
        return response


@pytest.fixture
def db_session(app):
    """A session of the test's own, for reading and writing rows around requests.

    It is not the app's scoped session and pushes no app context: a request
    made during the test gets its own context, with its own ``g``, as in
    production. Each statement commits on its own (AUTOCOMMIT), so a query
    always sees the latest committed data, never an old snapshot.
    """
    with app.app_context():
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    session = Session(engine)
    _TEST_SESSIONS.append(session)
    yield session
    _TEST_SESSIONS.remove(session)
    session.close()


@pytest.fixture
def app_session(app):
    """The app's own session inside a pushed app context, for tests that call
    services directly and make no requests."""
    with app.app_context():
        yield db.session
        db.session.remove()


# --- The browser harness -------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def missing(what: str):
    """Skip a test that needs something this machine lacks; in CI, fail instead."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: the browser and database tests must run)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def live_server(app):
    """The app served on a free local port, in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    """Runs a browser test once per viewport: desktop and phone."""
    return request.param


@pytest.fixture
def page(browser, live_server, viewport):
    """A fresh browser page on the live server; fails the test on a script
    error or a Content-Security-Policy violation."""
    context = browser.new_context(base_url=live_server, **VIEWPORTS[viewport])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console: {msg.text}")
        if "Content Security Policy" in msg.text
        else None,
    )
    page.viewport_name = viewport
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def pytest_collection_modifyitems(config, items):
    """Every test that starts Chromium, through ``page`` or ``browser`` itself,
    carries the ``browser`` marker, so ``-m "not browser"`` leaves them all out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    where = make_url(url).render_as_string(hide_password=True) if url else "SQLite (temporary file)"
    return f"database: {where}; CI={'true' if IN_CI else 'false'}"

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_SCRIPT.exists():
        missing(f"{AXE_SCRIPT.relative_to(ROOT)} is missing (npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def assert_accessible(page, axe_source):
    """Runs axe-core on the page as it is now; fails on any serious or critical violation.

    The script is evaluated over the DevTools protocol, so the page's own
    Content-Security-Policy stays in force while it runs.
    """

    def check() -> None:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        results = page.evaluate(
            """async () => await axe.run(document, {
                resultTypes: ['violations'],
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            })"""
        )
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        report = "\n".join(
            f"{v['impact']}: {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in serious
        )
        assert not serious, f"axe on {page.url} ({page.viewport_name}):\n{report}"

    return check


@pytest.fixture
def screenshot(page):
    """Saves a full-page PNG under test-artifacts/, named for the page and viewport."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- Candidates' side: mail, uploads, forms ------------------------------

@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """The mail outbox as a function returning the messages sent so far, oldest first."""
    import email
    from email import policy

    directory = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "outbox")
    monkeypatch.setitem(app.config, "ATS_MAIL_OUTBOX", str(directory))

    def messages():
        if not directory.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(directory.glob("*.eml"))
        ]

    return messages


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    directory = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "ATS_UPLOAD_DIR", str(directory))
    return directory


def csrf_token_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token on the page"
    return match.group(1)


@pytest.fixture
def csrf(client):
    """A CSRF token valid for ``client``'s session, read from a page that shows a form."""

    def token(path: str = "/roles/healthcare-ai-engineer") -> str:
        return csrf_token_from(client.get(path).get_data(as_text=True))

    return token


@pytest.fixture
def second_role(app, seeded, tmp_path):
    """Another published role next to the seed one; returns its slug."""
    import shutil

    catalog = tmp_path / "catalog-two"
    shutil.copytree(ROOT / "catalog", catalog)
    source = (catalog / "roles" / "healthcare-ai-engineer.toml").read_text(encoding="utf-8")
    (catalog / "roles" / "clinical-data-scientist.toml").write_text(
        source.replace('slug = "healthcare-ai-engineer"', 'slug = "clinical-data-scientist"')
        .replace('title = "Healthcare AI Engineer"', 'title = "Clinical Data Scientist"'),
        encoding="utf-8",
    )
    with app.app_context():
        load_catalog(catalog)
    return "clinical-data-scientist"


# --- Staff: accounts and signing in ---------------------------------------

STAFF_PASSWORD = "staff password for tests"


@dataclass(frozen=True)
class StaffAccount:
    id: int
    email: str
    name: str
    access: Access
    password: str


@pytest.fixture
def create_staff(app):
    """A factory: ``create_staff(access=Access.RECRUITER, email=None, …)`` makes a
    staff account through the service the CLI uses and returns its details."""
    from ats.operations.staff import deactivate, save_staff_user

    numbers = itertools.count(1)

    def create(access=Access.RECRUITER, email=None, name=None, password=STAFF_PASSWORD, active=True):
        access = Access(access)
        number = next(numbers)
        with app.app_context():
            user = save_staff_user(
                email or f"{access.value}{number}@staff.example",
                name or f"{access.label} Number {number}",
                access,
                password,
            ).user
            if not active:
                deactivate(user)
            account = StaffAccount(user.id, user.email, user.name, user.access, password)
            db.session.remove()
        return account

    return create


def staff_csrf_token(client, path: str = "/login") -> str:
    """A CSRF token for ``client``'s session, read from the form at ``path``."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no csrf_token on {path}"
    return match.group(1)


class AuthActions:
    """Signs ``client`` in and out through the real forms (flaskr's AuthActions)."""

    def __init__(self, client):
        self.client = client

    def login(self, account=None, *, email=None, password=None, next=None):
        data = {
            "csrf_token": staff_csrf_token(self.client),
            "email": email if email is not None else account.email,
            "password": password if password is not None else account.password,
        }
        if next is not None:
            data["next"] = next
        return self.client.post("/login", data=data)

    def using(self, client) -> "AuthActions":
        return AuthActions(client)

    def token(self, path: str = "/login") -> str:
        return staff_csrf_token(self.client, path)

    def logout(self):
        # Signed in, the sign-out form is in the header of every page.
        token = staff_csrf_token(self.client, "/pipeline/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def create_role(db_session):
    """A factory: ``create_role(slug, title)`` writes a minimal role straight to the database."""
    from datetime import date

    from ats.models import Role

    def create(slug: str, title: str):
        role = Role(
            slug=slug, title=title, title_plural=f"{title}s", headline=f"{title} jobs",
            summary="A role.", introduction="Intro.", duties="Duties.", day_in_life="A day.",
            apply_text="Apply.", employment_types="FULL_TIME", date_posted=date(2026, 1, 5),
        )
        db_session.add(role)
        db_session.commit()
        return role

    return create


@pytest.fixture
def create_application(db_session):
    """A factory: ``create_application(role, name, stage=Stage.APPLIED, days_in_stage=0)``
    writes a candidate and their application straight to the database."""
    import secrets
    from datetime import timedelta

    from ats.models import Application, Candidate, Stage, utcnow

    def create(role, name: str, stage=Stage.APPLIED, days_in_stage: int = 0):
        email = f"{secrets.token_hex(6)}@example.com"
        entered = utcnow() - timedelta(days=days_in_stage, hours=1)
        application = Application(
            role=role, candidate=Candidate(email=email, email_key=email, full_name=name),
            stage=stage, full_name=name, email=email, status_token=secrets.token_urlsafe(16),
            applied_at=entered, stage_entered_at=entered,
        )
        db_session.add(application)
        db_session.commit()
        return application

    return create
