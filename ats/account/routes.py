"""A staff member's own page, and turning two-step sign-in on and off there.

Turning it off and making new recovery codes need the app's current code or
the password; a wrong one counts against the sign-in limits
(``ats/throttle.py``), so a borrowed session cannot guess either.
"""
import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..access import SESSION_TOKEN, require_access, two_step_required
from ..errors import too_many_requests
from ..models import Access
from ..models.staff import PasswordChecksBusy
from ..models.two_step import grouped_key, provisioning_uri
from ..operations import api_tokens, two_step
from ..queries.account import account_page, enrolment_secret
from ..queries.api_tokens import tokens_of
from ..throttle import LimitReached, count_attempt
from .forms import EnrolForm, ProofForm, RevokeForm, StartForm, TokenForm

bp = Blueprint("account", __name__, url_prefix="/account")
require_access(bp, Access.RECRUITER)

# When every password-check slot stayed busy: come back in a few seconds.
BUSY_RETRY_AFTER = 5


def _index(off_form=None, renew_form=None, token_form=None, new_token=None, status=200):
    return render_template(
        "account/index.html",
        account=account_page(current_user.id),
        start_form=StartForm(),
        off_form=off_form or ProofForm(prefix="off"),
        renew_form=renew_form or ProofForm(prefix="renew"),
        token_form=token_form or TokenForm(prefix="token"),
        revoke_form=RevokeForm(prefix="revoke"),
        tokens=tokens_of(current_user.id),
        new_token=new_token,
        required=two_step_required(current_user),
    ), status


@bp.get("/")
def index():
    return _index()


@bp.post("/two-step/start")
def start_two_step():
    try:
        two_step.start_enrolment(current_user.id)
    except two_step.TwoStepError as error:
        flash(str(error), "info")
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".enrol"), 303)


def qr_code(uri: str) -> str:
    """The QR code of ``uri`` as an SVG ``data:`` address (the CSP allows
    ``img-src data:``; no script draws it)."""
    return segno.make(uri, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")


@bp.route("/two-step", methods=["GET", "POST"])
def enrol():
    """Enrolment: the QR code and the key, until the first code confirms them."""
    if current_user.two_step_on:
        return redirect(url_for(".index"), 303)
    secret = enrolment_secret(current_user.id)
    form = EnrolForm()
    status = 200
    if secret is not None and form.validate_on_submit():
        try:
            codes = two_step.confirm_enrolment(current_user.id, form.code.data, session.get(SESSION_TOKEN))
        except two_step.TwoStepError as error:
            flash(str(error), "info")
            return redirect(url_for(".index"), 303)
        if codes is not None:
            return render_template("account/recovery_codes.html", codes=codes, first=True)
        form.code.errors.append("That is not the code your app shows now. Check the key was entered "
                                "as shown, then type the newest code.")
        status = 422
    elif form.is_submitted():
        status = 422
    enrolment = None
    if secret is not None:
        uri = provisioning_uri(secret, current_user.email, current_app.config["ATS_SITE_NAME"])
        enrolment = {"uri": uri, "qr": qr_code(uri), "key": grouped_key(secret)}
    return render_template(
        "account/enrol.html",
        enrolment=enrolment,
        form=form,
        start_form=StartForm(),
        required=two_step_required(current_user),
    ), status


def _with_proof(form: ProofForm, change):
    """Run ``change(user_id, proof)`` for a valid ``form``, the attempt
    counted against the sign-in limits first: (what it returned, None), or
    (None, the answer to give instead: the form's errors, 429)."""
    if not form.validate_on_submit():
        return None, None
    try:
        attempt = count_attempt(current_user.email, get_remote_address())
    except LimitReached as reached:
        return None, too_many_requests(reached.retry_after)
    try:
        result = change(current_user.id, form.proof.data)
    except PasswordChecksBusy:
        attempt.refund()
        return None, too_many_requests(BUSY_RETRY_AFTER)
    except two_step.TwoStepError as error:
        attempt.refund()
        flash(str(error), "info")
        return None, redirect(url_for(".index"), 303)
    if result:
        attempt.refund()
    else:
        form.proof.errors.append("That is neither the code your app shows now nor your password.")
    return result, None


@bp.post("/two-step/off")
def turn_off_two_step():
    if two_step_required(current_user):
        flash("Two-step sign-in is required for administrators: it stays on.", "info")
        return redirect(url_for(".index"), 303)
    form = ProofForm(prefix="off")
    done, answer = _with_proof(form, two_step.turn_off)
    if answer is not None:
        return answer
    if done:
        flash("Two-step sign-in is off: your password alone signs you in.", "success")
        return redirect(url_for(".index"), 303)
    return _index(off_form=form, status=422)


@bp.post("/two-step/recovery-codes")
def renew_recovery_codes():
    form = ProofForm(prefix="renew")
    codes, answer = _with_proof(form, two_step.renew_recovery_codes)
    if answer is not None:
        return answer
    if codes:
        return render_template("account/recovery_codes.html", codes=codes, first=False)
    return _index(renew_form=form, status=422)


@bp.post("/api-tokens")
def create_api_token():
    """A new API token, shown on the page this once (never stored: not redirected to)."""
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _index(token_form=form, status=422)
    try:
        made = api_tokens.create_token(current_user.id, form.label.data, current_user.id)
    except api_tokens.TokenError as error:
        form.label.errors.append(str(error))
        return _index(token_form=form, status=422)
    # A blank form under the new token: its name is in the list now.
    response = current_app.make_response(_index(token_form=TokenForm(prefix="token", formdata=None), new_token=made))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    """Revoke one of the user's own tokens (the CSRF check is the app's, before this)."""
    if not api_tokens.revoke_token(current_user.id, token_id):
        abort(404)
    flash("The token is revoked: it opens nothing any more.", "success")
    return redirect(url_for(".index"), 303)
