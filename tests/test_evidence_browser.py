"""The evidence on the application page, a decision after an interview, and
the reports' scorecard tables, in headless Chromium on desktop and phone:
they render, read in words, and axe finds nothing serious."""
from datetime import timedelta
from pathlib import Path

import pytest

from ats.models import Access, Recommendation, SkillAnnotation, SkillLevel, Stage, utcnow
from tests.applications import ada
from tests.pages import sign_in
from tests.scorecard_factories import add_company, add_interview, add_scorecard

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")

SHOTS = Path("/tmp/shots-evidence")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def assert_no_sideways_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


@pytest.fixture
def interviewed(db_session, create_application, role, skills):
    application = create_application(role, **ada(stage=Stage.INTERVIEW, name="María José Fernández-Villanueva",
                                                 skills_strong=2, skills_partial=1, skills_assessed=4))
    for slug, level in zip(skills, ["strong", "strong", "partial", "none"]):
        db_session.add(SkillAnnotation(application_id=application.id,
                                       skill_id=next(s.id for s in role.active_skills if s.slug == slug),
                                       level=SkillLevel(level), note="From the profile" if level == "strong" else ""))
    db_session.commit()
    acme, beta = add_company(db_session, "Acme Health"), add_company(db_session, "Beta Clinic")
    first = add_interview(db_session, application, acme, ends_at=utcnow() - timedelta(days=2),
                          interviewers=["ines.garcia-long-address@acme-health.example", "b@acme.example"])
    second = add_interview(db_session, application, beta, ends_at=utcnow() - timedelta(days=1),
                           interviewers=["c@beta.example"])
    add_scorecard(db_session, first, "ines.garcia-long-address@acme-health.example",
                  {skills[0]: ("strong", "Walked us through a production NER pipeline on discharge notes."),
                   skills[1]: ("none", "Could not say how PHI is found in free text."), skills[2]: "partial",
                   skills[3]: "partial"},
                  recommendation=Recommendation.YES, summary="Good on the clinical side; weak on privacy.")
    add_scorecard(db_session, first, "b@acme.example", {skills[0]: "strong", skills[1]: "partial"},
                  recommendation=Recommendation.NO, summary="Not enough depth on de-identification.")
    add_scorecard(db_session, second, "c@beta.example", submitted=False)
    return application


def test_the_evidence_section_and_a_decision_with_its_summary(page, create_staff, interviewed, assert_accessible):
    account = create_staff(Access.RECRUITER, name="Rita Recruiter")
    url = f"/pipeline/applications/{interviewed.id}"
    sign_in(page, account, url)
    section = page.locator(".evidence-panel")
    assert section.get_by_role("heading", name="Evidence").is_visible()
    table = page.get_by_role("table", name="Each skill: the recruiter’s level and the interviewers")
    assert table.get_by_role("columnheader", name="Recruiter").is_visible()
    assert table.get_by_text("Disagree: two steps apart").is_visible()
    assert section.get_by_text("2 of 3").is_visible()
    assert section.get_by_text("Good on the clinical side; weak on privacy.").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    section.scroll_into_view_if_needed()
    shot(page, "application-evidence")
    section.screenshot(path=str(SHOTS / f"evidence-section-{page.viewport_name}.png"))
    # Scrolled sideways (a phone's way through the interviewers), the skill stays in view.
    wrap = page.locator(".evidence-table-wrap")
    wrap.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    wrap.screenshot(path=str(SHOTS / f"evidence-table-scrolled-{page.viewport_name}.png"))

    # An offer without summary or reason: 422, the message at the field.
    page.get_by_label("Move to").select_option("offer")
    page.get_by_role("button", name="Move", exact=True).click()
    error = page.locator("#stage-decision-summary-error")
    assert "needs a short decision summary" in error.inner_text()
    assert_accessible()
    page.get_by_label("Decision summary").fill("Strong clinical NLP; privacy gap to cover in onboarding.")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(f"**{url}")
    assert page.get_by_text("Moved to Offer.").is_visible()
    entry = page.locator(".history__item").first
    assert "Decision summary: Strong clinical NLP" in entry.inner_text()
    details = entry.locator("details.history__evidence")
    assert "2 of 3 scorecards in; evidence score" in details.locator("summary").inner_text()
    details.locator("summary").click()
    assert details.get_by_text("Yes (ines.garcia-long-address@acme-health.example, Acme Health)").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    entry.screenshot(path=str(SHOTS / f"history-decision-{page.viewport_name}.png"))


def test_the_empty_state(page, create_staff, create_application, role, assert_accessible):
    application = create_application(role, **ada())
    sign_in(page, create_staff(Access.RECRUITER), f"/pipeline/applications/{application.id}")
    assert page.get_by_text("No scorecards yet: no interview of this application has ended.").is_visible()
    assert_accessible()
    page.locator(".evidence-panel").screenshot(path=str(SHOTS / f"evidence-empty-{page.viewport_name}.png"))


def test_the_reports_scorecard_tables(page, create_staff, interviewed, db_session, assert_accessible):
    from tests.fixtures.factories import set_columns

    set_columns(db_session, interviewed.id, stage=Stage.REJECTED, closed_from_stage=Stage.INTERVIEW)
    sign_in(page, create_staff(Access.MANAGER), "/reports/")
    assert page.get_by_role("table", name="Scorecards expected and submitted").is_visible()
    assert page.get_by_role("table", name="Per interviewer").get_by_text("b@acme.example").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    page.locator("#scorecard-companies-heading").scroll_into_view_if_needed()
    shot(page, "reports-scorecards")
