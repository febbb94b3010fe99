"""Absolute links come from ATS_PUBLIC_URL, never from the request (contract:
"Production" and the environment's ATS_PUBLIC_URL)."""
import pytest
from sqlalchemy import select

from ats import create_app
from ats.models import Event, EventType
from config import ProductionConfig, TestingConfig
from tests.fixtures.staff import csrf_token_from
from tests.test_apply import APPLY_URL, ROLE_URL, STATUS, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


def test_a_forged_host_never_reaches_the_candidates_mail(app, client, csrf, outbox, db_session):
    assert app.config["ATS_PUBLIC_URL"] == "http://localhost"  # TestingConfig's
    first = client.post(APPLY_URL, data=form(csrf()))
    token = STATUS.match(first.headers["Location"]).group(1)

    # Someone who knows the candidate's address applies with it, naming their own host.
    evil = {"Host": "evil.example"}
    token_there = csrf_token_from(client.get(ROLE_URL, headers=evil).get_data(as_text=True))
    again = client.post(APPLY_URL, data=form(token_there), headers=evil)

    assert again.status_code == 409
    for message in outbox():
        content = message.get_content()
        assert "evil.example" not in content
        assert f"http://localhost/applications/{token}" in content
    assert len(outbox()) == 2


def test_applying_again_is_an_event_the_dispatcher_mails(client, csrf, outbox, db_session):
    client.post(APPLY_URL, data=form(csrf()))
    client.post(APPLY_URL, data=form(csrf()))
    events = db_session.scalars(select(Event).order_by(Event.id)).all()
    assert [event.type for event in events] == [EventType.APPLICATION_CREATED, EventType.APPLICATION_RESUBMITTED]
    assert all(event.dispatched_at is not None for event in events)
    assert events[0].application_id == events[1].application_id
    assert events[1].data == {}  # nothing personal in an event


def test_page_links_use_the_configured_address_whatever_the_host(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org/jobs")
    body = client.get(ROLE_URL, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert f'<link rel="canonical" href="https://careers.example.org/jobs{ROLE_URL}">' in body
    assert "evil.example" not in body


@pytest.mark.parametrize("url", ["careers.example.org", "ftp://careers.example.org", "https://", "https://x.org/?a=1"])
def test_an_unusable_public_url_stops_the_start(url):
    class Config(TestingConfig):
        ATS_PUBLIC_URL = url

    with pytest.raises(RuntimeError, match="ATS_PUBLIC_URL"):
        create_app(Config)


def test_production_needs_the_public_url():
    class Production(ProductionConfig):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        ATS_PUBLIC_URL = ""

    with pytest.raises(RuntimeError, match="ATS_PUBLIC_URL must be set"):
        create_app(Production)
