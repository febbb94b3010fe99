"""The role page is rendered once per catalog version and kept
(ats/public/role_pages.py): every visitor still gets their own CSRF token,
staff and visitors with flashed messages get pages of their own, and any
change to the catalog, however made, is on the next page served."""
import re

import pytest
from sqlalchemy import select, text, update

from ats.extensions import db
from ats.models import CatalogVersion, Company, Role, RoleCompany, RoleFaq, RoleSkill, RoleStatus
from ats.public.role_pages import CSRF_SLOT, kept_pages
from ats.queries.catalog import catalog_version
from tests.fixtures.staff import csrf_token_from
from tests.test_apply import APPLY_URL, ROLE_URL, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def version(db_session) -> int:
    return db_session.scalar(select(CatalogVersion.version))


def test_visitors_get_the_same_page_each_with_a_token_of_their_own(app, db_session):
    first, second = app.test_client(), app.test_client()
    page_one = first.get(ROLE_URL).get_data(as_text=True)
    page_two = second.get(ROLE_URL).get_data(as_text=True)
    token_one, token_two = csrf_token_from(page_one), csrf_token_from(page_two)
    assert token_one != token_two
    assert CSRF_SLOT not in page_two
    assert TOKEN.sub(r"\1\2", page_one) == TOKEN.sub(r"\1\2", page_two)
    with app.app_context():
        assert kept_pages().get("healthcare-ai-engineer", catalog_version()) is not None
    # The kept page's token is the second visitor's own: it applies with it.
    response = second.post(APPLY_URL, data=form(token_two))
    assert response.status_code == 303
    # And it is not the first visitor's.
    assert first.post(APPLY_URL, data=form(token_two, email="other@example.org")).status_code == 400


def test_the_kept_page_is_the_page_rendered_for_one_visitor(app, client):
    kept = client.get(ROLE_URL).get_data(as_text=True)
    with app.app_context():
        kept_pages().clear()
    fresh = client.get(ROLE_URL).get_data(as_text=True)
    assert TOKEN.sub(r"\1\2", kept) == TOKEN.sub(r"\1\2", fresh)


@pytest.mark.parametrize("change", [
    pytest.param(lambda s: s.execute(update(Role).values(headline="A headline changed in SQL")), id="role"),
    pytest.param(lambda s: s.execute(update(RoleSkill).where(RoleSkill.position == 0)
                                     .values(name="A skill renamed in SQL")), id="skill"),
    pytest.param(lambda s: s.execute(update(RoleFaq).where(RoleFaq.position == 0)
                                     .values(question="A question changed in SQL?")), id="faq"),
    pytest.param(lambda s: s.execute(update(Company).values(name="A company renamed in SQL")), id="company"),
    pytest.param(lambda s: s.execute(update(RoleCompany).values(summary="A listing changed in SQL")),
                 id="listing"),
])
def test_any_change_to_the_catalog_is_on_the_next_page(client, db_session, change):
    before = version(db_session)
    assert client.get(ROLE_URL).status_code == 200
    change(db_session)
    db_session.commit()
    assert version(db_session) > before
    body = client.get(ROLE_URL).get_data(as_text=True)
    assert "changed in SQL" in body or "renamed in SQL" in body


def test_every_kind_of_write_raises_the_version(db_session, role):
    writes = [
        f"INSERT INTO role_faqs (role_id, position, question, answer) VALUES ({role.id}, 99, 'Q?', 'A.')",
        "UPDATE role_faqs SET answer = 'B.' WHERE position = 99",
        "DELETE FROM role_faqs WHERE position = 99",
    ]
    for statement in writes:
        before = version(db_session)
        db_session.execute(text(statement))
        db_session.commit()
        assert version(db_session) > before, statement


def test_an_unpublished_role_is_404_at_once(client, db_session):
    assert client.get(ROLE_URL).status_code == 200
    db_session.execute(update(Role).values(status=RoleStatus.DRAFT))
    db_session.commit()
    assert client.get(ROLE_URL).status_code == 404


def test_other_parts_of_the_data_leave_the_kept_page_alone(client, db_session, create_application, role):
    client.get(ROLE_URL)
    before = version(db_session)
    create_application(role, "Ada Lovelace")
    assert version(db_session) == before


def test_signed_in_staff_get_their_own_page_and_it_is_not_kept(app, auth, recruiter):
    visitor = app.test_client()
    visitor.get(ROLE_URL)
    auth.login(recruiter)
    staff_page = auth.client.get(ROLE_URL).get_data(as_text=True)
    assert "Sign out" in staff_page and recruiter.name in staff_page
    visitor_page = visitor.get(ROLE_URL).get_data(as_text=True)
    assert "Sign out" not in visitor_page and recruiter.name not in visitor_page


def test_flashed_messages_are_shown_and_not_kept(app, client):
    client.get(ROLE_URL)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A message for this visitor only")]
    assert "A message for this visitor only" in client.get(ROLE_URL).get_data(as_text=True)
    assert "A message for this visitor only" not in client.get(ROLE_URL).get_data(as_text=True)
    assert "A message for this visitor only" not in app.test_client().get(ROLE_URL).get_data(as_text=True)


def test_without_the_version_row_nothing_is_kept(app, client, db_session):
    last = version(db_session)
    db_session.execute(text("DELETE FROM catalog_version"))
    try:
        first = client.get(ROLE_URL)
        assert first.status_code == 200
        with app.app_context():
            assert catalog_version() is None
            assert kept_pages().get("healthcare-ai-engineer", None) is None
        db_session.execute(update(Role).values(headline="Changed with no version to raise"))
        assert "Changed with no version to raise" in client.get(ROLE_URL).get_data(as_text=True)
    finally:
        # Put back higher than ever, as the number never goes down.
        db_session.execute(text(f"INSERT INTO catalog_version (id, version) VALUES (1, {last + 1000})"))
