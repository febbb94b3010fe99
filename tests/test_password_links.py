"""One-time links to set a staff password (issue 14, "Staff"): asking for
one on the sign-in page, setting the password once, and every way a link
stops working (used, replaced, expired, deactivated account)."""
import hashlib
import html
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ats import events
from ats.auth.passwords import ANSWER_SECONDS
from ats.extensions import db
from ats.infra.logs import redact
from ats.models import Access, AuditEvent, Event, EventType, PasswordLink, StaffUser, utcnow
from ats.models.staff import verify_password
from ats.operations import password_links
from ats.operations.staff import deactivate
from tests.fixtures.staff import AuthActions, csrf_token_from, staff_csrf_token
from tests.test_sessions import client_with_cookie, is_signed_in, location, session_cookie

FORGOT = "/login/forgot-password"
NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"http://localhost(/set-password/[A-Za-z0-9_-]+)")


def link_in(message) -> str:
    """The path of the password link in a mail."""
    found = LINK.findall(message.get_content())
    assert len(found) == 1, message.get_content()
    return found[0]


def ask_for_reset(client, email: str):
    return client.post(FORGOT, data={"csrf_token": staff_csrf_token(client, FORGOT), "email": email})


def set_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    token = csrf_token_from(client.get(path).get_data(as_text=True), path)
    return client.post(path, data={"csrf_token": token, "password": password,
                                   "confirm": password if confirm is None else confirm})


