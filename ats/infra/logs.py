"""Logs never carry the keys to a candidate's pages.

A status link, an interview-offer link and a calendar feed address are each
the only key to what they open. ``redact`` blanks them out of a path, and the
development server's request log (the ``werkzeug`` logger) is filtered
through it; production's access log uses the same function.
"""
import logging
import re

from flask import Flask

# The public routes that take a token (ats/public/routes.py).
_TOKEN_PATHS = re.compile(r"(/applications/|/interview-offers/|/calendar/)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """``text`` with every token in a path replaced by ``[token]``."""
    return _TOKEN_PATHS.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message arguments through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def init_app(app: Flask) -> None:
    server_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in server_log.filters):
        server_log.addFilter(RedactTokens())
