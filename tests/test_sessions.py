"""Staff sessions kept on the server (security issue 12, item 4; contract:
"POST /logout ends the session on the server")."""
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
