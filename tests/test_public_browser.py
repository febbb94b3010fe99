"""The public pages in headless Chromium, on desktop and phone viewports."""
import json

ROLE_URL = "/roles/healthcare-ai-engineer"


def assert_no_sideways_scroll(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


def test_catalog_page(page, seeded, assert_accessible, screenshot):
    page.goto("/")
    assert page.title().startswith("Open roles")
    link = page.get_by_role("link", name="Healthcare AI Engineer Jobs & Internships 2026")
    assert link.is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("catalog")
    link.click()
    page.wait_for_url(f"**{ROLE_URL}")


def test_role_page(page, seeded, assert_accessible, screenshot):
    response = page.goto(ROLE_URL)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Healthcare AI Engineer Jobs & Internships 2026"
    for name in [
        "What Does a Healthcare AI Engineer Do?",
        "Required Skills & Qualifications",
        "A Day in the Life of a Healthcare AI Engineer",
        "Career Path & Salary Progression",
        "Top Companies Hiring Healthcare AI Engineers",
        "Apply for Healthcare AI Engineer Roles",
        "Healthcare AI Engineer — Frequently Asked Questions",
    ]:
        assert page.get_by_role("heading", level=2, name=name).is_visible(), name
    assert page.locator("#skills li").count() == 8
    assert page.locator(".career-path li").count() == 5
    assert page.locator(".salary-table tbody tr").count() == 4
    assert page.locator(".company-card").count() == 4
    assert page.locator(".faq h3").count() == 5
    posting = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert posting["@type"] == "JobPosting"
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("role-page")


def test_role_page_by_keyboard(page, seeded):
    """The skip link comes first and the call to apply is reachable by keyboard."""
    page.goto(ROLE_URL)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    apply = page.get_by_role("link", name="Apply with your profile")
    apply.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#apply")
    assert page.locator("#apply").is_visible()


def test_not_found_page(page, assert_accessible):
    response = page.goto("/roles/no-such-role")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible()
