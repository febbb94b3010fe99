"""Signing in (with a code after the password, for accounts with two-step
sign-in on) and out."""
import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..access import end_staff_session, session_lifetime, start_staff_session
from ..errors import too_many_requests as too_many
from ..models.staff import PasswordChecksBusy
from ..operations.staff import CodeNeeded, sign_in
from ..operations.two_step import finish_sign_in
from ..throttle import LimitReached, count_attempt
from ..web import safe_next_path
from .forms import CodeForm, LoginForm

bp = Blueprint("auth", __name__)

# When every password-check slot stayed busy: come back in a few seconds.
BUSY_RETRY_AFTER = 5

# Between a right password and the code, the Flask session holds who is
# signing in, where to, and until when (epoch seconds). Nothing is open on
# the server until the code is right.
PENDING = "sign_in_code"
CODE_STEP_SECONDS = 5 * 60


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
        if isinstance(signed_in, CodeNeeded):
            attempt.refund()
            # A fresh session, as at sign-in: nothing from before lives on.
            session.clear()
            session[PENDING] = {"user": signed_in.user_id, "email": signed_in.email,
                                "next": target, "until": int(time.time()) + CODE_STEP_SECONDS}
            return redirect(url_for("auth.login_code"), 303)
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


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The code from the app, or a recovery code: counted against the same
    limits as passwords, before it is checked."""
    if current_user.is_authenticated:
        return redirect(url_for("pipeline.dashboard"), 303)
    pending = session.get(PENDING)
    if not pending or pending.get("until", 0) <= time.time():
        session.pop(PENDING, None)
        flash("Signing in took too long, or had not started. Please sign in again.", "info")
        return redirect(url_for("auth.login"), 303)

    form = CodeForm()
    status, wrong_code = 200, False
    if form.validate_on_submit():
        try:
            attempt = count_attempt(pending["email"], get_remote_address())
        except LimitReached as reached:
            return too_many(reached.retry_after)
        done = finish_sign_in(pending["user"], form.code.data, request.user_agent.string, session_lifetime())
        if done is not None:
            attempt.refund()
            start_staff_session(done.signed_in)  # the pending sign-in goes with the old session
            if done.recovery_codes_left is not None:
                flash(f"You signed in with a recovery code; {done.recovery_codes_left} left. "
                      "Make new ones on your account page if you are running short.", "info")
            return redirect(pending.get("next") or url_for("pipeline.dashboard"), 303)
        status, wrong_code = 401, True
    elif form.is_submitted():
        status = 422

    return render_template("auth/code.html", form=form, wrong_code=wrong_code), status


@bp.post("/logout")
def logout():
    end_staff_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"), 303)
