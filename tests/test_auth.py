"""Staff accounts and signing in: the create-user command, the sign-in form,
its throttling, sessions that end, and signing out."""
import html
import re
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from ats.extensions import db
from ats.models import Access, StaffSession, StaffUser, utcnow
from ats.operations.staff import deactivate, save_staff_user
from ats.web import safe_next_path

GOOD_PASSWORD = "correct horse battery staple"


# The command and the requests write through sessions of their own; each read
# here starts a new transaction, so it sees what they committed.


def staff_count(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(StaffUser))


def get_user(db_session, email: str) -> StaffUser:
    db_session.rollback()
    return db_session.scalars(select(StaffUser).filter_by(email=email)).one()


def alert_text(response) -> str:
    """The text of the page's error box, tags dropped."""
    match = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S)
    assert match, "no error box on the page"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))).strip()


def open_session_row(db_session, email: str) -> str:
    """A session of the user's as sign-in leaves it; its row id."""
    user = get_user(db_session, email)
    db_session.add(StaffSession(id="a" * 64, user_id=user.id, created_at=utcnow(), last_seen_at=utcnow()))
    db_session.commit()
    return "a" * 64


def session_revoked(db_session, session_id: str) -> bool:
    db_session.rollback()
    return db_session.get(StaffSession, session_id, populate_existing=True).revoked_at is not None


def location(response) -> str:
    """The redirect target as a path with its query, whatever form the header takes."""
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- The create-user command ------------------------------------------------


@pytest.fixture
def cli(app, monkeypatch):
    monkeypatch.delenv("ATS_PASSWORD", raising=False)
    runner = app.test_cli_runner()

    def run(*args, env=None):
        return runner.invoke(args=["ats", "create-user", *args], env=env)

    return run


def test_create_user_makes_an_account(cli, db_session):
    result = cli("Ada.Lovelace@Example.COM", "--name", "Ada Lovelace", "--role", "manager",
                 "--password", GOOD_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    user = get_user(db_session, "ada.lovelace@example.com")
    assert user.name == "Ada Lovelace"
    assert user.access is Access.MANAGER
    assert user.active
    assert user.check_password(GOOD_PASSWORD)


def test_create_user_takes_the_password_from_the_environment(cli, db_session):
    result = cli("ops@example.com", "--name", "Ops", "--role", "admin", env={"ATS_PASSWORD": GOOD_PASSWORD})
    assert result.exit_code == 0, result.output
    assert get_user(db_session, "ops@example.com").check_password(GOOD_PASSWORD)


def test_create_user_again_updates_the_same_account(cli, db_session):
    cli("ada@example.com", "--name", "Ada", "--role", "recruiter", "--password", GOOD_PASSWORD)
    session_id = open_session_row(db_session, "ada@example.com")

    result = cli("ADA@example.com", "--name", "Ada King", "--role", "admin",
                 "--password", "a brand new passphrase")
    assert result.exit_code == 0, result.output
    assert "updated" in result.output
    assert staff_count(db_session) == 1
    user = get_user(db_session, "ada@example.com")
    assert (user.name, user.access) == ("Ada King", Access.ADMIN)
    assert user.check_password("a brand new passphrase")
    assert not user.check_password(GOOD_PASSWORD)
    assert session_revoked(db_session, session_id)


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["not-an-email", "--name", "X", "--role", "admin", "--password", GOOD_PASSWORD], None,
         "not a valid email address"),
        (["x@", "--name", "X", "--role", "admin", "--password", GOOD_PASSWORD], None,
         "not a valid email address"),
        (["x@example.com", "--name", "X", "--role", "admin", "--password", "too short"], None,
         "at least 12 characters"),
        (["x@example.com", "--name", "X", "--role", "admin"], None, "password is required"),
        (["x@example.com", "--name", "X", "--role", "admin"], {"ATS_PASSWORD": ""}, "password is required"),
        (["x@example.com", "--name", "X", "--role", "boss", "--password", GOOD_PASSWORD], None,
         "'boss' is not one of"),
        (["x@example.com", "--name", "   ", "--role", "admin", "--password", GOOD_PASSWORD], None,
         "name is required"),
        (["x@example.com", "--role", "admin", "--password", GOOD_PASSWORD], None, "--name"),
    ],
    ids=["no-at-sign", "no-domain", "short-password", "no-password", "empty-env-password",
         "unknown-role", "blank-name", "missing-name"],
)
def test_create_user_refuses_bad_input_and_writes_nothing(cli, db_session, args, env, message):
    result = cli(*args, env=env)
    assert result.exit_code != 0
    assert message in result.output
    assert staff_count(db_session) == 0


