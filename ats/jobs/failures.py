"""Jobs that gave up: recorded for admins, in words safe to show and log."""
import json
import smtplib

from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..infra.mail import MailNotSent
from ..models import JobFailure
from ..operations import write_transaction

# Exceptions whose text is ours and names no person: shown as they are.
SAFE_TEXT = (MailNotSent,)


def describe(error: Exception) -> str:
    """What went wrong, without the exception's text unless it is known to
    be safe: a driver's or a library's message may quote an address, a name
    or a query's parameters."""
    if isinstance(error, SAFE_TEXT):
        return str(error)[:300]
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server answered {error.smtp_code}"
    if isinstance(error, SQLAlchemyError):
        return f"database error ({type(getattr(error, 'orig', None) or error).__name__})"
    return type(error).__name__


def args_text(args) -> str:
    return json.dumps(list(args), separators=(",", ":"))


def record(task: str, args, error: str, tries: int) -> JobFailure:
    """Record that ``task(*args)`` failed on its last try. One transaction."""
    write_transaction()
    failure = JobFailure(task=task, args=args_text(args), error=error[:300], tries=tries)
    db.session.add(failure)
    db.session.commit()
    return failure
