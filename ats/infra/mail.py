"""Outgoing e-mail, built with the standard library's ``email`` package.

``ATS_MAIL_BACKEND`` chooses where messages go: ``smtp`` sends them through
``MAIL_SERVER``; ``outbox`` (development and tests) writes each one as an
``.eml`` file in ``ATS_MAIL_OUTBOX``, where people and tests can read it and
from where nothing reaches the network.
"""
import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template

from ..models import utcnow


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] | None = None


def deliverable_address(address: str) -> str:
    """``address`` as mail servers take it: the domain in its ASCII (IDNA) form;
    a local part beyond ASCII stays UTF-8, which needs SMTPUTF8 (RFC 6531)."""
    local, _, domain = address.rpartition("@")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def build_message(to: str, subject: str, template: str, attachments=(), message_id: str | None = None,
                  **context) -> EmailMessage:
    """A plain-text message from ``templates/mail/<template>.txt``."""
    return compose(to, subject, render_template(f"mail/{template}.txt", **context), None, attachments, message_id)


def compose(to: str, subject: str, text: str, html: str | None = None, attachments=(),
            message_id: str | None = None) -> EmailMessage:
    """A message with ``text`` as its body, and ``html`` as the alternative
    (multipart/alternative) when there is one.

    Headers are written as UTF-8 (the SMTPUTF8 policy), not as RFC 2047
    encoded words, which are not allowed in an address: ``zoë@example.org``
    encoded that way reaches no one.
    """
    message = EmailMessage(policy=SMTPUTF8)
    message["From"] = current_app.config["ATS_MAIL_FROM"]
    message["To"] = deliverable_address(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain="ats.local")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params or {},
        )
    return message


class MailNotSent(Exception):
    """The message did not leave. Its text says why in words safe to log and
    show admins (the kind of failure, an SMTP reply code): never an address."""


def send(message: EmailMessage) -> None:
    """Deliver one message, or raise :class:`MailNotSent`. The job that sends
    it (``ats.jobs``) retries later; the change the mail announces is saved
    either way."""
    backend = current_app.config["ATS_MAIL_BACKEND"]
    if backend not in ("outbox", "smtp"):
        raise MailNotSent(f"ATS_MAIL_BACKEND={backend!r} is not 'smtp' or 'outbox'")
    try:
        if backend == "outbox":
            _write_to_outbox(message)
        else:
            _send_smtp(message)
    except smtplib.SMTPRecipientsRefused:
        raise MailNotSent("the mail server refused the recipient") from None
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"the mail server answered {error.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(f"the mail could not be sent ({type(error).__name__})") from None


def send_mail(to: str, subject: str, template: str, attachments=(), message_id: str | None = None,
              **context) -> None:
    send(build_message(to, subject, template, attachments, message_id, **context))


def _write_to_outbox(message: EmailMessage) -> None:
    outbox = Path(current_app.config["ATS_MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    partial = outbox / f".{name}.part"
    partial.write_bytes(bytes(message))
    os.replace(partial, outbox / name)  # readers never see half a message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"], context=context)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
