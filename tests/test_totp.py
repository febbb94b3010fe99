"""Two-step sign-in: enrolling from one's own page, signing in with a code or
a recovery code, replays and limits, turning it off, and the admins' rule."""
import hashlib
import html
import re
import threading
from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import select

from ats.models import Access, RecoveryCode, StaffSession, StaffUser
from tests.applications import audit_events, location
from tests.fixtures.staff import StaffAccount, TwoStep, csrf_token_from, staff_csrf_token


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def user(db_session, account) -> StaffUser:
    db_session.expire_all()
    return db_session.get(StaffUser, account.id)


def recovery_hashes(db_session, account) -> set[str]:
    return set(db_session.scalars(select(RecoveryCode.code_hash).filter_by(user_id=account.id)))


def is_signed_in(client) -> bool:
    return client.get("/pipeline/").status_code == 200


def send_code(client, code: str):
    return client.post("/login/code", data={"csrf_token": staff_csrf_token(client, "/login/code"), "code": code})


def post_form(client, path: str, data: dict, page: str = "/account/"):
    return client.post(path, data={"csrf_token": staff_csrf_token(client, page), **data})


@dataclass(frozen=True)
class Enrolled:
    account: StaffAccount
    two_step: TwoStep


@pytest.fixture
def ada(create_staff, enrol_two_step) -> Enrolled:
    """A recruiter with two-step sign-in on (not signed in), with the app's
    secret and the recovery codes."""
    account = create_staff(email="ada@propelgrad.example", name="Ada Lovelace")
    return Enrolled(account, enrol_two_step(account))


# --- Enrolling from one's own page ---------------------------------------------------


def test_the_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert location(response) == "/login?next=%2Faccount%2F"


def test_the_header_links_the_name_to_the_account_page(client, signed_in):
    body = client.get("/pipeline/").get_data(as_text=True)
    assert re.search(r'<a href="/account/">Rita Recruiter<span class="visually-hidden"> \(your account\)', body)


