"""Public pages: the role catalog, role pages with the apply form, the
candidate's status page, the privacy notice and the health check."""
import re

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter
from ..infra.calendar import feed_ics
from ..infra.resumes import ResumeError, read_resume
from ..jobs import queue
from ..models import Role, RoleStatus, utcnow
from ..models.applications import DEFAULT_SOURCE, valid_source
from ..models.stage_rules import MoveError
from ..operations import applications as service
from ..operations import erasure, offers
from ..operations.interviews import InterviewError
from ..queries import interviews
from ..queries.applications import application_by_token
from ..queries.candidates import waiting_request
from ..queries.catalog import catalog_version
from ..queries.catalog_admin import role_with_content
from ..queries.messages import sent_to
from ..throttle import limits_health
from ..timezones import ZoneInfo, zone_names
from ..web import or_404
from .forms import ApplicationForm
from .jsonld import job_posting
from .role_pages import SOURCE_SLOT, kept_form, kept_pages, served_form, shared_page

bp = Blueprint("public", __name__)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


@bp.get("/")
def index():
    roles = db.session.scalars(
        db.select(Role).filter_by(status=RoleStatus.OPEN).order_by(Role.title)
    ).all()
    return render_template("public/index.html", roles=roles)


def public_role(slug: str) -> Role:
    """An open or closed role (a closed one's page stays readable); a draft is 404."""
    return or_404(role_with_content(slug, statuses=(RoleStatus.OPEN, RoleStatus.CLOSED)))


def render_role(role: Role, form: ApplicationForm, status: int = 200, notice: str | None = None):
    page = render_template(
        "public/role.html", role=role, form=form, notice=notice, job_posting=job_posting(role),
        closed=role.status == RoleStatus.CLOSED,
    )
    return page, status


def visitor_source() -> str:
    """Where the visitor came from: ``?source=``, else ``?utm_source=``; an
    invalid one is ignored (the page is the same, the source the role page)."""
    given = request.args.get("source")
    if given is None:
        given = request.args.get("utm_source")
    return valid_source(given) or DEFAULT_SOURCE


def blank_form(role: Role, source: str) -> ApplicationForm:
    form = ApplicationForm.for_role(role, formdata=None)
    form.source.data = source
    return form


@bp.get("/roles/<slug>")
def role(slug: str):
    """The role page; the same for every anonymous visitor but for the CSRF
    token and the source, so rendered once per catalog version and kept
    (``ats.public.role_pages``)."""
    source = visitor_source()
    if not shared_page():
        role = public_role(slug)
        return render_role(role, blank_form(role, source))
    role_pages = kept_pages()
    version = catalog_version()
    page = role_pages.get(slug, version)
    if page is None:
        role = public_role(slug)
        form = blank_form(role, SOURCE_SLOT)
        page, _ = render_role(role, form)
        token = form.csrf_token.current_token if "csrf_token" in form else None
        page = kept_form(page, token)
        role_pages.keep(slug, version, page)
    return served_form(page, generate_csrf, source)


def _apply_limit() -> str:
    return current_app.config["ATS_APPLY_LIMIT"]


@bp.post("/roles/<slug>/apply")
@limiter.limit(
    _apply_limit,
    key_func=get_remote_address,
    # Accepted applications count, and so do duplicates (each one e-mails
    # the candidate again); a form sent back with errors does not.
    deduct_when=lambda response: response.status_code in (303, 409),
)
def apply(slug: str):
    role = public_role(slug)
    if role.status != RoleStatus.OPEN:
        return closed_role(role)
    form = ApplicationForm.for_role(role)
    resume = None
    valid = form.validate()
    if form.resume.data and not form.resume.errors:
        try:
            resume = read_resume(form.resume.data.stream, form.resume.data.filename)
        except ResumeError as error:
            form.resume.errors = [*form.resume.errors, str(error)]
            valid = False
    if not valid:
        return render_role(role, form, 422)

    details = service.ApplicantDetails(
        full_name=form.full_name.data,
        email=form.email.data,
        phone=form.phone.data or "",
        location=form.location.data or "",
        linkedin_url=form.linkedin_url.data or "",
        profile=form.profile.data,
        skill_slugs=tuple(form.skills.data or ()),
        self_identification={
            name.removeprefix("eeo_"): getattr(form, name).data for name in ApplicationForm.SELF_ID_FIELDS
        },
        source=form.source.data,
    )
    try:
        application = service.submit_application(role.id, details, resume)
    except service.RoleClosed:
        return closed_role(public_role(slug))
    except service.DuplicateApplication:
        notice = (
            "This email address already has an open application for this role, so nothing new was "
            "stored. We have sent the link to that application's page to the address again."
        )
        return render_role(public_role(slug), blank_form(role, form.source.data), 409, notice)

    flash("Thank you: your application is in. Keep this page's address: it is your link to follow it. We are e-mailing it to you too.", "success")
    return redirect(url_for("public.status", token=application.status_token), 303)


