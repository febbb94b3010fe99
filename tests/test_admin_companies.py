"""Companies in the admin pages (issue 14, "Companies"): the list, creating
one (slug rules, http(s) website), editing it (the slug stays), every change
audited; listing it on a role page lets interviews be scheduled with it."""
import pytest
from sqlalchemy import func, select

from ats.models import AuditEvent, Company
from tests.fixtures.staff import staff_csrf_token

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def signed_in_admin(auth, admin):
    assert auth.login(admin).status_code == 303
    return admin


def company_form(token: str, **changes) -> dict:
    data = {"csrf_token": token, "slug": "acme-health", "name": "Acme Health",
            "website": "https://acme.example", "description": "Hospital software."}
    data.update(changes)
    return data


def test_the_list_shows_each_company_and_the_roles_listing_it(client, signed_in_admin):
    html = client.get("/admin/companies").get_data(as_text=True)
    assert "Tempus" in html and "Healthcare AI Engineer" in html
    assert "/admin/companies/tempus/edit" in html


def test_an_admin_adds_a_company(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/companies/new")
    response = client.post("/admin/companies/new", data=company_form(token))
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/companies")
    company = db_session.scalars(select(Company).filter_by(slug="acme-health")).one()
    assert (company.name, company.website, company.description) == ("Acme Health", "https://acme.example", "Hospital software.")
    [event] = db_session.scalars(select(AuditEvent).filter_by(action="company.create")).all()
    assert event.actor_id == signed_in_admin.id and event.detail == {"company": "acme-health"}


@pytest.mark.parametrize("changes, message", [
    ({"slug": "Acme Health"}, "lower-case letters"),
    ({"slug": "tempus"}, "There is a company &#39;tempus&#39; already."),
    ({"slug": ""}, "The slug is required."),
    ({"name": ""}, "The name is required."),
    ({"website": "javascript:alert(1)"}, "starting with https://"),
    ({"website": "acme.example"}, "starting with https://"),
    ({"website": "https://"}, "starting with https://"),
    ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
])
def test_bad_input_is_422_and_writes_nothing(client, signed_in_admin, db_session, changes, message):
    token = staff_csrf_token(client, "/admin/companies/new")
    before = db_session.scalar(select(func.count()).select_from(Company))
    response = client.post("/admin/companies/new", data=company_form(token, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Company)) == before
    assert db_session.scalars(select(AuditEvent).filter_by(action="company.create")).all() == []


def test_editing_keeps_the_slug_and_audits_what_changed(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/companies/tempus/edit")
    response = client.post("/admin/companies/tempus/edit",
                           data=company_form(token, slug="renamed", name="Tempus AI", website="http://tempus.example", description=""))
    assert response.status_code == 303
    company = db_session.scalars(select(Company).filter_by(slug="tempus")).one()
    assert (company.name, company.website) == ("Tempus AI", "http://tempus.example")
    [event] = db_session.scalars(select(AuditEvent).filter_by(action="company.update")).all()
    assert event.detail == {"company": "tempus", "changed": ["name", "website"]}
    assert "Tempus AI" in client.get("/roles/healthcare-ai-engineer").get_data(as_text=True)
    assert client.get("/admin/companies/no-such/edit").status_code == 404
    assert client.post("/admin/companies/no-such/edit", data=company_form(token)).status_code == 404


def test_an_unchanged_save_records_nothing(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/companies/tempus/edit")
    client.post("/admin/companies/tempus/edit", data=company_form(token, name="Tempus", website="", description=""))
    assert db_session.scalars(select(AuditEvent).filter_by(action="company.update")).all() == []


def test_a_company_listed_from_the_role_form_can_be_interviewed_with(client, auth, signed_in_admin, db_session,
                                                                     create_application, role, outbox):
    from tests.test_admin_roles import edit_form
    from tests.test_interviews import schedule

    token = staff_csrf_token(client, "/admin/companies/new")
    client.post("/admin/companies/new", data=company_form(token))
    application = create_application(role, "Ada Lovelace")
    assert schedule(client, auth, application.id, company="acme-health").status_code == 422  # not listed yet

    data = edit_form(client, "healthcare-ai-engineer")
    blank = next(key for key, value in data.items() if key.endswith("-company") and value == "")
    data[blank] = "acme-health"
    data[blank.replace("-company", "-summary")] = "Acme Health hires healthcare AI engineers."
    assert client.post("/admin/roles/healthcare-ai-engineer/edit", data=data).status_code == 303
    assert "Acme Health hires healthcare AI engineers." in client.get("/roles/healthcare-ai-engineer").get_data(as_text=True)
    assert schedule(client, auth, application.id, company="acme-health").status_code == 303
