"""Signing in and out."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..access import end_staff_session, session_lifetime, start_staff_session
from ..extensions import limiter
from ..operations.staff import sign_in
from ..web import safe_next_path
from .forms import LoginForm

bp = Blueprint("auth", __name__)


# Failed sign-ins are counted per account and per client address; a correct
# one costs nothing. The limits are read from the config on every request.
def _account_limit() -> str:
    return current_app.config["ATS_LOGIN_LIMIT"]


def _address_limit() -> str:
    return current_app.config["ATS_LOGIN_ADDRESS_LIMIT"]


def _submitted_account() -> str:
    return "account:" + request.form.get("email", "").strip().lower()


def _failed(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_account_limit, key_func=_submitted_account, methods=["POST"],
               deduct_when=_failed, scope="account")
@limiter.limit(_address_limit, key_func=get_remote_address, methods=["POST"],
               deduct_when=_failed, scope="address")
def login():
    form = LoginForm()
    target = safe_next_path(form.next.data if form.is_submitted() else request.args.get("next"))
    destination = target or url_for("pipeline.dashboard")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(destination, 303)

    status, wrong_credentials = 200, False
    if form.validate_on_submit():
        signed_in = sign_in(form.email.data, form.password.data, request.user_agent.string,
                            session_lifetime())
        if signed_in is not None:
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
