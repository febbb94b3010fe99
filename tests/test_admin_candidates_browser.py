"""Data rights in headless Chromium, desktop and phone: a candidate asks to
be erased from their status page; an admin finds the request, reads what
erasing does, erases, and the status link is dead. axe on every page."""
from tests.fixtures.factories import status_token
from tests.test_account_browser import check, sign_in
from ats.models import Access


def test_a_candidate_asks_and_an_admin_erases(page, app, create_staff, create_application, role, db_session,
                                              assert_accessible, screenshot):
    application = create_application(role, "Grace Hopper", email="grace@example.org")
    token = status_token(app, application)

    page.goto(f"/applications/{token}")
    check(page, assert_accessible, screenshot, "status-erasure-ask")
    page.get_by_role("button", name="Ask to have my data erased").click()
    page.wait_for_url(f"**/applications/{token}")
    assert "We have your request of" in page.get_by_role("status").inner_text()
    assert page.get_by_text("You asked on").is_visible()
    check(page, assert_accessible, screenshot, "status-erasure-asked")

    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    assert page.get_by_text("1 waiting").is_visible()
    page.get_by_role("link", name="Erasure requests").click()
    page.wait_for_url("**/admin/erasure-requests")
    row = page.get_by_role("row").filter(has_text="Grace Hopper")
    assert "grace@example.org" in row.inner_text()
    check(page, assert_accessible, screenshot, "admin-erasure-requests")

    row.get_by_role("link", name="Review and erase").click()
    page.wait_for_url(f"**/admin/candidates/{application.candidate_id}/erase")
    assert page.get_by_role("heading", level=1).inner_text() == "Erase Grace Hopper?"
    check(page, assert_accessible, screenshot, "admin-erase-confirm")
    page.get_by_role("button", name="Erase Grace Hopper").click()
    page.wait_for_url("**/admin/erasure-requests")
    assert "Candidate erased." in page.get_by_role("status").inner_text()
    assert page.get_by_text("None: every request has been answered.").is_visible()
    check(page, assert_accessible, screenshot, "admin-erasure-requests-done")

    assert page.goto(f"/applications/{token}").status == 404


def test_an_admin_finds_a_candidate_and_downloads_their_data(page, create_staff, create_application, role,
                                                             assert_accessible, screenshot):
    application = create_application(role, "Katherine Johnson", email="katherine@example.org")
    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    check(page, assert_accessible, screenshot, "admin-index")
    page.get_by_role("link", name="Candidates' data").click()
    page.wait_for_url("**/admin/candidates")
    check(page, assert_accessible, screenshot, "admin-candidates")
    page.get_by_label("E-mail address").fill("nobody@example.org")
    page.get_by_role("button", name="Find").click()
    assert "No candidate has the address" in page.get_by_role("status").inner_text()
    page.get_by_label("E-mail address").fill("KATHERINE@example.org")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(f"**/admin/candidates/{application.candidate_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Katherine Johnson"
    check(page, assert_accessible, screenshot, "admin-candidate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    assert download.value.suggested_filename == f"candidate-{application.candidate_id}.json"
