"""Admins run the staff accounts (issue 14, "Staff"): the list, invitations,
access levels, deactivating and reactivating, password links; the last
active admin kept, under concurrency too; everything in the audit trail."""
import threading

import pytest
from sqlalchemy import func, select

from ats.extensions import db
from ats.models import Access, AuditEvent, Event, EventType, PasswordLink, StaffSession, StaffUser
from ats.operations import staff_admin
from ats.operations.staff_admin import StaffRefused, change_access
from tests.fixtures.staff import AuthActions, csrf_token_from
from tests.test_password_links import NEW_PASSWORD, link_in, set_password, text_of
from tests.test_sessions import client_with_cookie, is_signed_in, location, session_cookie

STAFF = "/admin/staff"


@pytest.fixture
def signed_in_as(admin):
    return admin


def post(client, path: str, data: dict | None = None, form_page: str = STAFF):
    token = csrf_token_from(client.get(form_page).get_data(as_text=True), form_page)
    return client.post(path, data={"csrf_token": token, **(data or {})})


def invite(client, name="Ivy Invited", email="ivy@staff.example", access="recruiter"):
    return post(client, f"{STAFF}/invite", {"name": name, "email": email, "access": access}, f"{STAFF}/invite")


def audit(db_session, action: str) -> list[AuditEvent]:
    return db_session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def counts(db_session) -> tuple[int, ...]:
    return tuple(db_session.scalar(select(func.count()).select_from(model))
                 for model in (StaffUser, PasswordLink, Event, AuditEvent))


def user(db_session, user_id: int) -> StaffUser:
    return db_session.get(StaffUser, user_id, populate_existing=True)


def flash_text(client, path: str) -> str:
    return text_of(client.get(path))


# --- The list and inviting ----------------------------------------------------------


def test_the_index_has_a_staff_card_and_the_list_shows_everyone(client, signed_in, create_staff):
    create_staff(Access.MANAGER, name="Mo Manager", email="mo@staff.example")
    create_staff(name="Gone Recruiter", active=False)
    assert 'href="/admin/staff">Staff</a>' in client.get("/admin/").get_data(as_text=True)
    page = text_of(client.get(STAFF))
    for expected in ("Mo Manager", "mo@staff.example", "Manager", "Gone Recruiter", "Deactivated",
                     signed_in.name, "(you)", "Two-step sign-in Off", "Last sign-in Never"):
        assert expected in page
    assert page.index("Mo Manager") < page.index("Gone Recruiter")  # active first


def test_an_invitation_mails_a_link_to_set_a_password(app, client, signed_in, outbox, db_session):
    response = invite(client)
    assert response.status_code == 303 and location(response) == STAFF
    assert "Invitation sent to ivy@staff.example" in flash_text(client, STAFF)

    invited = db_session.scalars(select(StaffUser).filter_by(email="ivy@staff.example")).one()
    assert invited.access is Access.RECRUITER and invited.active and invited.password_hash == ""
    assert "Invited, link sent" in text_of(client.get(STAFF))

    [message] = outbox()
    assert message["To"] == "ivy@staff.example"
    body = message.get_content()
    assert "Hello Ivy Invited" in body and "works once, for 72 hours" in body
    # It names nobody else: not the admin who sent it.
    assert signed_in.name not in body and signed_in.email not in body
    path = link_in(message)
    key = path.rsplit("/", 1)[1]

    [event] = db_session.scalars(select(Event)).all()
    assert event.type is EventType.STAFF_INVITED and event.application_id is None
    link = db_session.scalars(select(PasswordLink)).one()
    assert event.data == {"user_id": invited.id, "link_id": link.id}
    assert (link.expires_at - link.created_at).total_seconds() == 72 * 3600
    [entry] = audit(db_session, "staff.invite")
    assert entry.actor_id == signed_in.id
    assert entry.detail == {"user_id": invited.id, "access": "recruiter", "link_id": link.id}
    assert key not in str(entry.detail)

    # The invited person sets a password and is signed in.
    newcomer = app.test_client()
    assert set_password(newcomer, path).status_code == 303
    assert is_signed_in(newcomer)
    assert "Active" in text_of(client.get(f"{STAFF}/{invited.id}"))


@pytest.mark.parametrize("data, field_error", [
    ({"name": "", "email": "ivy@staff.example", "access": "recruiter"}, "Enter the person's name."),
    ({"name": "Ivy", "email": "not an address", "access": "recruiter"}, "Enter an email address like"),
    ({"name": "Ivy", "email": "ivy@staff.example", "access": "owner"}, "Not a valid choice"),
    ({"name": "Ivy\nInvited", "email": "ivy@staff.example", "access": "recruiter"}, "one line"),
    ({"name": "I" * 201, "email": "ivy@staff.example", "access": "recruiter"}, "200"),
])
def test_a_bad_invitation_is_422_and_writes_nothing(client, signed_in, outbox, db_session, data, field_error):
    before = counts(db_session)
    response = invite(client, **data)
    assert response.status_code == 422
    assert field_error in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert counts(db_session) == before and outbox() == []


