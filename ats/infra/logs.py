"""One JSON line per request, and logs that never carry a key to a private page.

Each request gets an id: the caller's ``X-Request-ID`` when it is a plain
token of at most 64 characters (a load balancer's), else a new one. It is
sent back in ``X-Request-ID`` and written in the request's log line (logger
``ats.requests``): method, path, status, duration and id; never the query
string, a name, an e-mail address or a token.

A status link, an interview-offer link, a calendar feed address, a
staff member's link to set their password and an interviewer's scorecard
link are each the only key to what they open: ``redact`` blanks them out of a path, for the
request log and for the development server's own (the ``werkzeug`` logger).
"""
import json
import logging
import re
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, g, request

# The routes that take a token (ats/public/routes.py, ats/public/scorecards.py, ats/auth/passwords.py).
_TOKEN_PATHS = re.compile(r"(/applications/|/interview-offers/|/calendar/|/set-password/|/scorecards/)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """``text`` with every token in a path replaced by ``[token]``."""
    return _TOKEN_PATHS.sub(r"\1[token]", text)


def redacted_url(url: str) -> str:
    """A service's URL (Redis, a database) fit to print: no password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***" if parts.username else ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}"))


class RedactTokens(logging.Filter):
    """Rewrites a record's message arguments through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


REQUEST_LOG = logging.getLogger("ats.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id() -> str:
    """The current request's id."""
    return g.request_id


def init_app(app: Flask) -> None:
    server_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in server_log.filters):
        server_log.addFilter(RedactTokens())
    if app.config["ATS_REQUEST_LOG"] and not REQUEST_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        REQUEST_LOG.addHandler(handler)
    REQUEST_LOG.setLevel(logging.INFO)

    @app.before_request
    def start_request() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is None:  # the request failed before it started (a 400 for its Host)
            g.request_id = uuid.uuid4().hex
            started = time.perf_counter()
        response.headers["X-Request-ID"] = g.request_id
        REQUEST_LOG.info(json.dumps({
            "method": request.method,
            "path": redact(request.path),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": g.request_id,
        }))
        return response
