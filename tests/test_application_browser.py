"""A recruiter works on one application in headless Chromium, on desktop and
phone: move it, judge its skills, add a note, read the history; axe checks
the page and its error state."""
import re

import pytest

from ats.extensions import db
from ats.models import Stage
from tests.files import pdf_bytes
from tests.pages import sign_in

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


def assert_no_sideways_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


@pytest.fixture
def application_id(create_application, role, attach_resume) -> int:
    application = create_application(
        role, "María José Fernández-Villanueva", days_in_stage=2, history=True,
        email="maria.fernandez@example.org", phone="+34 600 123 456", location="Valencia, Spain",
        linkedin_url="https://www.linkedin.com/in/maria-jose-fernandez-villanueva",
        profile=(
            "Six years building clinical NLP for a hospital network: named entity recognition on "
            "discharge summaries with BERT.\n"
            "Led the HIPAA de-identification of 2M physician notes.\n\n"
            "Built a survival analysis model (Cox, Kaplan-Meier) for sepsis risk stratification."
        ),
        claimed=("clinical-nlp", "hipaa-phi-deidentification"),
    )
    attach_resume(application.id, pdf_bytes("Integrated FHIR and HL7 feeds into the Epic EHR."),
                  "application/pdf", "María CV.pdf")
    return application.id


def choose_level(page, slug: str, level: str) -> None:
    # The radio itself is drawn as its label: click what a person sees.
    page.locator(f"label[for='skill-{slug}-{level}']").click()
    assert page.locator(f"#skill-{slug}-{level}").is_checked()


def test_a_recruiter_moves_judges_and_notes_an_application(page, create_staff, application_id,
                                                           assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    url = f"/pipeline/applications/{application_id}"
    sign_in(page, account, url)

    assert page.get_by_role("heading", level=1).inner_text() == "María José Fernández-Villanueva"
    assert page.get_by_role("link", name="María CV.pdf").is_visible()
    assert page.get_by_text("Not scored yet").first.is_visible()
    # Evidence from the profile and from the resume's text, keywords marked.
    assert page.locator("mark", has_text="HIPAA").first.is_visible()
    assert page.locator(".evidence li", has_text="Resume").filter(has_text="FHIR").first.is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("application-page")

    # Move it to screening.
    page.get_by_label("Move to").select_option("screening")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(f"**{url}")
    assert page.get_by_text("Moved to Screening.").is_visible()
    assert page.locator(".app-header .stage").inner_text() == "Screening"
    history = page.locator(".history__item").first
    assert "Applied" in history.inner_text() and "Screening" in history.inner_text()
    assert "Rita Recruiter" in history.inner_text()

    # Judge the skills: 3 strong and 2 partial of 8 is 50.0.
    for slug in ("clinical-nlp", "hipaa-phi-deidentification", "survival-analysis-risk-stratification"):
        choose_level(page, slug, "strong")
    for slug in ("ehr-fhir-hl7-integration", "uncertainty-calibration"):
        choose_level(page, slug, "partial")
    choose_level(page, "fda-samd-regulatory", "none")
    page.get_by_label("Note on Clinical NLP").fill("NER on discharge summaries, in production.")
    page.get_by_role("button", name="Save skill match").click()
    page.wait_for_url(f"**{url}")
    assert page.locator(".score__number").inner_text() == "50.0"
    assert page.get_by_label("Note on Clinical NLP").input_value() == "NER on discharge summaries, in production."

    # A note, shown with its author.
    page.get_by_label("New note").fill("Spoke on the phone.\nAvailable from March.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(f"**{url}")
    note = page.locator(".note").first
    assert "Spoke on the phone." in note.inner_text() and "Available from March." in note.inner_text()
    assert "Rita Recruiter" in note.inner_text()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("application-page-worked")


def test_a_refused_move_shows_its_error_by_the_control(page, create_staff, application_id,
                                                       assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    url = f"/pipeline/applications/{application_id}"
    sign_in(page, account, url)

    page.get_by_label("Move to").select_option("rejected")
    with page.expect_response(lambda r: r.url.endswith("/stage")) as answer:
        page.get_by_role("button", name="Move", exact=True).click()
    assert answer.value.status == 422
    page.wait_for_load_state()

    stage = page.get_by_label("Move to")
    assert stage.get_attribute("aria-invalid") == "true"
    assert "stage-to-error" in stage.get_attribute("aria-describedby")
    assert page.locator("#stage-to-error").inner_text().endswith("Rejecting needs a reason.")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("application-page-error")

    page.get_by_label("Reason").fill("Looking for more imaging experience.")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(re.compile(rf"{url}$"))
    assert page.locator(".app-header .stage").inner_text() == "Rejected"
    assert page.get_by_text("Looking for more imaging experience.").first.is_visible()


def test_the_stale_page(app, page, create_staff, application_id, assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    url = f"/pipeline/applications/{application_id}"
    sign_in(page, account, url)
    # Someone else moves it while the page is open.
    from ats.operations.pipeline import move_stage_as_staff

    other = create_staff(name="Otto Other")
    with app.app_context():
        move_stage_as_staff(application_id, Stage.SCREENING, "Fast-tracked by the hiring manager", other.id, 1)
        db.session.remove()

    page.get_by_label("Move to").select_option("interview")
    with page.expect_response(lambda r: r.url.endswith("/stage")) as answer:
        page.get_by_role("button", name="Move", exact=True).click()
    assert answer.value.status == 409
    page.wait_for_load_state()
    assert "changed after your page was loaded" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("Fast-tracked by the hiring manager").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("application-stale")
    page.get_by_role("link", name="Back to the application").click()
    page.wait_for_url(f"**{url}")
    assert page.locator(".app-header .stage").inner_text() == "Screening"

