"""Asking for a link to set one's password ("Forgot your password?"), and
setting it through a link (an invitation's or a reset's).

The answer to a request for a link is the same page, status and (roughly)
time whether or not the address is an active account's: the work is done,
then the answer waits until ANSWER_SECONDS have passed since the request
began. Requests are limited per address asked for and per client
(``ats.throttle.count_reset_request``), so nobody's inbox can be flooded.
"""
import functools
import time

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address

from ..access import session_lifetime, start_staff_session
from ..errors import too_many_requests as too_many
from ..models import LinkPurpose, LinkState
from ..models.staff import PasswordChecksBusy
from ..operations.password_links import LinkNotGood, request_reset, set_password_with_link
from ..operations.staff import SignedIn
from ..queries.staff import open_link
from ..throttle import LimitReached, count_reset_request
from .forms import ForgotPasswordForm, SetPasswordForm
from .routes import BUSY_RETRY_AFTER, bp

# Every answer to a request for a link takes at least this long, whatever
# the address: longer than the work for a known one takes.
ANSWER_SECONDS = 0.35


@bp.route("/login/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        try:
            count_reset_request(form.email.data, get_remote_address())
        except LimitReached as reached:
            return too_many(reached.retry_after)
        request_reset(form.email.data)
        wait_until(started + ANSWER_SECONDS)
        return render_template("auth/forgot_password_sent.html", email=form.email.data,
                               lifetime=LinkPurpose.RESET.lifetime_text)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form,
                           lifetime=LinkPurpose.RESET.lifetime_text), status


def wait_until(moment: float) -> None:
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)


def no_store(view):
    """The page shows whose account a link is for: no cache keeps a copy,
    whoever is (not yet) signed in."""

    @functools.wraps(view)
    def answer(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return answer


@bp.route("/set-password/<key>", methods=["GET", "POST"])
@no_store
def set_password(key: str):
    found = open_link(key)
    if found.state is not LinkState.GOOD:
        return link_not_good(found.state)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            done = set_password_with_link(key, form.password.data, request.user_agent.string, session_lifetime())
        except LinkNotGood as error:
            return link_not_good(error.state)
        except PasswordChecksBusy:
            return too_many(BUSY_RETRY_AFTER)
        if done.session_token is None:
            flash("Your password is set. Sign in with it and a code from your app.", "success")
            return redirect(url_for("auth.login"), 303)
        start_staff_session(SignedIn(done.user, done.session_token))
        flash("Your password is set, and you are signed in.", "success")
        return redirect(url_for("pipeline.dashboard"), 303)
    if form.is_submitted():
        status = 422
    return render_template("auth/set_password.html", form=form, link=found,
                           lifetime=found.purpose.lifetime_text), status


def link_not_good(state: LinkState):
    """404 for a link that never worked or no longer does; 410 for one past its time."""
    status = 410 if state is LinkState.EXPIRED else 404
    return render_template("auth/password_link_not_good.html", expired=state is LinkState.EXPIRED,
                           status=status), status
