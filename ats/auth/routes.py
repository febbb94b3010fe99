"""Signing in and out."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..access import end_staff_session, session_lifetime, start_staff_session
from ..errors import render_error
from ..models.staff import PasswordChecksBusy
from ..operations.staff import sign_in
from ..web import safe_next_path
from .forms import LoginForm
from ..throttle import LimitReached, count_attempt

bp = Blueprint("auth", __name__)

# When every password-check slot stayed busy: come back in a few seconds.
BUSY_RETRY_AFTER = 5


def too_many(retry_after: int):
    page, status = render_error(429)
    return page, status, {"Retry-After": str(retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    target = safe_next_path(form.next.data if form.is_submitted() else request.args.get("next"))
    destination = target or url_for("pipeline.dashboard")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(destination, 303)

    status, wrong_credentials = 200, False
    if form.validate_on_submit():
        # Counted per account and per client address before the password is
        # checked (ats/throttle.py); a correct one is refunded.
        try:
            attempt = count_attempt(form.email.data, get_remote_address())
        except LimitReached as reached:
            return too_many(reached.retry_after)
        try:
            signed_in = sign_in(form.email.data, form.password.data, request.user_agent.string,
                                session_lifetime())
        except PasswordChecksBusy:
            attempt.refund()  # nothing was checked
            return too_many(BUSY_RETRY_AFTER)
        if signed_in is not None:
            attempt.refund()
            start_staff_session(signed_in)
            return redirect(destination, 303)
        status, wrong_credentials = 401, True
    elif form.is_submitted():
        status = 422

    form.next.data = target or ""
    return (
        render_template("auth/login.html", form=form, wrong_credentials=wrong_credentials),
        status,
    )


@bp.post("/logout")
def logout():
    end_staff_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"), 303)