def test_an_address_already_in_use_is_422(client, signed_in, recruiter, outbox, db_session):
    before = counts(db_session)
    response = invite(client, email="RITA@propelgrad.example")
    assert response.status_code == 422
    assert "There is already a staff account with this email address." in text_of(response)
    assert counts(db_session) == before and outbox() == []


def test_send_again_replaces_the_invitation(app, client, signed_in, outbox, db_session):
    invite(client)
    invited = db_session.scalars(select(StaffUser).filter_by(email="ivy@staff.example")).one()
    assert "Send again" in text_of(client.get(STAFF))
    response = post(client, f"{STAFF}/{invited.id}/send-link")
    assert response.status_code == 303
    first, second = (link_in(m) for m in outbox())
    assert outbox()[1]["Subject"] == "You are invited to the staff pages"
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    [entry] = audit(db_session, "staff.invite_again")
    assert entry.detail["user_id"] == invited.id


def test_a_reset_link_for_someone_with_a_password(client, signed_in, recruiter, outbox, db_session):
    response = post(client, f"{STAFF}/{recruiter.id}/send-link")
    assert response.status_code == 303 and location(response) == f"{STAFF}/{recruiter.id}"
    [message] = outbox()
    assert message["To"] == recruiter.email and message["Subject"] == "Set a new password"
    [entry] = audit(db_session, "staff.reset_link")
    assert entry.actor_id == signed_in.id and entry.detail["user_id"] == recruiter.id


# --- Access levels ------------------------------------------------------------------


def test_changing_an_access_level_is_audited(client, signed_in, recruiter, db_session):
    response = post(client, f"{STAFF}/{recruiter.id}/access", {"access": "manager"})
    assert response.status_code == 303
    assert "access level is saved" in flash_text(client, f"{STAFF}/{recruiter.id}")
    assert user(db_session, recruiter.id).access is Access.MANAGER
    [entry] = audit(db_session, "staff.access")
    assert entry.actor_id == signed_in.id
    assert entry.detail == {"user_id": recruiter.id, "before": "recruiter", "after": "manager"}


def test_a_bad_access_level_is_422(client, signed_in, recruiter, db_session):
    before = counts(db_session)
    response = post(client, f"{STAFF}/{recruiter.id}/access", {"access": "owner"})
    assert response.status_code == 422
    assert "Not a valid choice" in text_of(response)
    assert user(db_session, recruiter.id).access is Access.RECRUITER
    assert counts(db_session) == before


@pytest.mark.parametrize("action, data", [("access", {"access": "manager"}), ("deactivate", None),
                                          ("reactivate", None), ("send-link", None)])
def test_an_unknown_person_is_404(client, signed_in, db_session, action, data):
    assert client.get(f"{STAFF}/999999").status_code == 404
    before = counts(db_session)
    assert post(client, f"{STAFF}/999999/{action}", data).status_code == 404
    assert counts(db_session) == before


@pytest.mark.parametrize("action, data", [("access", {"access": "admin"}), ("deactivate", None),
                                          ("send-link", None)])
def test_every_change_needs_a_csrf_token(client, signed_in, recruiter, db_session, outbox, action, data):
    before = counts(db_session)
    assert client.post(f"{STAFF}/{recruiter.id}/{action}", data=data or {}).status_code == 400
    assert client.post(f"{STAFF}/invite", data={"name": "X", "email": "x@staff.example",
                                                "access": "admin"}).status_code == 400
    assert counts(db_session) == before and outbox() == []


# --- The last admin, and one's own account -----------------------------------------------


def test_the_last_admin_cannot_be_demoted(client, signed_in, db_session):
    response = post(client, f"{STAFF}/{signed_in.id}/access", {"access": "recruiter"})
    assert response.status_code == 303
    assert "is the only active admin: make someone else an admin first." in flash_text(
        client, f"{STAFF}/{signed_in.id}")
    assert user(db_session, signed_in.id).access is Access.ADMIN
    assert audit(db_session, "staff.access") == []


def test_an_admin_may_step_down_while_another_admin_remains(client, signed_in, create_staff, db_session):
    create_staff(Access.ADMIN)
    assert post(client, f"{STAFF}/{signed_in.id}/access", {"access": "manager"}).status_code == 303
    assert user(db_session, signed_in.id).access is Access.MANAGER
    assert client.get(STAFF).status_code == 403


