"""Webhooks against a receiver on loopback (``ATS_WEBHOOK_ALLOW_PRIVATE``):
each committed event of a subscribed type is POSTed, signed, with the API's
application; a failure (an error answer, a redirect, no answer in time) is
tried again later with the same ``X-ATS-Delivery``; a rolled-back change
sends nothing; private targets are refused without the opt-in."""
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import ats.webhooks
from ats.events import record_event
from ats.extensions import db
from ats.infra import webhooks as http
from ats.jobs import queue
from ats.jobs.tasks import sweep
from ats.models import Application, AuditEvent, DeliveryStatus, EventType, WebhookDelivery, utcnow
from ats.operations.webhooks import WebhookError, create_webhook
from tests.api import api_as  # noqa: F401 (a fixture)
from tests.test_apply import APPLY_URL, form
from tests.test_jobs import queued, run_queued  # noqa: F401 (a fixture)
from tests.webhook_receiver import start_receiver

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")
SECRET = "a-shared-secret-of-tests"


@pytest.fixture
def receiver():
    receiver, stop = start_receiver()
    yield receiver
    stop()


@pytest.fixture
def private_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", True)


@pytest.fixture
def hook(app, receiver, private_allowed):
    """A webhook for every event, to the receiver."""
    with app.app_context():
        made = create_webhook(receiver.url, ats.webhooks.EVENT_NAMES, SECRET, None, allow_private=True)
        db.session.remove()
    return made


@pytest.fixture
def clock(monkeypatch):
    """The webhooks' clock, moved on by hand: ``clock.advance(timedelta)``."""

    class Clock:
        offset = timedelta(0)

        def advance(self, by):
            self.offset += by

    moved = Clock()
    monkeypatch.setattr(ats.webhooks, "utcnow", lambda: utcnow() + moved.offset)
    return moved


def apply(client, csrf):
    response = client.post(APPLY_URL, data=form(csrf()))
    assert response.status_code == 303
    return response


def deliveries(db_session):
    return db_session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def run_sweep(app):
    with app.app_context():
        sweep(queue())
        db.session.remove()


def test_a_committed_event_is_posted_signed_with_the_apis_application(app, client, csrf, hook, receiver,
                                                                       db_session, admin, api_as):
    apply(client, csrf)
    [received] = receiver.requests
    assert received.path == "/hooks/ats"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-ATS-Event"] == "application.created"
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-ATS-Signature"], expected)
    payload = json.loads(received.body)
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert payload["type"] == "application.created"
    assert received.headers["X-ATS-Delivery"] == str(payload["id"])
    # The application exactly as the API answers it (which is checked against its schema).
    application = payload["data"]["application"]
    answer = api_as(admin).get(f"/api/v1/applications/{application['id']}").get_json()
    answer.pop("history")
    assert application == answer
    assert application["candidate"]["email"] == "ada@example.org"
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.event_id == payload["id"] and delivery.delivered_at is not None


def test_an_error_answer_is_tried_again_with_the_same_delivery_id(app, client, csrf, hook, receiver,
                                                                  db_session, clock):
    receiver.answers.append(500)
    apply(client, csrf)
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.last_error == "answered 500"
    # The first retry is due within a minute.
    assert timedelta(0) < delivery.next_try_at - utcnow() <= timedelta(minutes=1)
    run_sweep(app)  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    clock.advance(timedelta(minutes=3))
    run_sweep(app)
    first, second = receiver.requests
    assert first.headers["X-ATS-Delivery"] == second.headers["X-ATS-Delivery"]
    assert first.body == second.body and first.headers["X-ATS-Signature"] == second.headers["X-ATS-Signature"]
    db_session.expire_all()
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 2, 200)


def test_no_answer_in_time_is_tried_again(app, client, csrf, hook, receiver, db_session, clock, monkeypatch):
    monkeypatch.setattr(http, "TIMEOUT", 0.3)
    receiver.answers.append(("sleep", 1.5))
    apply(client, csrf)
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, None)
    assert delivery.last_error == "no answer within 0.3 s"
    clock.advance(timedelta(minutes=3))
    run_sweep(app)
    db_session.expire_all()
    assert deliveries(db_session)[0].status == DeliveryStatus.SUCCEEDED
    assert len({request.headers["X-ATS-Delivery"] for request in receiver.requests}) == 1


def test_a_redirect_is_not_followed_but_a_failure(app, client, csrf, hook, receiver, db_session):
    receiver.answers.append(("redirect", receiver.url + "/elsewhere"))
    apply(client, csrf)
    assert [request.path for request in receiver.requests] == ["/hooks/ats"]
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING, 302, "answered 302")


def test_retries_grow_for_more_than_a_day_then_the_delivery_fails(app, client, csrf, hook, receiver,
                                                                    db_session, clock):
    delays = [ats.webhooks.retry_delay(tries) for tries in range(1, ats.webhooks.MAX_TRIES)]
    assert delays[0] <= timedelta(minutes=1)
    assert delays == sorted(delays) and sum(delays, timedelta(0)) >= timedelta(hours=24)
    receiver.answers.extend([503] * ats.webhooks.MAX_TRIES)
    apply(client, csrf)
    for _ in range(ats.webhooks.MAX_TRIES - 1):
        clock.advance(ats.webhooks.LONGEST_WAIT + timedelta(minutes=3))
        run_sweep(app)
    assert len(receiver.requests) == ats.webhooks.MAX_TRIES
    db_session.expire_all()
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.tries, delivery.next_try_at) == (
        DeliveryStatus.FAILED, ats.webhooks.MAX_TRIES, None)
    clock.advance(timedelta(days=1))
    run_sweep(app)
    assert len(receiver.requests) == ats.webhooks.MAX_TRIES


