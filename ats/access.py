"""Who is signed in, and who may see which staff page.

Protect a whole blueprint with ``require_access(bp, Access.RECRUITER)``, and a
single view that needs more with ``@access_required(Access.MANAGER)``.
Anonymous visitors are sent to the sign-in page (with ``next``); a signed-in
user below the minimum gets 403.

Both record the minimum, so ``protected_endpoints(app)`` can list every staff
endpoint with the access it needs, and a test can check that none is left
unprotected.
"""
import functools
from collections.abc import Callable

from flask import Blueprint, Flask, abort
from flask_login import current_user

from .extensions import db, login_manager
from .models import Access, StaffUser

# app.extensions[REGISTRY]: {registered blueprint name: minimum access}
REGISTRY = "ats.access"


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The session's user, if the account is still active and its sessions
    have not been ended since (by deactivation or a new password)."""
    id_part, _, version_part = user_id.partition(":")
    if not (id_part.isdigit() and version_part.isdigit()):
        return None
    user = db.session.get(StaffUser, int(id_part))
    if user is None or not user.active or user.session_version != int(version_part):
        return None
    return user


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