def closed_role(role: Role):
    """410: the role takes no more applications; its page, saying so."""
    return render_role(role, ApplicationForm.for_role(role, formdata=None), 410,
                       "This role is closed to applications, so nothing was sent or stored.")


def application_for(token: str):
    return or_404(application_by_token(token) if TOKEN.match(token) else None)


def private(response):
    """The status page's address is its key: keep it out of caches and referrers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/applications/<token>")
def status(token: str):
    application = application_for(token)
    page = render_template(
        "public/status.html",
        application=application,
        interviews=interviews.upcoming_for_application(application.id),
        offers=interviews.open_offers_for_application(application.id),
        erasure_request=waiting_request(application.candidate_id),
        messages=sent_to(application.id),
    )
    return private(current_app.make_response(page))


@bp.post("/applications/<token>/erasure-request")
def request_erasure(token: str):
    application = application_for(token)
    asked = erasure.request_erasure(application.id)
    flash(f"We have your request of {asked.requested_at.day} {asked.requested_at:%B %Y} to erase your data. We will do it within a month; "
          "this page then stops working.", "success")
    return redirect(url_for("public.status", token=token), 303)


@bp.get("/applications/<token>/withdraw")
def confirm_withdraw(token: str):
    application = application_for(token)
    if not application.is_open:
        return redirect(url_for("public.status", token=token), 303)
    return private(current_app.make_response(render_template("public/withdraw.html", application=application)))


@bp.post("/applications/<token>/withdraw")
def withdraw(token: str):
    application = application_for(token)
    try:
        service.withdraw(application.id)
    except MoveError:
        page = render_template(
            "public/status.html",
            application=application_for(token),
            interviews=interviews.upcoming_for_application(application.id),
            notice="This application is already closed, so there is nothing to withdraw.",
        )
        return private(current_app.make_response((page, 409)))
    flash("Your application has been withdrawn. Thank you for your interest.", "success")
    return redirect(url_for("public.status", token=token), 303)


def offer_for(token: str):
    return or_404(interviews.offer_by_token(token) if TOKEN.match(token) else None)


def render_offer(offer, status: int = 200, notice: str | None = None):
    zone = request.args.get("tz") or request.form.get("tz") or offer.timezone
    if zone not in zone_names():
        zone = offer.timezone
    page = render_template(
        "public/offer.html",
        offer=offer,
        free=interviews.free_slots(offer) if offer.is_bookable(utcnow()) else [],
        bookable=offer.is_bookable(utcnow()) and offer.application.is_open,
        zone=ZoneInfo(zone),
        zone_name=zone,
        zones=zone_names(),
        notice=notice,
    )
    return private(current_app.make_response((page, status)))


@bp.get("/interview-offers/<token>")
def interview_offer(token: str):
    """The candidate's page for choosing one of the offered interview times."""
    return render_offer(offer_for(token))


@bp.post("/interview-offers/<token>/book")
def book_interview(token: str):
    offer = offer_for(token)
    try:
        slot_id = int(request.form.get("slot", ""))
    except ValueError:
        return render_offer(offer, 422, "Please choose one of the times.")
    try:
        offers.book(token, slot_id)
    except offers.OfferClosed:
        return render_offer(offer_for(token), 410, "This offer can no longer be booked.")
    except offers.SlotTaken:
        return render_offer(offer_for(token), 409, "Sorry, that time was just taken. Please choose another one.")
    except InterviewError as error:
        return render_offer(offer_for(token), 422, str(error))
    flash("Your interview is booked. We are e-mailing you the invitation with a calendar file.", "success")
    return redirect(url_for("public.status", token=offer.application.status_token), 303)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """A recruiter's private feed of the interviews they organise; the token is the key."""
    name, scheduled, candidates = or_404(interviews.feed_for_token(token) if TOKEN.match(token) else None)
    response = current_app.response_class(feed_ics(scheduled, f"Interviews: {name}", candidates),
                                          mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/privacy")
def privacy():
    return render_template(
        "public/privacy.html",
        version=service.PRIVACY_NOTICE_VERSION,
        contact=current_app.config["ATS_PRIVACY_CONTACT"],
    )


@bp.get("/healthz")
def healthz():
    """Each part the service uses: ``ok``, ``unreachable`` or ``in-process``.
    ``503`` only when the database is unreachable, for nothing works without
    it; with Redis away the service works on (limits per process, jobs
    waiting in the database), so the answer is ``200`` with ``degraded``."""
    parts = {"database": "ok", "queue": queue().health(), "limits": limits_health()}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        parts["database"] = "unreachable"
        return jsonify(status="error", **parts), 503
    status = "ok" if "unreachable" not in parts.values() else "degraded"
    return jsonify(status=status, **parts)
