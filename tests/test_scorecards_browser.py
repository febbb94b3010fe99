"""An interviewer opens the link mailed when the interview ended, fills the
scorecard in headless Chromium, submits it, sees the confirmation and
changes it again; axe-core checks each state."""
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from ats.models import Access, Recommendation, Role, Scorecard, ScorecardVersion, Stage
from tests.fixtures.factories import set_columns
from tests.pages import sign_in
from tests.test_scorecards import ANA, links_in, past_interviews, sweep_at

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

SHOTS = Path("/tmp/shots-score")


@pytest.fixture
def past_interview(db_session, application):
    return past_interviews(db_session, application)


def shot(page, screenshot, name: str) -> None:
    """The test-artifacts screenshot, and copies to look at: the whole page,
    and a long page in screen-high parts."""
    screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)
    size = page.viewport_size
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for part, top in enumerate(range(0, height, size["height"] * 2)):
        clip = {"x": 0, "y": top, "width": size["width"], "height": min(size["height"] * 2, height - top)}
        page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}-part{part + 1}.png"), full_page=True, clip=clip)


def test_an_interviewer_fills_in_and_changes_their_scorecard(app, page, create_application, db_session, outbox,
                                                            past_interview, assert_accessible, screenshot):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    skills = role.active_skills
    application = create_application(role, "Katherine Johnson")
    past_interview(timedelta(hours=1), interviewers=(ANA,), application_id=application.id)
    assert sweep_at(app, None) == (1, 0)
    mail = next(message for message in outbox() if message["To"] == ANA)
    url = re.search(r"http://localhost(/scorecards/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    assert urlsplit(url).path.endswith(links_in(outbox)[ANA])

    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Katherine Johnson"
    facts = page.locator(".facts").inner_text()
    assert "Healthcare AI Engineer" in facts and "Tempus" in facts and "America/New York" in facts
    assert_accessible()
    shot(page, screenshot, "scorecard-new")

    # Sent without a recommendation: the form comes back with its error.
    page.locator(f"label[for='skill-{skills[0].slug}-strong']").click()
    page.get_by_label(f"Evidence for {skills[0].name}").fill("Walked through a model she shipped, with its failure modes.")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Submit scorecard").click()
    assert answer.value.status == 422
    page.wait_for_load_state()
    assert "Your recommendation: Choose strong yes, yes, no or strong no." in page.locator(".error-summary").inner_text()
    # What was chosen and typed is kept.
    assert page.locator(f"#skill-{skills[0].slug}-strong").is_checked()
    assert_accessible()
    shot(page, screenshot, "scorecard-errors")

    page.locator(f"label[for='skill-{skills[1].slug}-partial']").click()
    page.locator("label", has_text=re.compile(r"^Yes$")).click()
    page.get_by_label("Summary").fill("Strong on modelling, thinner on deployment.")
    page.get_by_role("button", name="Submit scorecard").click()
    page.wait_for_url(f"**{url}")
    assert "your scorecard is saved (version 1)" in page.locator(".flashes").inner_text()
    assert "(version 1)" in page.locator(".scorecard-page__submitted").inner_text()
    assert page.locator(f"#skill-{skills[1].slug}-partial").is_checked()
    assert_accessible()
    shot(page, screenshot, "scorecard-submitted")

    # Changed on reflection: a second version.
    page.locator(f"label[for='skill-{skills[1].slug}-strong']").click()
    page.locator("label", has_text="Strong yes").click()
    page.get_by_role("button", name="Update scorecard").click()
    page.wait_for_url(f"**{url}")
    assert "(version 2)" in page.locator(".scorecard-page__submitted").inner_text()
    assert_accessible()

    card = db_session.scalars(select(Scorecard).filter_by(email=ANA)).one()
    assert card.version == 2 and card.recommendation is Recommendation.STRONG_YES
    assert card.summary == "Strong on modelling, thinner on deployment."
    versions = db_session.scalars(select(ScorecardVersion).order_by(ScorecardVersion.version)).all()
    assert [version.ratings[skills[1].slug]["level"] for version in versions] == ["partial", "strong"]


def test_the_dashboard_lists_own_scorecards_and_those_waiting(app, page, create_staff, create_application, db_session,
                                                             outbox, past_interview, assert_accessible, screenshot):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    application = create_application(role, "Mary Jackson")
    past_interview(timedelta(hours=2), interviewers=(ANA,), application_id=application.id)
    past_interview(timedelta(hours=50), interviewers=(ANA, "li@tempus.example", "kim.long-address@tempus.example"))
    sweep_at(app, None)
    sign_in(page, create_staff(Access.MANAGER, email=ANA, name="Ana Tempus"))
    page.goto("/pipeline/")
    own = page.locator("section", has=page.get_by_role("heading", name="Your scorecards"))
    assert own.get_by_role("link").count() == 2
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting for feedback"))
    row = waiting.locator("tbody tr")
    assert row.count() == 1 and "Grace Hopper" in row.inner_text() and "26 hours" in row.inner_text()
    assert_accessible()
    shot(page, screenshot, "scorecard-dashboard")

    # Filled in from the dashboard's link; then the application is decided,
    # and the interviewer's page is read-only.
    own.get_by_role("link", name=re.compile("Mary Jackson")).click()
    page.locator("label", has_text="Strong no").click()
    page.get_by_label("Summary").fill("Could not explain her own project.")
    page.get_by_role("button", name="Submit scorecard").click()
    page.wait_for_selector(".scorecard-page__submitted")
    set_columns(db_session, application.id, stage=Stage.REJECTED, closed_from_stage=Stage.INTERVIEW)
    page.reload()
    assert "can no longer be changed" in page.locator(".notice").inner_text()
    assert "Strong no" in page.locator("main").inner_text() and "Could not explain" in page.locator("main").inner_text()
    assert page.locator("form.scorecard-form").count() == 0
    assert_accessible()
    shot(page, screenshot, "scorecard-read-only")