def test_enrolling_with_the_shown_key_turns_it_on_and_shows_recovery_codes_once(
        client, signed_in, db_session, totp_clock):
    page = text_of(client.get("/account/"))
    assert "Rita Recruiter" in page and "rita@propelgrad.example" in page and "Recruiter" in page
    assert "Off Your password alone signs you in." in page

    response = post_form(client, "/account/two-step/start", {})
    assert (response.status_code, location(response)) == (303, "/account/two-step")
    body = client.get("/account/two-step").get_data(as_text=True)
    assert re.search(r'<img class="enrol-qr" src="data:image/svg\+xml[^"]+"[^>]+alt="QR code for adding', body)
    key = re.search(r'<p class="enrol-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    assert key == user(db_session, signed_in).totp_secret
    assert user(db_session, signed_in).totp_enrolled_at is None  # not until a code confirms it

    response = post_form(client, "/account/two-step", {"code": pyotp.TOTP(key).at(totp_clock.now)}, "/account/two-step")
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert "This page is the only time they are shown." in text_of(response)
    stored = user(db_session, signed_in)
    assert stored.two_step_on and stored.totp_last_step == int(totp_clock.now) // 30
    # Kept as SHA-256 only.
    assert recovery_hashes(db_session, signed_in) == {hashlib.sha256(c.replace("-", "").encode()).hexdigest()
                                                       for c in codes}

    # Never shown again: not the key, not the codes.
    for path in ("/account/", "/account/two-step"):
        body = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert key not in body and not any(code in body for code in codes)
    assert "On since" in text_of(client.get("/account/"))
    assert "10 of 10 recovery codes left" in text_of(client.get("/account/"))
    assert [e.actor_id for e in audit_events(db_session, "two_step.enrolment_start")] == [signed_in.id]
    assert [e.actor_id for e in audit_events(db_session, "two_step.on")] == [signed_in.id]


def test_a_wrong_first_code_turns_nothing_on(client, signed_in, db_session, totp_clock):
    post_form(client, "/account/two-step/start", {})
    response = post_form(client, "/account/two-step", {"code": "000000"}, "/account/two-step")
    assert response.status_code == 422
    assert "That is not the code your app shows now." in text_of(response)
    assert not user(db_session, signed_in).two_step_on
    assert audit_events(db_session, "two_step.on") == []


def test_enrolment_cannot_start_again_once_on(client, auth, ada, db_session, totp_clock):
    auth.login(ada.account)
    send_code(client, totp_clock.code(ada.two_step.secret))
    response = post_form(client, "/account/two-step/start", {})
    assert location(response) == "/account/"
    assert "Two-step sign-in is already on." in text_of(client.get("/account/"))
    assert user(db_session, ada.account).totp_secret == ada.two_step.secret


def test_every_post_needs_a_csrf_token(client, signed_in):
    for path in ("/account/two-step/start", "/account/two-step", "/account/two-step/off",
                 "/account/two-step/recovery-codes"):
        assert client.post(path, data={}).status_code == 400, path


def test_turning_it_on_ends_the_other_sessions(app, client, auth, signed_in, totp_clock):
    other = app.test_client()
    assert auth.using(other).login(signed_in).status_code == 303
    post_form(client, "/account/two-step/start", {})
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", client.get("/account/two-step").get_data(as_text=True)).group(1)
    post_form(client, "/account/two-step", {"code": pyotp.TOTP(key.replace(" ", "")).at(totp_clock.now)},
              "/account/two-step")
    assert is_signed_in(client)
    assert not is_signed_in(other)


# --- Signing in with a code ------------------------------------------------------------


def test_the_right_password_alone_does_not_sign_in(client, auth, ada, db_session):
    response = auth.login(ada.account)
    assert (response.status_code, location(response)) == (303, "/login/code")
    assert not is_signed_in(client)
    assert db_session.scalars(select(StaffSession).filter_by(user_id=ada.account.id)).all() == []
    assert "Enter your code" in text_of(client.get("/login/code"))


def test_a_code_from_the_app_signs_in_and_goes_to_next(client, auth, ada, totp_clock, db_session):
    assert location(auth.login(ada.account, next="/interviews/")) == "/login/code"
    response = send_code(client, totp_clock.code(ada.two_step.secret))
    assert (response.status_code, location(response)) == (303, "/interviews/")
    assert is_signed_in(client)
    assert len(db_session.scalars(select(StaffSession).filter_by(user_id=ada.account.id)).all()) == 1
    # The half-signed-in state went with the old session.
    assert location(client.get("/login/code")) == "/pipeline/"


def test_a_wrong_code_is_401(client, auth, ada):
    auth.login(ada.account)
    response = send_code(client, "123456" if pyotp.TOTP(ada.two_step.secret).now() != "123456" else "654321")
    assert response.status_code == 401
    assert "That code is not right, or it has been used already." in text_of(response)
    assert not is_signed_in(client)


def test_the_same_code_twice_is_refused(client, auth, ada, totp_clock):
    code = totp_clock.code(ada.two_step.secret)
    auth.login(ada.account)
    assert location(send_code(client, code)) == "/pipeline/"
    auth.logout()
    auth.login(ada.account)
    assert send_code(client, code).status_code == 401
    # Nor an earlier one still inside the clock's leeway.
    assert send_code(client, totp_clock.code(ada.two_step.secret, steps=-1)).status_code == 401
    # The next one is fine.
    assert send_code(client, totp_clock.code(ada.two_step.secret, steps=1)).status_code == 303


def test_codes_a_step_off_are_accepted_and_two_steps_off_are_not(client, auth, ada, totp_clock):
    auth.login(ada.account)
    assert send_code(client, totp_clock.code(ada.two_step.secret, steps=2)).status_code == 401
    assert send_code(client, totp_clock.code(ada.two_step.secret, steps=1)).status_code == 303


def test_a_recovery_code_works_once_however_it_is_typed(client, auth, ada, db_session):
    code = ada.two_step.recovery_codes[3]
    auth.login(ada.account)
    response = send_code(client, f" {code.upper().replace('-', ' ')} ")
    assert response.status_code == 303
    assert "You signed in with a recovery code; 9 left." in text_of(client.get("/pipeline/"))
    assert [e.detail for e in audit_events(db_session, "two_step.recovery_code_used")] == [{"left": 9}]
    auth.logout()
    auth.login(ada.account)
    assert send_code(client, code).status_code == 401
    assert send_code(client, ada.two_step.recovery_codes[4]).status_code == 303


def test_the_code_step_needs_the_password_step_first(client):
    response = client.get("/login/code")
    assert (response.status_code, location(response)) == (303, "/login")
    assert "Please sign in again." in text_of(client.get("/login"))


def test_the_code_step_expires(client, auth, ada, totp_clock, monkeypatch):
    monkeypatch.setattr("ats.auth.routes.CODE_STEP_SECONDS", 0)
    auth.login(ada.account)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login/code", data={"csrf_token": token, "code": totp_clock.code(ada.two_step.secret)})
    assert (response.status_code, location(response)) == (303, "/login")
    assert not is_signed_in(client)


def test_wrong_codes_count_against_the_sign_in_limits(app, client, auth, ada, totp_clock, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "3 per minute")
    auth.login(ada.account)
    assert [send_code(client, code).status_code for code in ("000001", "000002", "nope-nope")] == [401] * 3
    response = send_code(client, totp_clock.code(ada.two_step.secret))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    # And the password step too: the account is locked.
    assert auth.login(ada.account).status_code == 429


def test_of_one_code_sent_at_once_from_many_browsers_one_gets_in(app, ada, totp_clock, auth):
    # Five: the sign-in limit per account, so each attempt is checked.
    clients = [app.test_client() for _ in range(5)]
    for other in clients:
        assert location(auth.using(other).login(ada.account)) == "/login/code"
    tokens = [staff_csrf_token(other, "/login/code") for other in clients]
    code, barrier, statuses = totp_clock.code(ada.two_step.secret), threading.Barrier(len(clients)), []

    def send(index: int) -> None:
        barrier.wait()
        statuses.append(clients[index].post("/login/code", data={"csrf_token": tokens[index], "code": code}).status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] + [401] * 4


def test_accounts_without_it_sign_in_as_before(client, auth, create_staff):
    response = auth.login(create_staff(), next="/interviews/")
    assert (response.status_code, location(response)) == (303, "/interviews/")


# --- Turning it off, new recovery codes ------------------------------------------------


def test_turning_it_off_needs_a_code_or_the_password(client, auth, ada, db_session, totp_clock):
    auth.login(ada.account)
    send_code(client, totp_clock.code(ada.two_step.secret))
    response = post_form(client, "/account/two-step/off", {"off-proof": "not my password at all"})
    assert response.status_code == 422
    assert "neither the code your app shows now nor your password" in text_of(response)
    assert user(db_session, ada.account).two_step_on

    response = post_form(client, "/account/two-step/off", {"off-proof": ada.account.password})
    assert location(response) == "/account/"
    stored = user(db_session, ada.account)
    assert (stored.two_step_on, stored.totp_secret, recovery_hashes(db_session, ada.account)) == (False, None, set())
    assert [e.detail for e in audit_events(db_session, "two_step.off")] == [{"proved_with": "password"}]
    auth.logout()
    assert location(auth.login(ada.account)) == "/pipeline/"


def test_turning_it_off_with_a_code_used_already_is_refused(client, auth, ada, db_session, totp_clock):
    code = totp_clock.code(ada.two_step.secret)
    auth.login(ada.account)
    send_code(client, code)
    assert post_form(client, "/account/two-step/off", {"off-proof": code}).status_code == 422
    totp_clock.advance()
    response = post_form(client, "/account/two-step/off", {"off-proof": totp_clock.code(ada.two_step.secret)})
    assert location(response) == "/account/"
    assert [e.detail for e in audit_events(db_session, "two_step.off")] == [{"proved_with": "code"}]


def test_new_recovery_codes_replace_the_old_ones(client, auth, ada, db_session, totp_clock):
    auth.login(ada.account)
    send_code(client, totp_clock.code(ada.two_step.secret))
    response = post_form(client, "/account/two-step/recovery-codes",
                         {"renew-proof": totp_clock.code(ada.two_step.secret, steps=1)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]{11})</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and not set(codes) & set(ada.two_step.recovery_codes)
    assert [e.detail for e in audit_events(db_session, "two_step.recovery_codes")] == [{"proved_with": "code"}]
    auth.logout()
    auth.login(ada.account)
    assert send_code(client, ada.two_step.recovery_codes[0]).status_code == 401
    assert send_code(client, codes[0]).status_code == 303


def test_wrong_proofs_on_the_account_page_count_against_the_sign_in_limits(app, client, auth, ada, totp_clock,
                                                                          monkeypatch):
    auth.login(ada.account)
    send_code(client, totp_clock.code(ada.two_step.secret))
    monkeypatch.setitem(app.config, "ATS_LOGIN_LIMIT", "2 per minute")
    for guess in ("111111", "a wrong password"):
        assert post_form(client, "/account/two-step/off", {"off-proof": guess}).status_code == 422
    response = post_form(client, "/account/two-step/recovery-codes", {"renew-proof": ada.account.password})
    assert response.status_code == 429


# --- Required for admins ------------------------------------------------------------


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_REQUIRE_TOTP_FOR_ADMINS", True)


def test_an_admin_without_it_reaches_only_the_enrolment_while_it_is_required(
        client, auth, create_staff, required, totp_clock, db_session):
    admin = create_staff(Access.ADMIN)
    assert location(auth.login(admin)) == "/pipeline/"
    for path in ("/pipeline/", "/reports/", "/interviews/", "/account/", "/"):
        response = client.get(path)
        assert (response.status_code, location(response)) == (303, "/account/two-step"), path
    page = text_of(client.get("/account/two-step"))
    assert "Administrators must use two-step sign-in here." in page and "Not now" not in page

    token = csrf_token_from(client.get("/account/two-step").get_data(as_text=True))
    client.post("/account/two-step/start", data={"csrf_token": token})
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", client.get("/account/two-step").get_data(as_text=True)).group(1)
    client.post("/account/two-step", data={"csrf_token": token,
                                           "code": pyotp.TOTP(key.replace(" ", "")).at(totp_clock.now)})
    assert client.get("/pipeline/").status_code == 200
    assert client.get("/reports/").status_code == 200
    # And it stays on.
    response = post_form(client, "/account/two-step/off", {"off-proof": admin.password})
    assert location(response) == "/account/"
    assert user(db_session, admin).two_step_on


def test_the_rule_leaves_other_staff_and_signing_out_alone(client, auth, create_staff, required):
    assert auth.login(create_staff(Access.MANAGER)).status_code == 303
    assert client.get("/reports/").status_code == 200
    auth.logout()
    assert auth.login(create_staff(Access.ADMIN)).status_code == 303
    response = client.post("/logout", data={"csrf_token": staff_csrf_token(client, "/account/two-step")})
    assert location(response) == "/login"
    assert not is_signed_in(client)


# --- Locked out: an operator turns it off ----------------------------------------------


def test_an_operator_turns_it_off_for_someone_locked_out(app, client, auth, ada, db_session, totp_clock):
    # Signed in elsewhere before losing the phone: that session ends too.
    elsewhere = app.test_client()
    assert auth.using(elsewhere).login(ada.account).status_code == 303
    assert send_code(elsewhere, totp_clock.code(ada.two_step.secret)).status_code == 303
    assert elsewhere.get("/pipeline/").status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ats", "turn-off-two-step", "ADA@propelgrad.example"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in is off for ada@propelgrad.example" in result.output
    assert not user(db_session, ada.account).two_step_on
    assert recovery_hashes(db_session, ada.account) == set()
    assert elsewhere.get("/pipeline/").status_code == 302
    assert auth.login(ada.account).status_code == 303 and is_signed_in(client)  # the password alone now
    [event] = [e for e in audit_events(db_session, "two_step.off")]
    assert event.actor_id is None and event.detail == {"proved_with": "operator", "user_id": ada.account.id}

    again = runner.invoke(args=["ats", "turn-off-two-step", "ada@propelgrad.example"])
    assert again.exit_code == 1 and "already off" in again.output
    unknown = runner.invoke(args=["ats", "turn-off-two-step", "nobody@propelgrad.example"])
    assert unknown.exit_code == 1 and "no staff account" in unknown.output
