"""Error pages: every error a person can meet gets a page, not a stack trace."""
import sqlite3

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .infra import sqlite
from .infra.storage import StorageUnavailable

# What the page says for each status; anything else falls back to its HTTP name.
MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is no page at this address. It may have moved or been removed."),
    405: ("Not allowed", "This page cannot be used that way."),
    409: ("Conflict", "The request conflicts with the current state of the record."),
    413: (
        "File too large",
        "What you sent is larger than we accept. Resumes can be at most 5 MB: "
        "please choose a smaller file and try again.",
    ),
    429: (
        "Too many requests",
        "You have made too many requests in a short time. Please wait a while and try again.",
    ),
    503: (
        "Busy",
        "We are handling many requests right now and could not save yours: nothing was saved. "
        "Please try again in a minute.",
    ),
    "database": (
        "Unavailable for a moment",
        "Our database cannot be reached just now, so this page cannot be shown and nothing you sent "
        "was saved. Please try again in a minute.",
    ),
    500: (
        "Something went wrong",
        "An unexpected error happened on our side and nothing was saved. Please try again in a moment.",
    ),
}


def render_error(status: int, message: str | None = None, title: str | None = None):
    default_title, default_message = MESSAGES.get(status, ("Error", ""))
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title or default_title,
            message=message or default_message,
        ),
        status,
    )


def too_many_requests(retry_after: int):
    """The 429 page, saying in ``Retry-After`` how many seconds to wait."""
    page, status = render_error(429)
    return page, status, {"Retry-After": str(retry_after)}


# app.extensions[PATH_RENDERERS]: {path prefix: function(HTTPException) -> response}.
# Errors under such a prefix that no blueprint handled (an unknown path, a
# method a route does not take) are answered by it instead of an HTML page:
# the API's problem+json (``ats.api``).
PATH_RENDERERS = "ats.error_renderers"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            "This form has expired or was not sent from this site. Please reload the page and try again.",
            "Form expired",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/healthz"):
            return error
        for prefix, render in current_app.extensions.get(PATH_RENDERERS, {}).items():
            if request.path.startswith(prefix):
                return render(error)
        return render_error(error.code, title=MESSAGES.get(error.code, (error.name,))[0])

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # Whatever the failed request half-did is thrown away.
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(StorageUnavailable)
    def storage_error(error: StorageUnavailable):
        db.session.rollback()
        current_app.logger.warning("file store unavailable on %s: %s", request.path, error)
        page, status = render_error(
            503, "Stored files cannot be reached right now, and nothing was changed. Please try again in a few minutes.",
            "Unavailable",
        )
        return page, status, {"Retry-After": "60"}

    # SQLAlchemy's, and the driver's own when the wait for a turn to write
    # (``ats.infra.sqlite``) runs out before SQLAlchemy sent anything.
    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    def database_error(error: Exception):
        db.session.rollback()
        if sqlite.is_locked(error):
            # Not a fault in the request: the writers ahead of it took longer
            # than a request may wait. Say so, and when to come back.
            current_app.logger.warning("SQLite write lock not had in time: %s", request.path)
            page, status = render_error(503)
            return page, status, {"Retry-After": "60"}
        # The database is down or the connection broke: nothing this request
        # did was committed. The pool replaces dead connections (pool_pre_ping),
        # so the service recovers by itself when the database is back.
        current_app.logger.error("database unreachable on %s: %s", request.path,
                                 type(getattr(error, "orig", None) or error).__name__)
        # The page must not ask the database who is signed in.
        g._login_user = current_app.login_manager.anonymous_user()
        title, message = MESSAGES["database"]
        page, status = render_error(503, message, title)
        return page, status, {"Retry-After": "30"}
