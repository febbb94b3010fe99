"""Staff sessions kept on the server, and sign-in limits under concurrency
(security issue 12, items 3 and 4; contract: "POST /logout ends the session
on the server", "Sign-in limits hold under concurrency")."""
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from ats.access import SESSION_TOKEN
from ats.extensions import db
from ats.models import StaffSession, StaffUser, utcnow
from ats.models.sessions import session_id_for
from ats.operations.staff import deactivate, save_staff_user
from tests.fixtures.staff import AuthActions, staff_csrf_token

PIPELINE = "/pipeline/"


def location(response) -> str:
    return urlsplit(response.headers["Location"]).path


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def cookie_contents(app, client) -> dict:
    """What the signed session cookie holds."""
    return dict(app.session_interface.get_signing_serializer(app).loads(session_cookie(client)))


def client_with_cookie(app, value: str):
    copy = app.test_client()
    copy.set_cookie("session", value)
    return copy


def is_signed_in(client) -> bool:
    response = client.get(PIPELINE)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and location(response) == "/login", response.status_code
    return False


def sessions_of(db_session, user_id: int) -> list[StaffSession]:
    return db_session.scalars(
        select(StaffSession).where(StaffSession.user_id == user_id).order_by(StaffSession.created_at),
        execution_options={"populate_existing": True},
    ).all()


def move_back(db_session, column: str, by: timedelta) -> None:
    """Move ``column`` of every session back in time by ``by``: as if that much had passed."""
    for row in db_session.scalars(select(StaffSession), execution_options={"populate_existing": True}):
        setattr(row, column, getattr(row, column) - by)
    db_session.commit()


@pytest.fixture
def signed_in_client(app, recruiter):
    """A test client of its own, signed in as the recruiter through the form."""

    def sign_in(account=recruiter):
        client = app.test_client()
        assert AuthActions(client).login(account).status_code == 303
        return client

    return sign_in


# --- Signing out ends the session on the server -----------------------------------


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, auth, recruiter):
    assert auth.login(recruiter).status_code == 303
    copied = session_cookie(client)
    assert is_signed_in(client_with_cookie(app, copied))  # the copy works while the session lasts

    assert auth.logout().status_code == 303

    response = client_with_cookie(app, copied).get(PIPELINE)
    assert response.status_code == 302
    assert location(response) == "/login"
    # Whatever headers the replay adds: the check is on the server, not a fingerprint.
    response = client_with_cookie(app, copied).get(
        PIPELINE, headers={"X-Forwarded-For": "127.0.0.1", "User-Agent": "Werkzeug"}
    )
    assert response.status_code == 302


def test_signing_out_ends_only_that_session(app, signed_in_client, db_session, recruiter):
    laptop, phone = signed_in_client(), signed_in_client()
    AuthActions(laptop).logout()
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)
    ended = [row.revoked_at is not None for row in sessions_of(db_session, recruiter.id)]
    assert sorted(ended) == [False, True]


def test_the_cookie_holds_a_token_the_database_keeps_only_hashed(app, client, auth, recruiter, db_session):
    auth.login(recruiter)
    token = cookie_contents(app, client)[SESSION_TOKEN]
    assert len(token) >= 43  # 256 random bits
    (row,) = sessions_of(db_session, recruiter.id)
    assert row.id == session_id_for(token) != token
    assert row.revoked_at is None and row.user_agent


# --- Signing in starts a new session ----------------------------------------------


def test_signing_in_starts_a_fresh_session(app, client, auth, recruiter, db_session):
    token_before = staff_csrf_token(client)
    anonymous_cookie = session_cookie(client)
    assert auth.login(recruiter).status_code == 303

    # The pre-sign-in CSRF token is gone with the rest of the old session...
    assert staff_csrf_token(client, PIPELINE) != token_before
    assert client.post("/logout", data={"csrf_token": token_before}).status_code == 400
    assert is_signed_in(client)
    # ...and a copy of the cookie from before sign-in stays signed out.
    assert not is_signed_in(client_with_cookie(app, anonymous_cookie))

    # Each sign-in is a session of its own.
    first = cookie_contents(app, client)[SESSION_TOKEN]
    auth.logout()
    auth.login(recruiter)
    assert cookie_contents(app, client)[SESSION_TOKEN] != first
    assert len(sessions_of(db_session, recruiter.id)) == 2