def test_a_rolled_back_change_sends_nothing(app, client, csrf, hook, receiver, db_session, create_application,
                                            role):
    application = create_application(role, "Grace Hopper")
    with app.app_context():
        record_event(EventType.STAGE_CHANGED, db.session.get(Application, application.id))
        db.session.flush()
        db.session.rollback()
        db.session.remove()
    run_sweep(app)
    assert deliveries(db_session) == [] and receiver.requests == []
    # A form refused (no consent) commits nothing, and so sends nothing.
    assert client.post(APPLY_URL, data=form(csrf(), consent="")).status_code == 422
    assert deliveries(db_session) == [] and receiver.requests == []


def test_only_subscribed_events_of_active_webhooks_are_sent(app, client, csrf, receiver, private_allowed,
                                                            db_session):
    with app.app_context():
        create_webhook(receiver.url, ["application.stage_changed"], SECRET, None, allow_private=True)
        db.session.remove()
    apply(client, csrf)
    assert deliveries(db_session) == [] and receiver.requests == []


def test_a_private_target_is_refused_without_the_opt_in(app):
    with app.app_context():
        for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                    "http://[::1]/x", "http://[::ffff:192.168.0.1]/x", "http://0.0.0.0/", "http://224.0.0.1/"):
            with pytest.raises(WebhookError, match="public addresses"):
                create_webhook(url, ["application.created"], SECRET, None, allow_private=False)
        for url in ("ftp://example.org/", "http://user:pw@example.org/", "not a url"):
            with pytest.raises(WebhookError):
                create_webhook(url, ["application.created"], SECRET, None, allow_private=False)
        with pytest.raises(WebhookError, match="choose from application.created"):
            create_webhook("http://127.0.0.1/", ["application.deleted"], SECRET, None, allow_private=True)
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.create")).all() == []


def test_the_address_is_checked_again_at_delivery(app, client, csrf, hook, receiver, db_session, monkeypatch):
    # Registered while allowed; the name now points to a private address and the opt-in is gone.
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", False)
    apply(client, csrf)
    assert receiver.requests == []
    [delivery] = deliveries(db_session)
    assert delivery.status == DeliveryStatus.PENDING and "public addresses" in delivery.last_error


def test_the_signature_is_the_hmac_of_the_raw_body():
    body = b'{"id":1}'
    assert http.sign("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()



def test_on_a_queue_a_failed_try_is_scheduled_again(app, client, csrf, hook, receiver, db_session, clock, queued):
    receiver.answers.append(500)
    apply(client, csrf)
    assert receiver.requests == []  # queued, not sent in the request
    assert "deliver_webhook" in run_queued(queued)
    assert len(receiver.requests) == 1
    assert queued.huey.scheduled_count() == 1  # the retry, in 30 s
    clock.advance(timedelta(seconds=31))
    assert run_queued(queued, after=timedelta(seconds=31)) == ["deliver_webhook"]
    first, second = receiver.requests
    assert first.headers["X-ATS-Delivery"] == second.headers["X-ATS-Delivery"]
    db_session.expire_all()
    assert deliveries(db_session)[0].status == DeliveryStatus.SUCCEEDED


def test_the_command_registers_a_webhook_or_exits_1_saying_why(app, receiver, db_session, monkeypatch):
    runner = app.test_cli_runner()
    private = runner.invoke(args=["ats", "add-webhook", receiver.url, "--events", "application.created",
                                  "--secret", SECRET])
    assert private.exit_code == 1 and "public addresses" in private.output
    unknown = runner.invoke(args=["ats", "add-webhook", "http://93.184.215.14/hook", "--events",
                                  "application.created,offer.made", "--secret", SECRET])
    assert unknown.exit_code == 1
    assert "offer.made" in unknown.output and ", ".join(ats.webhooks.EVENT_NAMES) in unknown.output
    assert db_session.scalars(select(WebhookDelivery)).all() == []
    monkeypatch.setitem(app.config, "ATS_WEBHOOK_ALLOW_PRIVATE", True)
    made = runner.invoke(args=["ats", "add-webhook", receiver.url, "--events",
                               "interview.cancelled, application.created", "--secret", SECRET])
    assert made.exit_code == 0, made.output
    assert "application.created, interview.cancelled" in made.output
    [entry] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.create")).all()
    assert entry.actor_id is None and SECRET not in json.dumps(entry.detail)


def test_https_is_verified_against_the_name_though_sent_to_the_address_checked(tmp_path):
    """An https target is connected to by its checked address, with the URL's
    name as the TLS server name: a certificate the roots do not vouch for fails."""
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=hooks.example.com", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        target = http.Target("https", "hooks.example.com", server.server_address[1], "/x", "127.0.0.1")
        answer = http.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)
    finally:
        thread.join(5)
        server.server_close()
    assert (answer.status, answer.error) == (None, "TLS failed (certificate or handshake)")
    assert names == ["hooks.example.com"]
