"""The admins' webhooks page: registering (the secret shown once; private
targets refused with 422), pausing and resuming, the recent deliveries and
redelivering one, each change in the audit trail."""
import re

import pytest
from sqlalchemy import select

from ats.models import AuditEvent, DeliveryStatus, Webhook, WebhookDelivery
from tests.fixtures.staff import staff_csrf_token
from tests.test_apply import APPLY_URL, form
from tests.test_webhooks import receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")
PAGE = "/admin/webhooks"


@pytest.fixture
def signed_in_admin(auth, admin):
    assert auth.login(admin).status_code == 303
    return admin


def register(client, url, events=("application.created",), secret=""):
    token = staff_csrf_token(client, PAGE)
    return client.post(PAGE, data={"csrf_token": token, "url": url, "events": list(events), "secret": secret})


def actions(db_session):
    return [entry.action for entry in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if entry.action.startswith("webhook.")]


def test_a_private_target_is_refused_without_the_opt_in(client, signed_in_admin, db_session, receiver):
    response = register(client, receiver.url)
    assert response.status_code == 422
    assert "webhooks go only to public addresses" in response.get_data(as_text=True)
    assert db_session.scalars(select(Webhook)).all() == [] and actions(db_session) == []


def test_bad_input_is_answered_422(client, signed_in_admin, db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", True)
    assert register(client, "http://127.0.0.1/x", events=()).status_code == 422
    assert register(client, "http://127.0.0.1/x", events=("offer.made",)).status_code == 422
    assert register(client, "http://127.0.0.1/x", secret="short").status_code == 422
    assert register(client, "gopher://127.0.0.1/x").status_code == 422
    assert db_session.scalars(select(Webhook)).all() == []


def test_an_admin_registers_pauses_resumes_and_redelivers(client, signed_in_admin, db_session, app, monkeypatch,
                                                          receiver, csrf):
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", True)
    response = register(client, receiver.url, events=("application.created", "interview.cancelled"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    [secret] = re.findall(r'<code class="api-token">([^<]+)</code>', page)
    hook = db_session.scalars(select(Webhook)).one()
    assert hook.secret == secret and hook.events == ["application.created", "interview.cancelled"]
    # Shown once: not on the page again.
    assert secret not in client.get(PAGE).get_data(as_text=True)

    client.post(APPLY_URL, data=form(csrf()))
    assert len(receiver.requests) == 1
    listing = client.get(PAGE).get_data(as_text=True)
    assert "application.created" in listing and "Succeeded" in listing

    token = staff_csrf_token(client, PAGE)
    assert client.post(f"{PAGE}/{hook.id}/pause", data={"csrf_token": token}).status_code == 303
    db_session.expire_all()
    assert db_session.get(Webhook, hook.id).active is False
    assert "Paused" in client.get(PAGE).get_data(as_text=True)
    client.post(APPLY_URL, data=form(csrf(), email="grace@example.org"))
    assert len(receiver.requests) == 1  # paused: not sent
    assert client.post(f"{PAGE}/{hook.id}/resume", data={"csrf_token": token}).status_code == 303

    delivery = db_session.scalars(select(WebhookDelivery)).one()
    answer = client.post(f"{PAGE}/{hook.id}/deliveries/{delivery.id}/redeliver", data={"csrf_token": token})
    assert answer.status_code == 303
    first, second = receiver.requests
    assert first.headers["X-ATS-Delivery"] == second.headers["X-ATS-Delivery"]
    db_session.expire_all()
    delivery = db_session.get(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.tries) == (DeliveryStatus.SUCCEEDED, 1)
    assert actions(db_session) == ["webhook.create", "webhook.pause", "webhook.resume", "webhook.redeliver"]


def test_unknown_ids_are_404_and_posts_need_the_csrf_token(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, PAGE)
    assert client.post(f"{PAGE}/999/pause", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{PAGE}/999/deliveries/5/redeliver", data={"csrf_token": token}).status_code == 404
    assert client.post(PAGE, data={"url": "http://example.org/", "events": ["application.created"]}).status_code \
        in (400, 403)
    assert actions(db_session) == []
