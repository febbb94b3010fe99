"""Interview pages for recruiters. Views check the form and call one service function.

Every page names candidates through ``_candidates`` (blind review,
``ats.queries.identity``): a recruiter sees the pseudonym of an application
whose identity the role's blind review still hides, and GET pages load such
applications without their identity columns at all (``_application``).
"""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import require_access
from ..extensions import db
from ..infra.calendar import interview_ics
from ..models import Access, Application, Interview, InterviewKind, InterviewOffer, utcnow
from ..operations import interviews as service
from ..operations import offers
from ..operations.staff import reset_calendar_token
from ..queries import interviews as queries
from ..queries.identity import Identity, hidden_columns, identities, is_blinded
from ..urls import absolute_url
from ..web import or_404
from .forms import CancelForm, OfferForm, RescheduleForm, ScheduleForm

bp = Blueprint("interviews", __name__)
require_access(bp, Access.RECRUITER)


def _listings(application: Application):
    return queries.companies_listed(application.role_id)


def _blinded() -> bool:
    return is_blinded(current_user.access)


def _candidates(*application_ids) -> dict[int, Identity]:
    """The identity of each application as the signed-in user may see it."""
    return identities(application_ids, _blinded())


def _application(application_id: int) -> Application:
    """The application for a page; for a blinded viewer, without its identity."""
    options = hidden_columns() if _blinded() else []
    return db.get_or_404(Application, application_id, options=options)


def _schedule_page(application, form, status=200, clashes=()):
    candidates = _candidates(application.id, *(other.application_id for other in clashes))
    return render_template("interviews/schedule.html", application=application, form=form, clashes=clashes,
                           candidates=candidates), status


@bp.get("/pipeline/applications/<int:application_id>/interviews/new")
def new(application_id: int):
    application = _application(application_id)
    form = ScheduleForm(formdata=None).for_companies(_listings(application))
    form.timezone.data = request.args.get("timezone", "America/New_York")
    return _schedule_page(application, form)