def text_of(response) -> str:
    """The page's text: tags dropped, entities read, spaces run together."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def password_hash_of(db_session, user_id: int) -> str:
    return db_session.scalar(select(StaffUser.password_hash).where(StaffUser.id == user_id))


def audit(db_session, action: str) -> list[AuditEvent]:
    return db_session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


# --- Asking for a link ------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert f'href="{FORGOT}">Forgot your password?</a>' in page
    response = client.get(FORGOT)
    assert response.status_code == 200
    assert "works once, for 1 hour" in text_of(response)


def test_a_known_address_gets_a_reset_link_made_after_the_commit(client, recruiter, outbox, db_session):
    response = ask_for_reset(client, "  RITA@propelgrad.example ")
    assert response.status_code == 200
    assert "Check your email" in text_of(response)

    [message] = outbox()
    assert message["To"] == recruiter.email
    assert message["Subject"] == "Set a new password"
    body = message.get_content()
    assert "works once, for 1 hour" in body
    assert recruiter.name in body
    path = link_in(message)
    key = path.rsplit("/", 1)[1]

    # Stored as salt and digest only; the event names the rows, not the key.
    [link] = db_session.scalars(select(PasswordLink)).all()
    assert link.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (link.salt, link.digest)
    assert link.expires_at - link.created_at == timedelta(hours=1)
    [event] = db_session.scalars(select(Event)).all()
    assert event.type is EventType.STAFF_PASSWORD_RESET
    assert event.application_id is None
    assert event.data == {"user_id": recruiter.id, "link_id": link.id}
    assert event.dispatched_at is not None
    [entry] = audit(db_session, "staff.reset_link")
    assert entry.actor_id is None and entry.detail["user_id"] == recruiter.id
    assert key not in str(entry.detail)


def test_the_answer_is_the_same_for_known_unknown_and_deactivated_addresses(client, create_staff, outbox):
    known = create_staff(email="known@staff.example")
    gone = create_staff(email="gone@staff.example", active=False)
    answers = []
    for email in (known.email, "nobody@staff.example", gone.email):
        started = time.monotonic()
        response = ask_for_reset(client, email)
        took = time.monotonic() - started
        assert took >= ANSWER_SECONDS
        answers.append((response.status_code, text_of(response).replace(email, "EMAIL"), took))
    assert answers[0][:2] == answers[1][:2] == answers[2][:2]
    assert answers[0][0] == 200
    # Roughly the same time: the floor hides the work for a known address.
    assert max(a[2] for a in answers) - min(a[2] for a in answers) < ANSWER_SECONDS
    assert [m["To"] for m in outbox()] == [known.email]


def test_a_malformed_address_is_a_form_error(client, outbox, db_session):
    response = ask_for_reset(client, "not an address")
    assert response.status_code == 422
    assert "Enter an email address like" in text_of(response)
    assert outbox() == [] and count(db_session, PasswordLink) == 0


def test_requests_for_one_address_are_limited_known_or_not(client, recruiter, outbox):
    for email in (recruiter.email, "nobody@staff.example"):
        assert [ask_for_reset(client, email).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(outbox()) == 3


def test_requests_from_one_client_are_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PASSWORD_RESET_ADDRESS_LIMIT", "2 per hour")
    statuses = [ask_for_reset(client, f"person{n}@staff.example").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_asking_needs_a_csrf_token(client, recruiter, outbox):
    assert client.post(FORGOT, data={"email": recruiter.email}).status_code == 400
    assert outbox() == []


def test_a_rolled_back_request_mails_nothing(app, recruiter, outbox, monkeypatch, db_session):
    def fail(*args, **kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(password_links, "record", fail)
    with app.app_context():
        with pytest.raises(RuntimeError):
            password_links.request_reset(recruiter.email)
        db.session.remove()
    assert outbox() == []
    assert count(db_session, PasswordLink) == 0 and count(db_session, Event) == 0


# --- Setting the password ---------------------------------------------------------------


def test_the_link_sets_the_password_once_and_signs_in(app, client, recruiter, outbox, db_session):
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(recruiter).status_code == 303
    copied = session_cookie(elsewhere)
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert recruiter.email in text_of(page)
    response = set_password(client, path)
    assert response.status_code == 303
    assert location(response) == "/pipeline/"
    dashboard = client.get("/pipeline/")
    assert dashboard.status_code == 200
    assert "Your password is set, and you are signed in." in dashboard.get_data(as_text=True)

    # The other session ended, the new password works, the old one no longer.
    assert not is_signed_in(client_with_cookie(app, copied))
    assert verify_password(password_hash_of(db_session, recruiter.id), NEW_PASSWORD)[0]
    assert AuthActions(app.test_client()).login(recruiter).status_code == 401
    assert AuthActions(app.test_client()).login(recruiter, password=NEW_PASSWORD).status_code == 303

    [entry] = audit(db_session, "staff.password_set")
    assert entry.actor_id == recruiter.id and entry.detail["purpose"] == "reset"
    assert NEW_PASSWORD not in str(entry.detail)

    # Used: a second visit, or a second try, finds nothing.
    other = app.test_client()
    assert other.get(path).status_code == 404
    token = staff_csrf_token(other, FORGOT)
    again = other.post(path, data={"csrf_token": token, "password": "yet another password",
                                   "confirm": "yet another password"})
    assert again.status_code == 404
    assert "does not work" in text_of(again)
    assert verify_password(password_hash_of(db_session, recruiter.id), NEW_PASSWORD)[0]


def test_an_unknown_link_is_404(client):
    response = client.get("/set-password/not-a-key-anyone-was-sent")
    assert response.status_code == 404
    assert "This link does not work" in text_of(response)
    assert 'href="/login/forgot-password"' in response.get_data(as_text=True)


def test_an_expired_link_is_410_and_changes_nothing(client, recruiter, outbox, db_session):
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])
    before = password_hash_of(db_session, recruiter.id)
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    link = db_session.scalars(select(PasswordLink)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()

    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in text_of(response)
    assert "Ask for a new one" in text_of(response)
    response = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert password_hash_of(db_session, recruiter.id) == before
    assert audit(db_session, "staff.password_set") == []


def test_a_newer_link_makes_the_older_one_dead(client, recruiter, outbox):
    ask_for_reset(client, recruiter.email)
    ask_for_reset(client, recruiter.email)
    first, second = (link_in(m) for m in outbox())
    assert first != second
    assert client.get(first).status_code == 404
    assert set_password(client, second).status_code == 303


def test_a_deactivated_user_cannot_use_a_reset_link(app, client, recruiter, outbox, db_session):
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])
    before = password_hash_of(db_session, recruiter.id)
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    with app.app_context():
        deactivate(db.session.get(StaffUser, recruiter.id))
        db.session.remove()
    assert client.get(path).status_code == 404
    response = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert password_hash_of(db_session, recruiter.id) == before


@pytest.mark.parametrize("password, confirm, error", [
    ("too short", "too short", "at least 12 characters"),
    (NEW_PASSWORD, "something else entirely", "not the same"),
    ("", "", "Choose a password"),
])
def test_a_refused_password_is_a_form_error_and_the_link_still_works(client, recruiter, outbox, db_session,
                                                                     password, confirm, error):
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])
    before = password_hash_of(db_session, recruiter.id)
    response = set_password(client, path, password, confirm)
    assert response.status_code == 422
    assert error in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert password_hash_of(db_session, recruiter.id) == before
    assert audit(db_session, "staff.password_set") == []
    assert not is_signed_in(client)
    assert set_password(client, path).status_code == 303


def test_setting_a_password_needs_a_csrf_token(client, recruiter, outbox, db_session):
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])
    before = password_hash_of(db_session, recruiter.id)
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 400
    assert password_hash_of(db_session, recruiter.id) == before


def test_with_two_step_on_the_link_does_not_sign_in(client, recruiter, enrol_two_step, outbox):
    enrol_two_step(recruiter)
    ask_for_reset(client, recruiter.email)
    response = set_password(client, link_in(outbox()[0]))
    assert response.status_code == 303
    assert location(response) == "/login"
    assert not is_signed_in(client)


def test_the_request_log_never_carries_the_key(client, recruiter, outbox, caplog):
    ask_for_reset(client, recruiter.email)
    path = link_in(outbox()[0])
    key = path.rsplit("/", 1)[1]
    assert redact(f"GET {path} HTTP/1.1") == "GET /set-password/[token] HTTP/1.1"
    with caplog.at_level("INFO", logger="ats.requests"):
        client.get(path)
    assert caplog.records and all(key not in record.getMessage() for record in caplog.records)
    assert any("/set-password/[token]" in record.getMessage() for record in caplog.records)


def test_an_invited_account_cannot_sign_in_before_setting_a_password(app, create_staff, db_session):
    account = create_staff(Access.MANAGER)
    user = db_session.get(StaffUser, account.id)
    user.password_hash = ""
    db_session.commit()
    assert AuthActions(app.test_client()).login(account).status_code == 401
    assert AuthActions(app.test_client()).login(account, password="").status_code == 422


def test_a_link_replaced_before_its_mail_went_out_is_not_mailed(app, recruiter, outbox):
    with app.app_context():
        password_links.request_reset(recruiter.email)
        password_links.request_reset(recruiter.email)
        first, second = db.session.scalars(select(Event.id).order_by(Event.id)).all()
        # Delivered late, after the second link replaced the first: nothing to send.
        assert events.deliver(first) is True
        assert outbox() == []
        assert events.deliver(second) is True
        newest = db.session.scalars(select(PasswordLink).order_by(PasswordLink.id.desc())).first().key
        db.session.remove()
    [message] = outbox()
    assert link_in(message) == f"/set-password/{newest}"


def test_two_uses_of_one_link_at_once_set_one_password(app, recruiter, outbox, db_session):
    with app.app_context():
        password_links.request_reset(recruiter.email)
        key = db.session.scalars(select(PasswordLink)).one().key
        db.session.remove()
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def use(password):
        with app.app_context():
            barrier.wait()
            try:
                password_links.set_password_with_link(key, password, None, timedelta(hours=12))
                outcomes.append(password)
            except password_links.LinkNotGood as refused:
                outcomes.append(refused.state.value)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=use, args=(f"password number {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2 and outcomes.count("dead") == 1
    [winner] = [outcome for outcome in outcomes if outcome != "dead"]
    assert verify_password(password_hash_of(db_session, recruiter.id), winner)[0]
    assert len(audit(db_session, "staff.password_set")) == 1
