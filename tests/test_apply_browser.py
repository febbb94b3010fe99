"""A candidate's journey in headless Chromium: apply, see errors, follow, withdraw."""
import re

import pytest

from tests.files import pdf_bytes

ROLE_URL = "/roles/healthcare-ai-engineer"

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


def fill_valid_form(page, email="grace@example.org"):
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill("+1 415 555 0100")
    page.get_by_label("Location").fill("Arlington, VA")
    page.get_by_label("LinkedIn profile").fill("https://www.linkedin.com/in/grace")
    page.get_by_label("Your profile").fill("Compiled clinical notes into structured data.\nShipped a FHIR pipeline.")
    page.get_by_label("Clinical NLP").check()
    page.get_by_label("EHR integration with FHIR and HL7").check()
    page.get_by_label("I agree that my application").check()


def test_apply_with_a_resume_and_see_the_status_page(page, assert_accessible, screenshot, upload_dir, outbox):
    page.goto(ROLE_URL)
    fill_valid_form(page)
    page.get_by_label("Resume").set_input_files(
        {"name": "grace-hopper.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    assert_accessible()
    screenshot("apply-form")

    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/applications/[A-Za-z0-9_-]{22,}$"))

    assert page.get_by_role("heading", level=1).inner_text() == "Healthcare AI Engineer"
    assert page.get_by_text("Thank you: your application is in.").is_visible()
    assert page.locator(".stage").inner_text() == "Applied"
    assert page.get_by_text("Application received").is_visible()
    assert len(list(upload_dir.iterdir())) == 1
    assert len(outbox()) == 1
    assert_accessible()
    screenshot("status-page")


def test_an_invalid_submission_shows_its_errors(page, assert_accessible, screenshot):
    page.goto(ROLE_URL)
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@")
    with page.expect_response(lambda r: r.url.endswith("/apply")) as answer:
        page.get_by_role("button", name="Submit application").click()
    assert answer.value.status == 422
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert page.locator("#email-error").is_visible()
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Full name").input_value() == "Grace Hopper"
    # Each entry in the summary leads to its field.
    summary.get_by_role("link", name=re.compile("^Email")).click()
    assert page.evaluate("() => document.activeElement.id") == "email"
    assert_accessible()
    screenshot("apply-errors")


def test_the_form_can_be_completed_with_the_keyboard_alone(page):
    page.goto(ROLE_URL + "#apply")
    keyboard = page.keyboard

    def tab_to(element_id: str):
        keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id")
        assert focused == element_id, f"Tab reached {focused!r}, expected {element_id!r}"

    for field_id, text in [
        ("full_name", "Katherine Johnson"),
        ("email", "katherine@example.org"),
        ("phone", "+1 757 555 0101"),
        ("location", "Hampton, VA"),
        ("linkedin_url", "https://www.linkedin.com/in/katherine"),
        ("profile", "Trajectory analysis; survival models for ICU data."),
    ]:
        tab_to(field_id)
        keyboard.type(text)
    tab_to("skills-0")
    keyboard.press("Space")
    for index in range(1, 8):
        tab_to(f"skills-{index}")
    tab_to("resume")
    keyboard.press("Tab")  # the self-identification disclosure
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    tab_to("consent")
    keyboard.press("Space")
    keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "privacy notice"
    keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Submit application"
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications/[A-Za-z0-9_-]{22,}$"))
    assert page.locator(".stage").inner_text() == "Applied"


def test_withdrawing_from_the_status_page(page, assert_accessible, screenshot):
    page.goto(ROLE_URL)
    fill_valid_form(page, email="withdraw@example.org")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/applications/[A-Za-z0-9_-]{22,}$"))

    page.get_by_role("link", name="Withdraw my application").click()
    page.wait_for_url("**/withdraw")
    assert page.get_by_role("heading", level=1).inner_text() == "Withdraw your application?"
    assert_accessible()
    screenshot("withdraw-confirm")
    page.get_by_role("button", name="Yes, withdraw my application").click()
    page.wait_for_url(re.compile(r"/applications/[A-Za-z0-9_-]{22,}$"))
    assert page.locator(".stage").inner_text() == "Withdrawn"
    assert page.get_by_text("You withdrew your application", exact=True).is_visible()
    # The confirmation mail heads the messages sent (newest first).
    assert "You withdrew your application for Healthcare AI Engineer" in page.locator(".sent-messages summary").first.inner_text()
    assert_accessible()


def test_privacy_notice_page(page, assert_accessible, screenshot):
    page.goto("/privacy")
    assert page.get_by_role("heading", level=1).inner_text() == "Privacy notice for applicants"
    assert_accessible()
    screenshot("privacy")