@bp.post("/pipeline/applications/<int:application_id>/interviews")
def schedule(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = ScheduleForm().for_companies(_listings(application))
    if not form.validate():
        return _schedule_page(application, form, 422)
    try:
        interview = service.schedule(
            application.id,
            service.InterviewRequest(
                company_slug=form.company.data,
                local_start=form.starts_at.data,
                timezone=form.timezone.data,
                duration_minutes=form.duration_minutes.data,
                kind=InterviewKind(form.kind.data),
                location=(form.location.data or "").strip(),
                interviewers=form.interviewers.emails,
            ),
            current_user.id,
        )
    except service.InterviewError as error:
        _field_error(form, error)
        return _schedule_page(db.get_or_404(Application, application_id), form, 422)
    except service.InterviewClash as clash:
        return _schedule_page(db.get_or_404(Application, application_id), form, 409, clash.clashes)
    flash(f"Interview with {interview.company.name} scheduled; the candidate will be e-mailed an invitation.", "success")
    return redirect(url_for("interviews.detail", interview_id=interview.id), 303)


def _field_error(form, error: service.InterviewError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.get("/interviews/<int:interview_id>")
def detail(interview_id: int):
    interview = or_404(queries.for_page(interview_id, _blinded()))
    reschedule_form = RescheduleForm(formdata=None)
    reschedule_form.starts_at.data = interview.local_start.replace(tzinfo=None)
    reschedule_form.timezone.data = interview.timezone
    reschedule_form.duration_minutes.data = interview.duration_minutes
    return _detail_page(interview, reschedule_form, CancelForm(formdata=None))


def _detail_page(interview: Interview, reschedule_form, cancel_form, clashes=()) -> str:
    candidates = _candidates(interview.application_id, *(other.application_id for other in clashes))
    return render_template("interviews/detail.html", interview=interview, reschedule_form=reschedule_form,
                           cancel_form=cancel_form, clashes=clashes, candidates=candidates)


@bp.post("/interviews/<int:interview_id>/reschedule")
def reschedule(interview_id: int):
    interview = db.get_or_404(Interview, interview_id)
    form = RescheduleForm()
    status, clashes = 422, ()
    if form.validate():
        try:
            service.reschedule(interview.id, form.starts_at.data, form.timezone.data, form.duration_minutes.data, current_user.id)
        except service.InterviewError as error:
            _field_error(form, error)
        except service.InterviewClash as clash:
            status, clashes = 409, clash.clashes
        else:
            flash("Interview moved; the candidate will be e-mailed the new time.", "success")
            return redirect(url_for("interviews.detail", interview_id=interview_id), 303)
    return _detail_page(db.get_or_404(Interview, interview_id), form, CancelForm(formdata=None), clashes), status


@bp.post("/interviews/<int:interview_id>/cancel")
def cancel(interview_id: int):
    interview = db.get_or_404(Interview, interview_id)
    form = CancelForm()
    if form.validate():
        try:
            service.cancel(interview.id, form.reason.data, current_user.id)
        except service.InterviewError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            flash("Interview cancelled; the candidate will be e-mailed.", "success")
            return redirect(url_for("interviews.detail", interview_id=interview_id), 303)
    return _detail_page(db.get_or_404(Interview, interview_id), RescheduleForm(formdata=None), form), 422


@bp.get("/interviews/<int:interview_id>.ics")
def calendar_file(interview_id: int):
    interview = or_404(queries.for_page(interview_id, _blinded()))
    return Response(
        interview_ics(interview, _candidates(interview.application_id)[interview.application_id]),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="interview-{interview.id}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/interviews/")
def index():
    filters = {
        "company": request.args.get("company", "").strip(),
        "role": request.args.get("role", "").strip(),
        "interviewer": request.args.get("interviewer", "").strip().lower(),
    }
    companies, roles = queries.filter_choices()
    scheduled = queries.scheduled(**filters, blinded=_blinded())
    return render_template(
        "interviews/index.html",
        interviews=scheduled,
        candidates=_candidates(*(interview.application_id for interview in scheduled)),
        companies=companies,
        roles=roles,
        filters=filters,
        feed_url=_feed_url(),
    )


def _feed_url() -> str | None:
    token = current_user.calendar_token
    return absolute_url("public.calendar_feed", token=token) if token else None


@bp.post("/interviews/feed")
def reset_feed():
    reset_calendar_token(current_user.id)
    flash("Your calendar feed has a new private address; the old one no longer works.", "success")
    return redirect(url_for("interviews.index") + "#feed", 303)


# --- Self-scheduling ------------------------------------------------------------


def _offer_page(application, form, status=200):
    return render_template("interviews/offer_new.html", application=application, form=form,
                           candidates=_candidates(application.id)), status


@bp.get("/pipeline/applications/<int:application_id>/offers/new")
def new_offer(application_id: int):
    application = _application(application_id)
    form = OfferForm(formdata=None).for_companies(_listings(application))
    form.timezone.data = "America/New_York"
    return _offer_page(application, form)


@bp.post("/pipeline/applications/<int:application_id>/offers")
def create_offer(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = OfferForm().for_companies(_listings(application))
    if not form.validate():
        return _offer_page(application, form, 422)
    try:
        offer = offers.create_offer(
            application.id,
            offers.OfferRequest(
                company_slug=form.company.data,
                kind=InterviewKind(form.kind.data),
                duration_minutes=form.duration_minutes.data,
                location=(form.location.data or "").strip(),
                interviewers=form.interviewers.emails,
                timezone=form.timezone.data,
                local_starts=form.local_starts,
                local_expiry=form.expires_at.data,
            ),
            current_user.id,
        )
    except service.InterviewError as error:
        _field_error(form, error)
        return _offer_page(db.get_or_404(Application, application_id), form, 422)
    flash(f"{len(offer.slots)} times offered; the candidate will be e-mailed a link to choose one.", "success")
    return redirect(url_for("interviews.offer", offer_id=offer.id), 303)


@bp.get("/interviews/offers/<int:offer_id>")
def offer(offer_id: int):
    offer = db.get_or_404(InterviewOffer, offer_id)
    return render_template(
        "interviews/offer_detail.html", offer=offer, free=queries.free_slots(offer), now=utcnow(),
        candidates=_candidates(offer.application_id),
    )
