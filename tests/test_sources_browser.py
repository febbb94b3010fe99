"""Sources in headless Chromium, desktop and phone: a recruiter makes a
tracked link from the board, a candidate applies through it, and a manager
reads applications and hires by source on the reports page."""
import pytest
from sqlalchemy import select

from ats.models import Access, Role, Stage
from tests.pages import sign_in
from tests.test_account_browser import check

pytestmark = pytest.mark.usefixtures("seeded")


def test_a_recruiter_makes_a_tracked_link(page, live_server, create_staff, assert_accessible, screenshot):
    sign_in(page, create_staff(Access.RECRUITER))
    page.goto("/pipeline/healthcare-ai-engineer")
    page.get_by_text("Make a tracked link to this role’s page").click()
    page.get_by_label("Source").fill("Career Fair")
    page.get_by_role("button", name="Make the link").click()
    # Refused, with the reason on the field.
    assert page.get_by_label("Source").get_attribute("aria-invalid") == "true"
    assert page.get_by_text("Use lowercase letters, digits and hyphens only").is_visible()
    check(page, assert_accessible, screenshot, "tracked-link-error")
    page.get_by_label("Source").fill("career-fair-2026")
    page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("Link to copy")
    assert link.get_attribute("readonly") is not None
    url = link.input_value()
    assert url.endswith("/roles/healthcare-ai-engineer?source=career-fair-2026")
    check(page, assert_accessible, screenshot, "tracked-link")
    # The board with the form open.
    page.goto("/pipeline/healthcare-ai-engineer")
    page.get_by_text("Make a tracked link to this role’s page").click()
    assert_accessible()
    screenshot("board-tracked-link")


def test_a_manager_reads_applications_and_hires_by_source(page, db_session, create_staff, create_application,
                                                         assert_accessible, screenshot):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    for number, (source, furthest) in enumerate([
        ("linkedin", Stage.HIRED), ("linkedin", Stage.INTERVIEW), ("career-fair-2026", Stage.APPLIED),
        ("role-page", Stage.HIRED), ("a-very-long-source-name-from-a-campaign", Stage.SCREENING),
    ]):
        create_application(role, f"Candidate {number}", furthest, source=source, furthest_stage=furthest)
    sign_in(page, create_staff(Access.MANAGER), "/reports/")
    table = page.get_by_role("table", name="Applications and hires per source")
    assert table.is_visible()
    assert table.get_by_role("row").nth(1).inner_text().split("\t")[:3] == ["linkedin", "2", "1"]
    check(page, assert_accessible, screenshot, "reports")
    table.screenshot(path=str(screenshot("reports-sources").with_name(f"reports-sources-table-{page.viewport_name}.png")))
