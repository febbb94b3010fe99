"""Messages to candidates in headless Chromium, on desktop and phone
viewports: a recruiter rejects with a chosen template sent the next morning;
an admin edits a template and previews it."""
from sqlalchemy import select

from ats.models import Access, CandidateMessage, MessageStatus, Stage
from ats.timezones import ZoneInfo
from tests.applications import ada
from tests.test_account_browser import check, sign_in


def test_a_recruiter_rejects_with_a_chosen_message_sent_the_next_morning(
        page, create_staff, create_application, role, db_session, outbox, assert_accessible, screenshot):
    application = create_application(role, **ada(), stage=Stage.INTERVIEW)
    sign_in(page, create_staff(Access.RECRUITER, name="Rita Recruiter"))
    page.wait_for_url("**/pipeline/")
    page.goto(f"/pipeline/applications/{application.id}")
    page.get_by_label("Move to").select_option("rejected")
    page.get_by_label("Reason").fill("Another candidate was a closer match on FHIR.")
    page.get_by_label("Which message").select_option("rejection_screening")
    page.get_by_label("The next morning, at 09:00 in the time zone below").check()
    page.get_by_label("Time zone", exact=True).select_option("Europe/Berlin")
    check(page, assert_accessible, screenshot, "messages-reject-form")
    page.get_by_role("button", name="Move").click()
    page.wait_for_url(f"**/pipeline/applications/{application.id}")
    assert "Moved to Rejected." in page.get_by_role("status").first.inner_text()
    waiting = page.locator("[id^=waiting-message-]")
    assert "Rejection after screening" in waiting.inner_text() and "Europe/Berlin" in waiting.inner_text()
    check(page, assert_accessible, screenshot, "messages-waiting")

    [message] = db_session.scalars(select(CandidateMessage)).all()
    assert (message.template_key, message.status) == ("rejection_screening", MessageStatus.SCHEDULED)
    local = message.send_after.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (9, 0)
    assert outbox() == []


def test_an_admin_edits_a_template_and_previews_it(page, create_staff, create_application, role, assert_accessible,
                                                   screenshot):
    create_application(role, **ada(name="Grace <b>Hopper</b>"))
    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    page.get_by_role("link", name="Messages to candidates").click()
    page.wait_for_url("**/admin/messages")
    check(page, assert_accessible, screenshot, "messages-list")
    page.get_by_role("link", name="Rejection after an interview").click()
    page.wait_for_url("**/admin/messages/rejection_interview")

    page.get_by_label("Subject").fill("About {role}, {first_name}")
    page.get_by_label("HTML message").fill("<p>Dear {nickname}</p>")
    page.get_by_role("button", name="Save").click()
    assert "Not a placeholder: {nickname}." in page.locator(".error-summary").inner_text()
    check(page, assert_accessible, screenshot, "messages-edit-refused")

    page.get_by_label("HTML message").fill("<p>Dear <strong>{first_name}</strong>, about {role}.</p>")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/messages/rejection_interview")
    assert "Saved Rejection after an interview" in page.get_by_role("status").first.inner_text()
    check(page, assert_accessible, screenshot, "messages-edit")

    page.get_by_role("link", name="Preview with an application").click()
    page.wait_for_url("**/preview")
    assert page.locator(".message-preview__subject").inner_text() == "About Healthcare AI Engineer, Grace"
    frame = page.frame_locator("iframe.message-preview__html")
    assert frame.locator("strong").inner_text() == "Grace"
    check(page, assert_accessible, screenshot, "messages-preview")


def test_the_candidate_reads_the_messages_sent_on_their_status_page(
        page, app, client, create_staff, auth, create_application, role, outbox, assert_accessible, screenshot):
    from tests.applications import post_stage
    from tests.fixtures.factories import status_token
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert auth.login(create_staff(Access.RECRUITER)).status_code == 303
    assert post_stage(client, application.id, "rejected", reason="r").status_code == 303
    page.goto(f"/applications/{status_token(app, application)}")
    page.get_by_text("Your application for Healthcare AI Engineer").click()
    assert page.get_by_text("Hello Ada,").is_visible()
    check(page, assert_accessible, screenshot, "messages-status-page")
