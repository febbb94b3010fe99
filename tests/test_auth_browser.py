"""Signing in and the dashboard in headless Chromium, on desktop and phone viewports."""
import pytest

from ats.models import Stage


def assert_no_sideways_scroll(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


def focused(page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, name: document.activeElement.name || '',"
        " text: document.activeElement.textContent.trim()})"
    )


def tab_to(page, name: str, limit: int = 15) -> None:
    """Press Tab until the form field called ``name`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return
    pytest.fail(f"{name!r} cannot be reached with the Tab key")


@pytest.fixture
def busy_pipeline(create_role, create_application):
    engineer = create_role("healthcare-ai-engineer", "Healthcare AI Engineer")
    analyst = create_role("clinical-data-analyst", "Clinical Data Analyst")
    for number, stage in enumerate([Stage.APPLIED, Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW,
                                    Stage.OFFER, Stage.HIRED, Stage.REJECTED]):
        create_application(engineer, f"Candidate Number {number}", stage, days_in_stage=3 * number)
    create_application(analyst, "Maria José Fernández-Villanueva", Stage.SCREENING, days_in_stage=40)
    create_application(analyst, "Li Wei", Stage.WITHDRAWN, days_in_stage=2)


def test_sign_in_with_the_keyboard_only(page, create_staff, busy_pipeline, assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    response = page.goto("/pipeline/")
    assert page.url.endswith("/login?next=%2Fpipeline%2F")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Staff sign in"

    tab_to(page, "email")
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")

    page.wait_for_url("**/pipeline/")
    assert page.get_by_role("heading", level=1).inner_text() == "Pipeline"
    nav = page.get_by_role("navigation", name="Site")
    assert nav.get_by_text("Rita Recruiter").is_visible()
    assert nav.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("table", name="Open applications waiting longest in their stage").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("pipeline-dashboard")

    # Signing out, still by keyboard.
    nav.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    assert page.get_by_text("You have signed out.").is_visible()


def test_sign_in_page(page, assert_accessible, screenshot):
    response = page.goto("/login")
    assert response.status == 200
    assert page.get_by_label("Email address").is_visible()
    assert page.get_by_label("Password").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("sign-in")


def test_sign_in_errors(page, create_staff, assert_accessible, screenshot):
    account = create_staff()
    page.goto("/login")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill("not the right password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 401
    assert page.get_by_role("alert").inner_text().startswith("That email address and password do not match")
    assert page.get_by_label("Email address").input_value() == account.email
    assert page.get_by_label("Password").input_value() == ""
    assert_accessible()
    screenshot("sign-in-wrong-credentials")

    page.get_by_label("Email address").fill("")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 422
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert "Enter your email address." in page.get_by_role("alert").inner_text()
    assert_accessible()
    screenshot("sign-in-blank")


def test_empty_dashboard(page, create_staff, assert_accessible, screenshot):
    account = create_staff(name="Mo Manager", access="manager")
    page.goto("/login")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/pipeline/")
    assert page.get_by_text("No open applications are waiting.").is_visible()
    assert_accessible()
    screenshot("pipeline-dashboard-empty")
