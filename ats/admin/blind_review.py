"""Admins turn blind review on and off, one role at a time (``/admin/blind-review``).

``POST /admin/roles/<slug>/blind-review`` takes ``enabled`` ∈ ``y``, ``n``
(the contract); any other value is a form the page cannot use: ``422``,
with the list and the message, nothing changed. What blind review hides is
``ats.queries.identity``'s.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Role
from ..operations.blind_review import set_blind_review
from ..web import safe_next_path
from .routes import bp

CHOICES = {"y": True, "n": False}


def _roles():
    return db.session.execute(select(Role.slug, Role.title, Role.blind_review).order_by(Role.title, Role.id)).all()


@bp.get("/blind-review")
def blind_review():
    return render_template("admin/blind_review.html", roles=_roles())


@bp.post("/roles/<role_slug>/blind-review")
def set_role_blind_review(role_slug: str):
    enabled = CHOICES.get(request.form.get("enabled", ""))
    if enabled is None:
        if db.session.scalar(select(Role.id).where(Role.slug == role_slug)) is None:
            abort(404)
        error = "Choose whether blind review is on (y) or off (n)."
        return render_template("admin/blind_review.html", roles=_roles(), error=error, error_role=role_slug), 422
    role = set_blind_review(role_slug, enabled, current_user.id)
    if role is None:
        abort(404)
    state = "on" if enabled else "off"
    flash(f"Blind review is {state} for {role.title}.", "success")
    back = safe_next_path(request.form.get("next")) or url_for("admin.blind_review") + f"#role-{role.slug}"
    return redirect(back, 303)
