"""Blind review in headless Chromium, desktop and phone: an admin turns it on
from /admin/blind-review; a recruiter's board and application page then show
"Candidate #<id>" and nothing of who applied, until the skill match is saved."""
from sqlalchemy import update

from ats.models import Access, Role
from tests.applications import ada
from tests.test_account_browser import check, sign_in

BOARD = "/pipeline/healthcare-ai-engineer"


def test_an_admin_turns_blind_review_on(page, create_staff, role, db_session, assert_accessible, screenshot):
    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    page.get_by_role("link", name="Blind review").click()
    page.wait_for_url("**/admin/blind-review")
    card = page.get_by_role("listitem").filter(has_text="Healthcare AI Engineer")
    assert "Blind review is off" in card.inner_text()
    check(page, assert_accessible, screenshot, "admin-blind-review")
    card.get_by_role("button", name="Turn on blind review for Healthcare AI Engineer").click()
    page.wait_for_url("**/admin/blind-review#role-healthcare-ai-engineer")
    assert "Blind review is on for Healthcare AI Engineer" in page.get_by_role("status").inner_text()
    assert "Blind review is on" in page.get_by_role("listitem").filter(has_text="Healthcare AI Engineer").inner_text()
    check(page, assert_accessible, screenshot, "admin-blind-review-on")


def test_a_recruiter_sees_a_blinded_board_and_application(page, create_staff, role, create_application, skills,
                                                          db_session, assert_accessible, screenshot):
    application = create_application(role, **ada(email="ada@analytical.example", location="Marylebone"))
    create_application(role, "Grace Hopper", location="Arlington")
    db_session.execute(update(Role).where(Role.id == role.id).values(blind_review=True))
    db_session.commit()
    sign_in(page, create_staff(Access.RECRUITER, name="Rita Recruiter"))
    page.wait_for_url("**/pipeline/")
    page.goto(BOARD)
    body = page.locator("main").inner_text()
    for value in ("Ada Lovelace", "Grace Hopper", "Marylebone", "Arlington"):
        assert value not in body
    assert f"Candidate #{application.id}" in body
    check(page, assert_accessible, screenshot, "board-blind")

    page.get_by_role("link", name=f"Candidate #{application.id}", exact=True).click()
    page.wait_for_url(f"**/pipeline/applications/{application.id}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Candidate #{application.id}"
    body = page.locator("main").inner_text()
    for value in ("Ada Lovelace", "ada@analytical.example", "+44 20 7946 0000", "Marylebone", "linkedin"):
        assert value not in body
    assert "Blind review is on for this role" in body
    check(page, assert_accessible, screenshot, "application-blind")

    page.locator(f"#skill-{skills[0]}-strong").check()
    page.get_by_role("button", name="Save skill match").click()
    page.wait_for_url(f"**/pipeline/applications/{application.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Lovelace"
    assert "ada@analytical.example" in page.locator("main").inner_text()
    check(page, assert_accessible, screenshot, "application-revealed")
