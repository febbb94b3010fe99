"""API tokens: made by the CLI or on the owner's page, kept as SHA-256 only,
listed and revoked on that page, with audit entries."""
import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from ats.extensions import db
from ats.models import Access, ApiToken, AuditEvent
from ats.operations.api_tokens import authenticate, create_token
from tests.fixtures.staff import csrf_token_from


def make_token(app, account, label="Sync script") -> str:
    result = app.test_cli_runner().invoke(args=["ats", "create-api-token", account.email, "--name", label])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_the_command_prints_a_token_kept_only_as_its_digest(app, db_session, recruiter):
    token = make_token(app, recruiter)
    assert re.fullmatch(r"ats_[A-Za-z0-9_-]{43}", token)
    row = db_session.scalars(select(ApiToken)).one()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:12] and row.label == "Sync script" and row.user_id == recruiter.id
    assert row.last_used_at is None and row.revoked_at is None
    assert token not in str([getattr(row, c.key) for c in ApiToken.__table__.columns])
    entry = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.create")).one()
    assert entry.actor_id is None and entry.detail["user_id"] == recruiter.id and token not in str(entry.detail)


def test_the_command_refuses_an_unknown_or_deactivated_account(app, db_session, create_staff):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["ats", "create-api-token", "nobody@staff.example", "--name", "x"])
    assert unknown.exit_code == 1 and "no staff account" in unknown.output
    gone = create_staff(Access.MANAGER, active=False)
    refused = runner.invoke(args=["ats", "create-api-token", gone.email, "--name", "x"])
    assert refused.exit_code == 1 and "deactivated" in refused.output
    blank = runner.invoke(args=["ats", "create-api-token", create_staff().email, "--name", "  "])
    assert blank.exit_code == 1
    assert db_session.scalars(select(ApiToken)).all() == []


def test_last_used_is_written_at_most_once_a_minute(app, db_session, recruiter, monkeypatch):
    token = make_token(app, recruiter)
    with app.app_context():
        assert authenticate(token).user.id == recruiter.id
        first = db.session.scalar(select(ApiToken.last_used_at))
        assert first is not None
        monkeypatch.setattr("ats.operations.api_tokens.utcnow", lambda: first + timedelta(seconds=59))
        authenticate(token)
        assert db.session.scalar(select(ApiToken.last_used_at)) == first
        monkeypatch.setattr("ats.operations.api_tokens.utcnow", lambda: first + timedelta(seconds=61))
        authenticate(token)
        assert db.session.scalar(select(ApiToken.last_used_at)) == first + timedelta(seconds=61)
        assert authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert authenticate("not-a-token") is None


def test_the_account_page_makes_shows_once_lists_and_revokes_tokens(app, client, db_session, signed_in):
    page = client.get("/account/")
    assert "You have no API tokens." in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    made = client.post("/account/api-tokens", data={"csrf_token": token, "token-label": "Spreadsheet"})
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    shown = re.search(r"ats_[A-Za-z0-9_-]{43}", html).group(0)
    with app.app_context():
        assert authenticate(shown).user.id == signed_in.id
    again = client.get("/account/").get_data(as_text=True)
    assert shown not in again and shown[:12] in again and "Spreadsheet" in again
    row = db_session.scalars(select(ApiToken)).one()
    assert client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 400  # no CSRF token
    revoked = client.post(f"/account/api-tokens/{row.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    db_session.refresh(row)
    assert row.revoked_at is not None
    with app.app_context():
        assert authenticate(shown) is None
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["api_token.create", "api_token.revoke"]
    assert client.post(f"/account/api-tokens/{row.id}/revoke", data={"csrf_token": token}).status_code == 404


def test_a_blank_name_is_422_and_nobody_revokes_anothers_token(app, client, db_session, signed_in, manager):
    token = csrf_token_from(client.get("/account/").get_data(as_text=True))
    blank = client.post("/account/api-tokens", data={"csrf_token": token, "token-label": " "})
    assert blank.status_code == 422 and "Give the token a name" in blank.get_data(as_text=True)
    with app.app_context():
        theirs = create_token(manager.id, "Manager's", manager.id)
    assert client.post(f"/account/api-tokens/{theirs.id}/revoke", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert authenticate(theirs.token).user.id == manager.id


def test_a_deactivated_users_tokens_stop_working(app, db_session, create_staff):
    account = create_staff(Access.ADMIN)
    token = make_token(app, account)
    from ats.operations.staff import deactivate, find_by_email

    with app.app_context():
        assert authenticate(token) is not None
        deactivate(find_by_email(account.email))
        db.session.commit()
        assert authenticate(token) is None
