"""An interviewer's scorecard, through the private link mailed when the
interview ended (``ats.operations.scorecards``). No sign-in: the link is the
key. Unknown, or no longer opening anything (the interview cancelled, the
candidate erased): ``404``. Past its time: ``410`` with a page saying so.
Once the application is decided the page is read-only, and a submission is
answered ``409`` with nothing written."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..errors import render_error
from ..models import Recommendation, SkillLevel
from ..operations import scorecards as service
from ..queries.scorecard_page import is_expired, load_page, scorecard_by_token
from ..web import or_404
from .routes import TOKEN, bp, private
from .scorecard_form import ScorecardForm, read_ratings

EXPIRED = ("This scorecard link has expired: links work for 14 days after the interview. "
           "If you still have feedback to give, please reply to the recruiter who arranged the interview.")
DECIDED = "A decision has been made on this application, so this scorecard can no longer be changed."


def scorecard_for(token: str):
    return or_404(scorecard_by_token(token) if TOKEN.match(token) else None)


def render_scorecard(scorecard, form: ScorecardForm, status: int = 200, sent=None, errors=None,
                     notice: str | None = None):
    page = load_page(scorecard)
    errors = errors or {}
    skill_errors = [(name, row.skill.name, errors[name]) for row in page.rows
                    for name in (f"skill-{row.slug}", f"note-{row.slug}") if name in errors]
    body = render_template(
        "public/scorecard.html", page=page, form=form, sent=sent or {}, errors=errors, skill_errors=skill_errors,
        levels=list(SkillLevel), notice=notice,
    )
    return private(current_app.make_response((body, status)))


def saved_form(scorecard) -> ScorecardForm:
    """The form as the interviewer last submitted it (empty before)."""
    recommendation = scorecard.recommendation.value if scorecard.recommendation else None
    return ScorecardForm(formdata=None, recommendation=recommendation, summary=scorecard.summary)


def expired_page():
    return private(current_app.make_response(render_error(410, EXPIRED, "This link has expired")))


@bp.route("/scorecards/<token>", methods=["GET", "POST"])
def scorecard(token: str):
    card = scorecard_for(token)
    if is_expired(card):
        return expired_page()
    if request.method == "GET":
        return render_scorecard(card, saved_form(card))
    page = load_page(card)
    if page.read_only:
        return render_scorecard(card, saved_form(card), 409, notice=DECIDED + " Nothing was saved.")
    form = ScorecardForm()
    ratings, sent, errors = read_ratings(request.form, [row.skill for row in page.rows])
    valid = form.validate()  # the CSRF token was checked before the view (400)
    if not valid or errors:
        return render_scorecard(card, form, 422, sent, errors)
    submission = service.Submission(ratings, Recommendation(form.recommendation.data), form.summary.data or "")
    try:
        saved = service.submit(card.id, submission)
    except LookupError:
        abort(404)
    except service.LinkExpired:
        return expired_page()
    except service.Decided:
        card = scorecard_for(token)
        return render_scorecard(card, saved_form(card), 409, notice=DECIDED + " Nothing was saved.")
    flash(f"Thank you: your scorecard is saved (version {saved.version}). You can change it until a decision is made.",
          "success")
    return redirect(url_for("public.scorecard", token=token), 303)