def test_a_refused_update_leaves_the_account_as_it_was(cli, db_session):
    cli("ada@example.com", "--name", "Ada", "--role", "recruiter", "--password", GOOD_PASSWORD)
    session_id = open_session_row(db_session, "ada@example.com")
    result = cli("ada@example.com", "--name", "Ada King", "--role", "admin", "--password", "short")
    assert result.exit_code != 0
    user = get_user(db_session, "ada@example.com")
    assert (user.name, user.access) == ("Ada", Access.RECRUITER)
    assert not session_revoked(db_session, session_id)
    assert user.check_password(GOOD_PASSWORD)


# --- The model ----------------------------------------------------------------


def test_the_password_is_stored_as_an_argon2id_hash(create_staff, db_session):
    account = create_staff(password=GOOD_PASSWORD)
    user = db_session.get(StaffUser, account.id)
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash
    assert user.check_password(GOOD_PASSWORD)
    assert not user.check_password(GOOD_PASSWORD.upper())


def test_passwords_shorter_than_twelve_characters_are_refused():
    user = StaffUser(email="x@example.com", name="X", access=Access.RECRUITER)
    with pytest.raises(ValueError, match="at least 12 characters"):
        user.set_password("eleven char")


def test_access_levels_are_ordered():
    assert Access.ADMIN > Access.MANAGER > Access.RECRUITER
    assert Access.MANAGER >= Access.MANAGER
    assert max(Access) is Access.ADMIN


def test_production_hashes_at_the_librarys_full_cost():
    from config import ProductionConfig

    assert ProductionConfig.ATS_PASSWORD_HASHING == {}


def test_an_outdated_hash_is_upgraded_at_sign_in(app, create_staff, auth, db_session, monkeypatch):
    # Production's figures (the library's defaults), not the suite's cheap ones.
    monkeypatch.setitem(app.config, "ATS_PASSWORD_HASHING", {})
    account = create_staff()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    user = db_session.get(StaffUser, account.id)
    user.password_hash = weak.hash(account.password)
    db_session.commit()

    assert auth.login(account).status_code == 303
    upgraded = get_user(db_session, account.email).password_hash
    assert upgraded.startswith("$argon2id$") and "t=1," not in upgraded
    assert not PasswordHasher().check_needs_rehash(upgraded)


# --- Signing in ------------------------------------------------------------------


def test_the_sign_in_page_has_the_contract_fields(client):
    response = client.get("/login?next=/pipeline/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for name in ("csrf_token", "email", "password", "next"):
        assert f'name="{name}"' in body, name
    assert re.search(r'name="next"[^>]*value="/pipeline/"', body)


def test_signing_in_lands_on_the_pipeline(create_staff, auth, client, db_session):
    account = create_staff()
    response = auth.login(account)
    assert response.status_code == 303
    assert location(response) == "/pipeline/"
    assert client.get("/pipeline/").status_code == 200
    assert get_user(db_session, account.email).last_login_at is not None


def test_the_email_is_matched_whatever_its_case(create_staff, auth):
    account = create_staff(email="mixed@example.com")
    assert auth.login(account, email="  MIXED@Example.com ").status_code == 303


def test_signing_in_goes_on_to_a_same_site_next(create_staff, auth):
    response = auth.login(create_staff(), next="/pipeline/?q=ada%20l&stage=applied")
    assert response.status_code == 303
    assert location(response) == "/pipeline/?q=ada%20l&stage=applied"


@pytest.mark.parametrize(
    "next_value",
    [
        "https://evil.example/",
        "http://localhost/pipeline/",
        "//evil.example/pipeline/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "pipeline/",
        "",
    ],
)
def test_off_site_next_values_are_ignored(create_staff, auth, next_value):
    response = auth.login(create_staff(), next=next_value)
    assert response.status_code == 303
    assert response.headers["Location"] == "/pipeline/"


def test_an_off_site_next_is_not_put_in_the_form(client):
    response = client.get("/login?next=//evil.example")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # The sign-in form is there, its "next" field empty...
    assert 'name="email"' in body and 'name="password"' in body
    assert re.search(r'<input[^>]*name="next"[^>]*value=""', body) or re.search(r'<input[^>]*value=""[^>]*name="next"', body)
    # ...and the address appears nowhere.
    assert "evil.example" not in body


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/pipeline/", "/pipeline/"),
        ("/pipeline/applications/3?tab=notes#x", "/pipeline/applications/3?tab=notes#x"),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example", None),
        ("/ok\nLocation: x", None),
        (None, None),
    ],
)
def test_safe_next_path(value, expected):
    assert safe_next_path(value) == expected


