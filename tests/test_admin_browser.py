"""The admins' jobs page in headless Chromium, on desktop and phone
viewports: a job that gave up is listed with what went wrong, and runs again
from its button."""
from ats.models import Access, Event, EventType, JobFailure
from tests.test_account_browser import check, sign_in


def test_an_admin_runs_a_failed_mail_again(page, create_staff, create_application, role, db_session, outbox,
                                          assert_accessible, screenshot):
    application = create_application(role, "Grace Hopper")
    event = Event(type=EventType.APPLICATION_CREATED, application_id=application.id, data={})
    db_session.add(event)
    db_session.flush()
    db_session.add(JobFailure(task="deliver_event", args=f"[{event.id}]", error="the mail server answered 451", tries=9))
    db_session.flush()

    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Admin", exact=True).click()
    page.wait_for_url("**/admin/")
    check(page, assert_accessible, screenshot, "admin-index")
    page.get_by_role("link", name="Background jobs").click()
    page.wait_for_url("**/admin/jobs")
    card = page.get_by_role("listitem").filter(has_text="Mail to a candidate")
    assert "the mail server answered 451" in card.inner_text()
    assert "after 9 tries" in card.inner_text()
    assert card.get_by_role("link", name=f"application #{application.id}").is_visible()
    check(page, assert_accessible, screenshot, "admin-jobs")

    card.get_by_role("button", name="Run again").click()
    page.wait_for_url("**/admin/jobs")
    assert "run again" in page.get_by_role("status").inner_text()
    assert page.get_by_text("None: every job").is_visible()
    assert [m["Subject"] for m in outbox()] == ["We received your application for Healthcare AI Engineer"]
    check(page, assert_accessible, screenshot, "admin-jobs-done")