def test_the_cookie_lives_no_longer_than_the_absolute_limit(app):
    assert app.permanent_session_lifetime == timedelta(hours=app.config["ATS_SESSION_MAX_HOURS"])
    assert app.config["ATS_SESSION_MAX_HOURS"] == 12
    assert app.config["ATS_SESSION_IDLE_MINUTES"] == 30


# --- Idle and absolute limits ------------------------------------------------------


def test_a_session_idle_for_thirty_minutes_has_ended(client, auth, recruiter, db_session):
    auth.login(recruiter)
    move_back(db_session, "last_seen_at", timedelta(minutes=29))
    assert is_signed_in(client)  # and that request counts as activity
    move_back(db_session, "last_seen_at", timedelta(minutes=29))
    assert is_signed_in(client)

    move_back(db_session, "last_seen_at", timedelta(minutes=31))
    assert not is_signed_in(client)


def test_a_busy_session_ends_twelve_hours_after_sign_in(client, auth, recruiter, db_session):
    auth.login(recruiter)
    move_back(db_session, "created_at", timedelta(hours=11, minutes=59))
    assert is_signed_in(client)
    move_back(db_session, "created_at", timedelta(minutes=2))
    assert not is_signed_in(client)
    # Signing in again starts a new one; the old row, past the limit, is dropped.
    auth.login(recruiter)
    assert is_signed_in(client)
    assert len(sessions_of(db_session, recruiter.id)) == 1


def test_the_limits_are_configurable(app, client, auth, recruiter, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_SESSION_IDLE_MINUTES", 5)
    monkeypatch.setitem(app.config, "ATS_SESSION_MAX_HOURS", 1)
    auth.login(recruiter)
    move_back(db_session, "last_seen_at", timedelta(minutes=6))
    assert not is_signed_in(client)

    auth.login(recruiter)
    move_back(db_session, "created_at", timedelta(minutes=61))
    assert not is_signed_in(client)


def test_the_last_request_is_noted_at_most_once_a_minute(client, auth, recruiter, db_session):
    auth.login(recruiter)
    (row,) = sessions_of(db_session, recruiter.id)
    signed_in_at = row.last_seen_at
    assert is_signed_in(client)
    assert sessions_of(db_session, recruiter.id)[0].last_seen_at == signed_in_at  # no write

    move_back(db_session, "last_seen_at", timedelta(minutes=2))
    before = utcnow()
    assert is_signed_in(client)
    assert sessions_of(db_session, recruiter.id)[0].last_seen_at >= before - timedelta(seconds=1)


# --- A new password and deactivation end every session of the user -----------------


def test_a_new_password_ends_every_session(app, signed_in_client, recruiter, create_staff):
    laptop, phone = signed_in_client(), signed_in_client()
    colleague = signed_in_client(create_staff())
    with app.app_context():
        save_staff_user(recruiter.email, recruiter.name, recruiter.access, "a different long password")
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(colleague)


def test_deactivation_ends_every_session(app, signed_in_client, recruiter, db_session):
    laptop, phone = signed_in_client(), signed_in_client()
    copied = session_cookie(laptop)
    with app.app_context():
        deactivate(db.session.get(StaffUser, recruiter.id))
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(client_with_cookie(app, copied))
    assert all(row.revoked_at is not None for row in sessions_of(db_session, recruiter.id))


# --- Sign-in limits under concurrency ---------------------------------------------


def sign_in_at_once(app, attempts: list[tuple[str, str]]) -> list[tuple[int, object]]:
    """Each (email, password) posted from its own client and thread, all released
    together; (status, Retry-After) for each, in order."""
    clients = [app.test_client() for _ in attempts]
    tokens = [staff_csrf_token(c) for c in clients]
    barrier = threading.Barrier(len(attempts))
    results: list[tuple[int, object]] = [(0, None)] * len(attempts)

    def post(index: int) -> None:
        email, password = attempts[index]
        barrier.wait()
        response = clients[index].post(
            "/login", data={"csrf_token": tokens[index], "email": email, "password": password}
        )
        results[index] = (response.status_code, response.headers.get("Retry-After"))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def limits(app, monkeypatch):
    """The production limits, and password checks that may wait long enough
    never to be the reason for a 429 (the next tests are about the counts)."""
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "5 per 15 minutes")
    monkeypatch.setitem(app.config, "ATS_LOGIN_ADDRESS_LIMIT", "20 per 15 minutes")
    monkeypatch.setitem(app.config, "ATS_PASSWORD_CHECK_WAIT", 30)


