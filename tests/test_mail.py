"""Mail to addresses beyond ASCII (issue 12, item 9): written as UTF-8, not as
RFC 2047 encoded words that reach no one, and sent with SMTPUTF8 through a
real SMTP server on loopback (aiosmtpd)."""
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from ats.infra.mail import deliverable_address
from ats.models import Application
from tests.test_apply import APPLY_URL, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


class Received:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app, monkeypatch):
    received = Received()
    with socket.socket() as probe:  # a free port: aiosmtpd connects to its own port to start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(received, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    for key, value in {"ATS_MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port,
                       "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": None}.items():
        monkeypatch.setitem(app.config, key, value)
    yield received
    controller.stop()


def test_the_status_link_reaches_an_address_beyond_ascii(client, csrf, outbox, db_session):
    response = client.post(APPLY_URL, data=form(csrf(), email="zoë@example.org"))
    assert response.status_code == 303
    assert db_session.scalars(select(Application)).one().email == "zoë@example.org"
    [message] = outbox()
    assert message["To"] == "zoë@example.org"
    assert b"=?utf-8?" not in message.as_bytes()


def test_smtp_delivery_uses_smtputf8_and_the_ascii_form_of_the_domain(client, csrf, db_session, smtp_server):
    assert client.post(APPLY_URL, data=form(csrf(), email="zoë@bücher.example")).status_code == 303
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["zoë@xn--bcher-kva.example"]
    assert "SMTPUTF8" in envelope.mail_options
    assert "To: zoë@xn--bcher-kva.example".encode() in envelope.original_content


def test_an_ascii_address_is_sent_as_before(client, csrf, db_session, smtp_server):
    assert client.post(APPLY_URL, data=form(csrf(), email="ada@example.org")).status_code == 303
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert "SMTPUTF8" not in envelope.mail_options


@pytest.mark.parametrize("address, expected", [
    ("ada@example.org", "ada@example.org"),
    ("zoë@example.org", "zoë@example.org"),
    ("ana@bücher.example", "ana@xn--bcher-kva.example"),
])
def test_deliverable_address(address, expected):
    assert deliverable_address(address) == expected
