"""Who is signed in, and who may see which staff page.

Protect a whole blueprint with ``require_access(bp, Access.RECRUITER)``, and a
single view that needs more with ``@access_required(Access.MANAGER)``.
Anonymous visitors are sent to the sign-in page (with ``next``); a signed-in
user below the minimum gets 403.

Both record the minimum, so ``protected_endpoints(app)`` can list every staff
endpoint with the access it needs, and a test can check that none is left
unprotected.

Sessions are kept on the server (``staff_sessions``): the signed cookie holds
the user id Flask-Login puts there and the session's random token, and every
request checks the token's row (``ats.operations.sessions``).

With ATS_REQUIRE_TOTP_FOR_ADMINS, an admin without two-step sign-in reaches
nothing but its enrolment and the sign-out button (``init_app``).
"""
import functools
from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .extensions import login_manager
from .models import Access, StaffUser
from .operations.sessions import end_session, resume_session
from .operations.staff import SignedIn

# app.extensions[REGISTRY]: {registered blueprint name: minimum access}
REGISTRY = "ats.access"

# The Flask session's key for the server-side session's token.
# (The name of a key in the session, not a secret.)
SESSION_TOKEN = "staff_session"  # nosec B105


def session_lifetime() -> timedelta:
    """How long after sign-in a session ends, whatever happens (ATS_SESSION_MAX_HOURS)."""
    return timedelta(hours=current_app.config["ATS_SESSION_MAX_HOURS"])


def session_idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["ATS_SESSION_IDLE_MINUTES"])


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The session's user, if the cookie's session is still open on the
    server: not ended by signing out, a new password or deactivation, not
    idle too long, not too old; and the account is active."""
    user = None
    if user_id.isdigit():
        user = resume_session(session.get(SESSION_TOKEN), int(user_id), session_idle_limit(), session_lifetime())
    if user is None:
        # An ended session: the cookie forgets it, so later requests do not ask again.
        for key in (SESSION_TOKEN, "_user_id", "_fresh", "_id"):
            session.pop(key, None)
    return user


def start_staff_session(signed_in: SignedIn) -> None:
    """Make the browser's session the new one ``signed_in`` opened: whatever
    the session held before (the pre-sign-in CSRF token included) is dropped,
    so nothing planted before sign-in lives on after it."""
    session.clear()
    login_user(signed_in.user)
    session[SESSION_TOKEN] = signed_in.session_token


def end_staff_session() -> None:
    """End the browser's session on the server and empty the cookie."""
    end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()


def refusal(minimum: Access):
    """The response that turns the current user away from a page needing
    ``minimum``, or None when they may see it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_access(minimum):
        abort(403)
    return None


def require_access(bp: Blueprint, minimum: Access) -> None:
    """Every view of ``bp`` needs a signed-in user with at least ``minimum``."""

    def record(state) -> None:
        name = f"{state.name_prefix}.{state.name}".lstrip(".")
        state.app.extensions.setdefault(REGISTRY, {})[name] = minimum

    bp.record(record)

    @bp.before_request
    def check_access():
        return refusal(minimum)


def access_required(minimum: Access) -> Callable:
    """A view that needs more than its blueprint's minimum (or a lone staff view)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            refused = refusal(minimum)
            return refused if refused is not None else view(*args, **kwargs)

        guarded.minimum_access = minimum
        return guarded

    return decorate


def protected_endpoints(app: Flask) -> dict[str, Access]:
    """Every endpoint that needs a signed-in staff user, with the least access it needs."""
    blueprints = app.extensions.get(REGISTRY, {})
    endpoints = {}
    for rule in app.url_map.iter_rules():
        parts = rule.endpoint.split(".")[:-1]
        levels = [
            blueprints[name]
            for name in (".".join(parts[: i + 1]) for i in range(len(parts)))
            if name in blueprints
        ]
        view_minimum = getattr(app.view_functions.get(rule.endpoint), "minimum_access", None)
        if view_minimum is not None:
            levels.append(view_minimum)
        if levels:
            endpoints[rule.endpoint] = max(levels)
    return endpoints


# Blueprints that take no session: the JSON API (bearer tokens only). Their
# requests never load the signed-in user, so a session cookie sent along
# neither opens anything nor keeps a session alive.
SESSIONLESS_BLUEPRINTS = {"api"}


def takes_session() -> bool:
    """Whether the current request may use the staff session."""
    return request.blueprint not in SESSIONLESS_BLUEPRINTS


# What an admin who must enrol in two-step sign-in may still reach.
ENROLMENT_ENDPOINTS = {"account.enrol", "account.start_two_step", "auth.logout", "static"}


def two_step_required(user) -> bool:
    """Whether ``user`` must have two-step sign-in on (ATS_REQUIRE_TOTP_FOR_ADMINS: admins)."""
    return bool(current_app.config["ATS_REQUIRE_TOTP_FOR_ADMINS"]) and user.access is Access.ADMIN


def init_app(app: Flask) -> None:
    @app.before_request
    def send_admins_to_enrolment():
        """An admin without two-step sign-in, while it is required, is sent to
        its enrolment from every page but that and signing out."""
        if not app.config["ATS_REQUIRE_TOTP_FOR_ADMINS"] or request.endpoint in ENROLMENT_ENDPOINTS:
            return None
        if request.endpoint is None or not takes_session() or not current_user.is_authenticated:
            return None
        if two_step_required(current_user) and not current_user.two_step_on:
            return redirect(url_for("account.enrol"), 303)
        return None