def test_thirty_parallel_wrong_passwords_get_at_most_five_401s(app, limits, recruiter, auth):
    results = sign_in_at_once(app, [(recruiter.email, f"wrong password {n:02}") for n in range(30)])
    statuses = [status for status, _ in results]
    print(f"30 parallel wrong passwords: {statuses.count(401)} x 401, {statuses.count(429)} x 429")
    assert statuses.count(401) == 5
    assert statuses.count(429) == 25
    assert all(int(retry_after) > 0 for status, retry_after in results if status == 429)

    # The account is locked: the right password waits too.
    response = auth.login(recruiter)
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert not is_signed_in(auth.client)


def test_the_right_password_in_a_burst_during_a_lockout_does_not_get_in(app, limits, recruiter):
    for n in range(5):
        sign_in_at_once(app, [(recruiter.email, f"wrong password {n}")])
    burst = [(recruiter.email, f"wrong password {n:02}") for n in range(15)] + [(recruiter.email, recruiter.password)]
    statuses = [status for status, _ in sign_in_at_once(app, burst)]
    assert statuses == [429] * 16


def test_the_right_password_in_the_same_burst_gets_in_only_within_the_limit(app, limits, recruiter, db_session):
    """Sent with 30 wrong ones at once, the right password is counted like any
    attempt: among the first five counted it is checked and signs in (as it
    would have just before the burst), later it is 429. Either way at most
    five wrong ones are answered 401."""
    burst = [(recruiter.email, f"wrong password {n:02}") for n in range(30)]
    burst.insert(15, (recruiter.email, recruiter.password))
    statuses = [status for status, _ in sign_in_at_once(app, burst)]
    right, wrong = statuses.pop(15), statuses
    assert right in (303, 429)
    assert wrong.count(401) <= 5
    assert set(wrong) <= {401, 429}
    assert len(sessions_of(db_session, recruiter.id)) == (1 if right == 303 else 0)


def test_password_checks_at_once_are_bounded_and_the_rest_answered_429_at_once(
    app, monkeypatch, create_staff
):
    """Unknown accounts, each with its own limit: only the number of password
    checks bounds them. Each check here is made to take 0.5 s."""
    monkeypatch.setitem(app.config, "ATS_LOGIN_ADDRESS_LIMIT", "1000 per minute")
    monkeypatch.setitem(app.config, "ATS_PASSWORD_CHECKS_AT_ONCE", 2)
    monkeypatch.setitem(app.config, "ATS_PASSWORD_CHECK_WAIT", 0.1)
    running, most = 0, 0
    lock = threading.Lock()

    def slow_check(password: str) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.5)
        with lock:
            running -= 1

    monkeypatch.setattr("ats.operations.staff.verify_dummy_password", slow_check)
    started = time.monotonic()
    results = sign_in_at_once(app, [(f"nobody{n}@example.com", "some password here") for n in range(12)])
    statuses = [status for status, _ in results]
    print(f"12 parallel unknown accounts, 2 checks at once: {statuses.count(401)} x 401, "
          f"{statuses.count(429)} x 429, at most {most} checks at once")
    assert most <= 2
    assert 2 <= statuses.count(401) < 12
    assert statuses.count(401) + statuses.count(429) == 12
    assert all(retry_after == "5" for status, retry_after in results if status == 429)
    assert time.monotonic() - started < 5

    # A busy refusal checked nothing, so it is not counted against the account.
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "1 per minute")
    refused = [n for n, status in enumerate(statuses) if status == 429][0]
    account = create_staff(email=f"nobody{refused}@example.com")
    assert AuthActions(app.test_client()).login(account).status_code == 303