def test_nobody_deactivates_their_own_account(client, signed_in, create_staff, db_session):
    create_staff(Access.ADMIN)
    response = post(client, f"{STAFF}/{signed_in.id}/deactivate")
    assert response.status_code == 303
    assert "You cannot deactivate your own account" in flash_text(client, f"{STAFF}/{signed_in.id}")
    assert user(db_session, signed_in.id).active
    page = client.get(f"{STAFF}/{signed_in.id}").get_data(as_text=True)
    assert f'action="{STAFF}/{signed_in.id}/deactivate"' not in page


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, create_staff, db_session, monkeypatch):
    first, second = create_staff(Access.ADMIN), create_staff(Access.ADMIN)
    barrier = threading.Barrier(2, timeout=10)
    locking = staff_admin._lock_admins
    on_postgres = db_session.bind.dialect.name == "postgresql"

    def lock_together():
        # Both transactions are open before either locks (PostgreSQL); on
        # SQLite the write transaction admits one at a time, so they meet
        # before it instead (below).
        if on_postgres:
            barrier.wait()
        return locking()

    monkeypatch.setattr(staff_admin, "_lock_admins", lock_together)
    outcomes = {}

    def demote(actor, target):
        with app.app_context():
            if not on_postgres:
                barrier.wait()
            try:
                change_access(actor.id, target.id, Access.RECRUITER)
                outcomes[actor.id] = "demoted"
            except StaffRefused as refused:
                outcomes[actor.id] = str(refused)
            except Exception as error:  # shown in the assertion below
                outcomes[actor.id] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["You are no longer an active admin: nothing was changed.", "demoted"]
    admins = db_session.scalars(select(StaffUser.id).where(StaffUser.access == Access.ADMIN)).all()
    assert len(admins) == 1
    assert len(audit(db_session, "staff.access")) == 1


# --- Deactivating and reactivating ------------------------------------------------------------


def test_deactivation_ends_every_session_and_link(app, client, signed_in, recruiter, outbox, db_session):
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(recruiter).status_code == 303
    copied = session_cookie(elsewhere)
    post(client, f"{STAFF}/{recruiter.id}/send-link")
    path = link_in(outbox()[0])

    response = post(client, f"{STAFF}/{recruiter.id}/deactivate")
    assert response.status_code == 303
    assert "deactivated and signed out everywhere" in flash_text(client, f"{STAFF}/{recruiter.id}")
    assert not user(db_session, recruiter.id).active
    assert not is_signed_in(client_with_cookie(app, copied))
    assert db_session.scalar(select(func.count()).select_from(StaffSession)
                             .where(StaffSession.user_id == recruiter.id, StaffSession.revoked_at.is_(None))) == 0
    assert app.test_client().get(path).status_code == 404
    assert AuthActions(app.test_client()).login(recruiter).status_code == 401
    [entry] = audit(db_session, "staff.deactivate")
    assert entry.actor_id == signed_in.id and entry.detail == {"user_id": recruiter.id}

    # No link for a deactivated account, from here or the sign-in page.
    assert post(client, f"{STAFF}/{recruiter.id}/send-link").status_code == 303
    assert "deactivated: reactivate it first" in flash_text(client, f"{STAFF}/{recruiter.id}")
    assert len(outbox()) == 1

    assert post(client, f"{STAFF}/{recruiter.id}/reactivate").status_code == 303
    assert user(db_session, recruiter.id).active
    assert AuthActions(app.test_client()).login(recruiter).status_code == 303
    [entry] = audit(db_session, "staff.reactivate")
    assert entry.detail == {"user_id": recruiter.id}


def test_a_demoted_admin_is_refused_the_next_change(app, client, signed_in, create_staff, recruiter, db_session):
    other = create_staff(Access.ADMIN)
    with app.app_context():
        change_access(other.id, signed_in.id, Access.MANAGER)
        db.session.remove()
    # The page itself is now closed to them.
    assert post_without_page(client, f"{STAFF}/{recruiter.id}/deactivate").status_code == 403
    assert user(db_session, recruiter.id).active


def post_without_page(client, path: str):
    token = csrf_token_from(client.get("/login/forgot-password").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def test_create_user_still_updates_an_invited_account(app, client, signed_in, outbox, db_session):
    invite(client)
    path = link_in(outbox()[0])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ats", "create-user", "ivy@staff.example", "--name", "Ivy Invited",
                                 "--role", "manager"], env={"ATS_PASSWORD": NEW_PASSWORD})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ivy@staff.example: updated (manager)"
    assert app.test_client().get(path).status_code == 404  # the password is set: the link is done
