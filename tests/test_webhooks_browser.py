"""The admins' webhooks page in headless Chromium, on desktop and phone
viewports: registering a webhook (its secret shown once), its deliveries
with their answers, and redelivering one."""
from datetime import timedelta

from ats.models import Access, DeliveryStatus, Event, EventType, Webhook, WebhookDelivery, utcnow
from tests.test_account_browser import check, sign_in
from tests.test_webhooks import receiver  # noqa: F401 (a fixture)


def test_an_admin_registers_a_webhook_and_redelivers(page, app, monkeypatch, receiver, create_staff,
                                                     create_application, role, db_session, assert_accessible,
                                                     screenshot):
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", True)
    application = create_application(role, "Grace Hopper")
    hook = Webhook(url=receiver.url, events=["application.created", "application.stage_changed"],
                   secret="a-shared-secret-of-tests", active=True)
    event = Event(type=EventType.APPLICATION_CREATED, application_id=application.id, data={})
    db_session.add_all([hook, event])
    db_session.flush()
    db_session.add(WebhookDelivery(webhook_id=hook.id, event_id=event.id, status=DeliveryStatus.PENDING, tries=3,
                                   last_status_code=500, last_error="answered 500",
                                   next_try_at=utcnow() + timedelta(minutes=4)))
    db_session.flush()

    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.goto(page.url.replace("/pipeline/", "/admin/"))
    page.get_by_role("link", name="Webhooks").click()
    page.wait_for_url("**/admin/webhooks")
    row = page.get_by_role("row").filter(has_text="application.created")
    assert "500" in row.inner_text() and "Pending" in row.inner_text()
    check(page, assert_accessible, screenshot, "admin-webhooks")

    row.get_by_role("button", name="Redeliver").click()
    page.wait_for_url("**/admin/webhooks")
    assert "being sent again" in page.get_by_role("status").first.inner_text()
    assert len(receiver.requests) == 1
    assert "Succeeded" in page.get_by_role("row").filter(has_text="application.created").inner_text()

    page.get_by_label("URL").fill(receiver.url + "/second")
    page.get_by_label("interview.scheduled").check()
    page.get_by_role("button", name="Register the webhook").click()
    page.wait_for_load_state()
    assert "only time it is shown" in page.get_by_role("status").first.inner_text()
    check(page, assert_accessible, screenshot, "admin-webhooks-registered")
