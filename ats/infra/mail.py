"""Outgoing e-mail, built with the standard library's ``email`` package.

``ATS_MAIL_BACKEND`` chooses where messages go: ``smtp`` sends them through
``MAIL_SERVER``; ``outbox`` (development and tests) writes each one as an
``.eml`` file in ``ATS_MAIL_OUTBOX``, where people and tests can read it and
from where nothing reaches the network.
"""
import logging
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

log = logging.getLogger(__name__)


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


def build_message(to: str, subject: str, template: str, attachments=(), **context) -> EmailMessage:
    """A plain-text message from ``templates/mail/<template>.txt``.

    Headers are written as UTF-8 (the SMTPUTF8 policy), not as RFC 2047
    encoded words, which are not allowed in an address: ``zoë@example.org``
    encoded that way reaches no one.
    """
    message = EmailMessage(policy=SMTPUTF8)
    message["From"] = current_app.config["ATS_MAIL_FROM"]
    message["To"] = deliverable_address(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="ats.local")
    message.set_content(render_template(f"mail/{template}.txt", **context))
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params or {},
        )
    return message


def send(message: EmailMessage) -> bool:
    """Deliver one message. A failure is logged, not raised: the work that
    asked for the mail is already saved, and the candidate can still use the
    page they were sent to."""
    backend = current_app.config["ATS_MAIL_BACKEND"]
    try:
        if backend == "outbox":
            _write_to_outbox(message)
        elif backend == "smtp":
            _send_smtp(message)
        else:
            raise ValueError(f"ATS_MAIL_BACKEND={backend!r} is not 'smtp' or 'outbox'")
    except (OSError, smtplib.SMTPException, ValueError):
        log.exception("could not send mail %r to %s", message["Subject"], message["To"])
        return False
    return True


def send_mail(to: str, subject: str, template: str, attachments=(), **context) -> bool:
    return send(build_message(to, subject, template, attachments, **context))


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
