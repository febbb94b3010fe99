"""A recruiter schedules an interview in headless Chromium and finds it in the list."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.models import Access, Role
from tests.dates import NEXT_YEAR, in_utc, offset, offset_label, on, slot_label, spring_forward, typed
from tests.fixtures.factories import status_token
from tests.pages import sign_in

pytestmark = pytest.mark.usefixtures("seeded", "outbox")


def test_schedule_an_interview_and_see_it_listed(page, create_staff, create_application, db_session, assert_accessible, screenshot):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    application = create_application(role, "Katherine Johnson")
    sign_in(page, create_staff(Access.RECRUITER))

    page.goto(f"/pipeline/applications/{application.id}")
    page.get_by_role("link", name="Schedule an interview").click()
    page.wait_for_url(f"**/pipeline/applications/{application.id}/interviews/new")
    page.get_by_label("Company").select_option("pathai")
    starts = on(5, 4, 14, 30)
    page.get_by_label("Starts at").fill(typed(starts))
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Duration").fill("60")
    page.get_by_label("Kind").select_option("onsite")
    page.get_by_label("Location or link").fill("PathAI, 1325 Boylston St, Boston")
    page.get_by_label("Interviewers").fill("sam@pathai.example")
    assert_accessible()
    screenshot("interview-schedule")
    page.get_by_role("button", name="Schedule interview").click()
    page.wait_for_url(re.compile(r"/interviews/\d+$"))

    assert page.get_by_role("heading", level=1).inner_text() == "Interview with PathAI"
    ends = starts + timedelta(minutes=60)
    assert f"{starts:%a %-d %b %Y, %H:%M}–{ends:%H:%M}" in page.locator(".facts").inner_text()
    assert f"Europe/Berlin ({offset_label(offset('Europe/Berlin', starts))})" in page.locator(".facts").inner_text()
    assert_accessible()
    screenshot("interview-detail")

    page.goto(f"/pipeline/applications/{application.id}")
    assert "PathAI" in page.locator(".interview-list").inner_text()
    assert "Interview" in page.locator(".stage, .stage-tag").first.inner_text()

    page.goto("/interviews/?company=pathai")
    row = page.locator("tbody tr")
    assert row.count() == 1
    assert "Katherine Johnson" in row.inner_text()
    assert_accessible()
    screenshot("interviews-list")


def test_a_gap_time_shows_why_it_was_refused(page, create_staff, create_application, db_session, assert_accessible):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    application = create_application(role, "Mary Jackson")
    sign_in(page, create_staff(Access.RECRUITER))
    page.goto(f"/pipeline/applications/{application.id}/interviews/new")
    page.get_by_label("Starts at").fill(typed(spring_forward("America/New_York", NEXT_YEAR).during))
    page.get_by_label("Time zone").select_option("America/New_York")
    with page.expect_response(lambda r: r.url.endswith("/interviews")) as answer:
        page.get_by_role("button", name="Schedule interview").click()
    assert answer.value.status == 422
    page.wait_for_load_state()
    assert "does not exist in America/New_York" in page.locator("#starts_at-error").inner_text()
    assert_accessible()


def test_offer_times_and_the_candidate_books_one(app, page, create_staff, create_application, db_session, outbox, assert_accessible, screenshot):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    application = create_application(role, "Dorothy Vaughan")
    sign_in(page, create_staff(Access.RECRUITER))
    page.goto(f"/pipeline/applications/{application.id}/offers/new")
    page.get_by_label("Company").select_option("google-health")
    page.get_by_label("Interviewers").fill("kim@google.example")
    page.get_by_label("Time zone of the times below").select_option("Europe/London")
    first, second = on(6, 1, 9), on(6, 2, 15, 30)
    page.get_by_label("Times to offer").fill(f"{typed(first, ' ')}\n{typed(second, ' ')}")
    page.get_by_label("Offer expires at").fill(typed(on(5, 30, 18)))
    assert_accessible()
    page.get_by_role("button", name="Send the offer").click()
    page.wait_for_url(re.compile(r"/interviews/offers/\d+$"))
    assert_accessible()
    screenshot("offer-detail")

    link = re.search(r"http://[^/]+(/interview-offers/[A-Za-z0-9_-]+)", outbox()[-1].get_content()).group(1)
    page.goto(link + "?tz=America/Chicago")
    assert page.get_by_label(slot_label(in_utc(first, "Europe/London"), 45, "America/Chicago")).is_visible()
    assert_accessible()
    screenshot("offer-candidate")
    page.get_by_label(slot_label(in_utc(second, "Europe/London"), 45, "America/Chicago")).check()
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_url(f"**/applications/{status_token(app, application)}")
    assert page.get_by_text("Your interview is booked.").is_visible()
    assert "Google Health" in page.locator(".interview-list").inner_text()