def test_wrong_password_and_unknown_email_answer_alike(create_staff, auth, client):
    account = create_staff()
    wrong_password = auth.login(account, password="not the right password")
    unknown_email = auth.login(email="nobody@example.com", password=account.password)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert alert_text(wrong_password) == alert_text(unknown_email)
    assert "do not match" in alert_text(wrong_password)
    # Still signed out.
    assert client.get("/pipeline/").status_code == 302


def test_the_email_is_kept_and_the_password_is_not(create_staff, auth):
    account = create_staff()
    body = auth.login(account, password="not the right password").get_data(as_text=True)
    assert f'value="{account.email}"' in body
    assert "not the right password" not in body


def test_blank_fields_are_explained(auth):
    response = auth.login(email="", password="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter your email address." in body
    assert "Enter your password." in body


def test_a_deactivated_user_cannot_sign_in(create_staff, auth):
    account = create_staff(active=False)
    response = auth.login(account)
    assert response.status_code == 401
    assert "do not match" in alert_text(response)


def test_signing_in_without_a_csrf_token_is_refused(create_staff, client):
    account = create_staff()
    response = client.post("/login", data={"email": account.email, "password": account.password})
    assert response.status_code == 400
    assert client.get("/pipeline/").status_code == 302


def test_a_signed_in_user_visiting_the_sign_in_page_goes_on(create_staff, auth, client):
    auth.login(create_staff())
    response = client.get("/login")
    assert response.status_code == 303
    assert location(response) == "/pipeline/"


# --- Throttling ------------------------------------------------------------------


def test_too_many_failures_for_one_account_are_throttled(app, create_staff, auth, client, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "3 per minute")
    account = create_staff(email="ada@example.com")
    for email in ("ada@example.com", "ADA@example.com", "Ada@Example.com"):
        assert auth.login(account, email=email, password="wrong password here").status_code == 401

    # Now even the right password waits.
    response = auth.login(account)
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    # Another account from the same address is not affected.
    assert auth.login(create_staff()).status_code == 303


def test_too_many_failures_from_one_address_are_throttled(app, create_staff, auth, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_LOGIN_ADDRESS_LIMIT", "3 per minute")
    account = create_staff()
    for number in range(3):
        assert auth.login(email=f"guess{number}@example.com", password="wrong password").status_code == 401

    assert auth.login(account).status_code == 429

    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert auth.using(elsewhere).login(account).status_code == 303


def test_successful_sign_ins_are_not_counted(app, create_staff, auth, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "ATS_LOGIN_ADDRESS_LIMIT", "2 per minute")
    account = create_staff()
    for _ in range(4):
        assert auth.login(account).status_code == 303
        assert auth.logout().status_code == 303


# --- Sessions that end, and signing out -----------------------------------------


def test_deactivation_ends_an_open_session(app, create_staff, auth, client):
    account = create_staff()
    auth.login(account)
    assert client.get("/pipeline/").status_code == 200

    with app.app_context():
        deactivate(db.session.get(StaffUser, account.id))
    response = client.get("/pipeline/")
    assert response.status_code == 302
    assert location(response).startswith("/login")


def test_a_new_password_ends_an_open_session(app, create_staff, auth, client):
    account = create_staff()
    auth.login(account)
    assert client.get("/pipeline/").status_code == 200

    with app.app_context():
        save_staff_user(account.email, account.name, account.access, "a different long password")
    assert client.get("/pipeline/").status_code == 302
    # The new password signs in again.
    assert auth.login(account, password="a different long password").status_code == 303
    assert client.get("/pipeline/").status_code == 200


def test_signing_out_needs_a_post(create_staff, auth, client):
    auth.login(create_staff())
    assert client.get("/logout").status_code == 405
    assert client.get("/pipeline/").status_code == 200


def test_signing_out_needs_a_csrf_token(create_staff, auth, client):
    auth.login(create_staff())
    assert client.post("/logout").status_code == 400
    assert client.get("/pipeline/").status_code == 200


def test_signing_out(create_staff, auth, client):
    auth.login(create_staff())
    response = auth.logout()
    assert response.status_code == 303
    assert location(response) == "/login"
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/pipeline/").status_code == 302


# --- The header -----------------------------------------------------------------


def test_the_header_offers_staff_sign_in_to_visitors(client, seeded):
    body = client.get("/").get_data(as_text=True)
    assert ">Open roles</a>" in body
    assert 'href="/login">Staff sign in</a>' in body
    assert "Sign out" not in body


def test_the_header_shows_the_signed_in_user_escaped(create_staff, auth, client, seeded):
    auth.login(create_staff(name="<b>Eve</b> & Co"))
    body = client.get("/").get_data(as_text=True)
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; Co" in body
    assert "<b>Eve</b>" not in body
    assert 'href="/pipeline/">Pipeline</a>' in body
    assert re.search(r'<form[^>]*action="/logout"', body)
    assert "Staff sign in" not in body
