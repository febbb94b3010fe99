"""A role's status as the public meets it (issue 14, "Role pages"): a draft
is not there at all, an open role takes applications, a closed one's page
stays readable and says so, its apply endpoint answers 410 and stores
nothing, and it leaves the catalog; reopened, it takes applications again.
Every change shows at once, though role pages are kept per catalog version."""
import json
import re

import pytest
from sqlalchemy import func, select

from ats.extensions import db
from ats.models import Application, AuditEvent, Candidate, Role, RoleStatus, SelfIdentification, StageChange
from ats.operations.catalog import close_role, open_role
from tests.fixtures.staff import staff_csrf_token
from tests.test_apply import form

ROLE_URL = "/roles/healthcare-ai-engineer"
APPLY_URL = ROLE_URL + "/apply"

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


def run(app, operation, *args):
    """An operation called as a command would, in an app context of its own."""
    with app.app_context():
        try:
            return operation(*args)
        finally:
            db.session.remove()


def stored(db_session) -> list[int]:
    return [db_session.scalar(select(func.count()).select_from(model))
            for model in (Candidate, Application, StageChange, SelfIdentification)]


def json_ld(html: str) -> list[dict]:
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


@pytest.fixture
def signed_in_admin(auth, admin):
    assert auth.login(admin).status_code == 303
    return admin


def test_closing_keeps_the_page_readable_and_refuses_applications(client, db_session, signed_in_admin, auth):
    assert json_ld(client.get(ROLE_URL).get_data(as_text=True))[0]["@type"] == "JobPosting"

    response = client.post("/admin/roles/healthcare-ai-engineer/close",
                           data={"csrf_token": staff_csrf_token(client, "/admin/roles")})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/roles/healthcare-ai-engineer/edit")
    assert db_session.scalars(select(Role)).one().status == RoleStatus.CLOSED
    close = db_session.scalars(select(AuditEvent).filter_by(action="role.close")).one()
    assert close.actor_id == signed_in_admin.id
    assert close.detail == {"role": "healthcare-ai-engineer", "before": "open", "after": "closed"}

    auth.logout()
    page = client.get(ROLE_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This role is closed to applications" in html
    assert "What Does a Healthcare AI Engineer Do?" in html  # every section still there
    assert 'name="full_name"' not in html and 'class="button" href="#apply"' not in html
    assert json_ld(html) == []  # no JobPosting claims it is open

    before = stored(db_session)
    token = staff_csrf_token(client, "/login")  # a visitor's valid token, as from a form opened earlier
    refused = client.post(APPLY_URL, data=form(token), content_type="multipart/form-data")
    assert refused.status_code == 410
    assert "closed to applications" in refused.get_data(as_text=True)
    assert stored(db_session) == before == [0, 0, 0, 0]

    assert "no open roles" in client.get("/").get_data(as_text=True)


def test_a_closed_role_answers_a_post_without_csrf_400_first(app, client, db_session):
    run(app, close_role, "healthcare-ai-engineer", None)
    assert client.post(APPLY_URL, data=form("not-a-token"), content_type="multipart/form-data").status_code == 400
    assert stored(db_session) == [0, 0, 0, 0]


def test_reopening_takes_applications_again(app, client, csrf, db_session):
    run(app, close_role, "healthcare-ai-engineer", None)
    assert client.get(ROLE_URL).status_code == 200
    assert run(app, open_role, "healthcare-ai-engineer", None) is True
    assert run(app, open_role, "healthcare-ai-engineer", None) is False  # open already: nothing recorded
    assert [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == ["role.close", "role.open"]
    html = client.get(ROLE_URL).get_data(as_text=True)
    assert "closed to applications" not in html and json_ld(html)[0]["@type"] == "JobPosting"
    assert "Healthcare AI Engineer" in client.get("/").get_data(as_text=True)
    response = client.post(APPLY_URL, data=form(csrf()), content_type="multipart/form-data")
    assert response.status_code == 303
    assert stored(db_session)[1] == 1


def test_the_kept_page_follows_every_status_change_at_once(app, client):
    assert "closed to applications" not in client.get(ROLE_URL).get_data(as_text=True)  # kept now
    run(app, close_role, "healthcare-ai-engineer", None)
    assert "This role is closed to applications" in client.get(ROLE_URL).get_data(as_text=True)
    run(app, open_role, "healthcare-ai-engineer", None)
    assert "closed to applications" not in client.get(ROLE_URL).get_data(as_text=True)


def test_a_draft_is_404_to_the_public_and_takes_nothing(client, csrf, db_session, create_role):
    token = csrf()
    create_role("draft-role", "Draft Role", status=RoleStatus.DRAFT)
    assert client.get("/roles/draft-role").status_code == 404
    assert client.post("/roles/draft-role/apply", data=form(token), content_type="multipart/form-data").status_code == 404
    assert "Draft Role" not in client.get("/").get_data(as_text=True)
    assert stored(db_session) == [0, 0, 0, 0]


def test_a_draft_cannot_be_closed(app, client, create_role, db_session):
    from ats.operations.catalog import StatusError

    create_role("draft-role", "Draft Role", status=RoleStatus.DRAFT)
    with pytest.raises(StatusError):
        run(app, close_role, "draft-role", None)
    assert db_session.scalars(select(Role).filter_by(slug="draft-role")).one().status == RoleStatus.DRAFT


def test_the_application_operation_itself_refuses_a_closed_role(app, db_session, role):
    from ats.operations.applications import ApplicantDetails, RoleClosed, submit_application

    run(app, close_role, role.slug, None)
    details = ApplicantDetails(full_name="Ada", email="ada@example.org", phone="", location="", linkedin_url="",
                               profile="Hello", skill_slugs=(), self_identification={})
    with pytest.raises(RoleClosed):
        run(app, submit_application, role.id, details, None)
    assert stored(db_session) == [0, 0, 0, 0]


def test_close_and_open_of_an_unknown_role_are_404(client, signed_in_admin):
    token = staff_csrf_token(client, "/admin/roles")
    for action in ("close", "open"):
        assert client.post(f"/admin/roles/no-such-role/{action}", data={"csrf_token": token}).status_code == 404
        assert client.post(f"/admin/roles/healthcare-ai-engineer/{action}", data={}).status_code == 400
