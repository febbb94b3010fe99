"""The recruiters' pages, for recruiters and everyone above: the dashboard,
a role's board (search, filters, bulk moves) and one application's page
(profile, resume, skills, notes, stage control and history).

A board address the board cannot show (``?stage=`` naming no stage, ``?page=``
that is not a whole number from 1 up) is answered ``400`` with a page saying
what was wrong; a bulk form it cannot use, ``422``.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..access import require_access
from ..extensions import db
from ..infra import resumes
from ..models import Access, Application, RoleStatus, Stage
from ..models.applications import MAX_REASON
from ..models.stage_rules import MoveError, allowed_moves, suggested_move
from ..operations.assessment import Erased, add_note, annotate_skills
from ..operations.audit import record_resume_download
from ..operations.messages import MessageChoiceError, message_choice
from ..operations.pipeline import StaleVersion, SummaryNeeded, bulk_move, move_stage_as_staff
from ..queries import interviews
from ..queries.application_page import Move, changes_since, decision_labels, load_application, load_page
from ..queries.board import (
    BOARD_STAGES,
    BULK_LIMIT,
    PAGE_SIZE,
    BoardInputError,
    BoardQuery,
    board_role,
    load_board,
)
from ..queries.dashboard import awaiting_feedback, load_dashboard, own_scorecards
from ..queries.messages import waiting_for
from ..queries.identity import identities, identity, is_blinded
from ..queries.scorecards import had_interview
from ..urls import absolute_url
from ..web import clean_text, or_404, safe_next_path
from .cards import render_cards
from .forms import NoteForm, StageForm, TrackedLinkForm, read_skill_form

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")
require_access(bp, Access.RECRUITER)


@bp.get("/")
def dashboard():
    blinded = is_blinded(current_user.access)
    coming = interviews.starting_within(hours=24, blinded=blinded)
    return render_template(
        "pipeline/dashboard.html",
        dashboard=load_dashboard(blinded=blinded),
        coming_interviews=coming,
        candidates=identities((interview.application_id for interview in coming), blinded),
        own_scorecards=own_scorecards(current_user.email),
        awaiting_feedback=awaiting_feedback(blinded=blinded),
    )


# --- A role's board ---------------------------------------------------------------


def _refuse(status: int, message: str, role_slug: str):
    return (
        render_template("pipeline/board_refused.html", status=status, message=message, role_slug=role_slug),
        status,
    )


@bp.get("/<role_slug>")
def board(role_slug: str):
    try:
        query = BoardQuery.from_args(request.args)
    except BoardInputError as error:
        return _refuse(400, str(error), or_404(board_role(role_slug)).slug)
    loaded = or_404(load_board(role_slug, query, blinded=is_blinded(current_user.access)))
    return render_template(
        "pipeline/board.html",
        board=loaded,
        stages=BOARD_STAGES,
        page_size=PAGE_SIZE,
        max_reason=MAX_REASON,
        here=url_for("pipeline.board", role_slug=loaded.role_slug, **query.args()),
        render_cards=render_cards,
        tracked_form=TrackedLinkForm(formdata=None),
    )


@bp.get("/<role_slug>/tracked-link")
def tracked_link(role_slug: str):
    """A link to the role's public page carrying a source (``?source=``), so
    the reports count where applications came from. 422 for a bad source."""
    role = or_404(board_role(role_slug))
    form = TrackedLinkForm(request.args)
    link = None
    # Without a source asked for yet, the form alone.
    if "source" in request.args and form.validate():
        link = absolute_url("public.role", slug=role.slug, source=form.source.data)
    page = render_template("pipeline/tracked_link.html", role=role, form=form, link=link,
                           role_open=role.status == RoleStatus.OPEN)
    return page, 422 if form.errors else 200


def _selection(values: list[str]) -> list[tuple[int, int]]:
    """``<id>:<version>`` values as pairs, each application once."""
    pairs: dict[int, int] = {}
    for value in values:
        application_id, _, version = value.partition(":")
        if not (application_id.isascii() and application_id.isdigit() and version.isascii() and version.isdigit()):
            raise BoardInputError(f"“{value}” does not name an application and its version.")
        pairs.setdefault(int(application_id), int(version))
    return list(pairs.items())


@bp.post("/<role_slug>/bulk")
def bulk(role_slug: str):
    role = or_404(board_role(role_slug))
    board_url = url_for("pipeline.board", role_slug=role.slug)
    back = safe_next_path(request.form.get("next"))
    if back is None or back.split("?")[0] != board_url:
        back = board_url
    try:
        selection = _selection(request.form.getlist("application"))
        if not selection:
            raise BoardInputError("No applications were selected: tick at least one card, then choose where they go.")
        if len(selection) > BULK_LIMIT:
            raise BoardInputError(f"At most {BULK_LIMIT} applications can be moved at once.")
        try:
            to_stage = Stage(request.form.get("stage", ""))
        except ValueError:
            raise BoardInputError("Choose the stage the selected applications should move to.") from None
        reason = clean_text(request.form.get("reason", ""))
        if len(reason) > MAX_REASON:
            raise BoardInputError(f"Keep the reason to {MAX_REASON:,} characters (it has {len(reason):,}).")
    except BoardInputError as error:
        return _refuse(422, str(error), role.slug)

    result = bulk_move(role.id, selection, to_stage, reason, current_user.id)
    if result.moved:
        count = len(result.moved)
        flash(f"Moved {count} {'application' if count == 1 else 'applications'} to {to_stage.label}.", "success")
    if result.refused:
        count = len(result.refused)
        # Named as the board names them: blind review's pseudonyms where it hides who applied.
        shown = identities((refusal.application_id for refusal in result.refused), is_blinded(current_user.access))
        reasons = "; ".join(
            f"{shown[refusal.application_id].name if _hidden(shown, refusal.application_id) else refusal.name}: "
            f"{refusal.why}"
            for refusal in result.refused
        )
        flash(f"Not moved ({count}): {reasons}.", "error")
    return redirect(back, 303)


def _hidden(shown: dict, application_id: int) -> bool:
    return application_id in shown and shown[application_id].hidden


# --- One application ---------------------------------------------------------------


def _page_url(application_id: int) -> str:
    return url_for("pipeline.application", application_id=application_id)


def render_page(application_id: int, status: int = 200, *, stage_form=None, note_form=None, skills_sent=None,
                skill_errors=None):
    """The page, fresh from the database, with any form that came back with errors."""
    page = or_404(load_page(application_id, is_blinded(current_user.access)))
    stage_form = stage_form or StageForm(formdata=None)
    stage_form.stage.choices = [("", "Choose a stage")] + [(m.stage.value, m.option_label) for m in page.moves]
    stage_form.version.data = str(page.application.version)
    # The zone of the latest interview (the page has them, by start time), else UTC.
    stage_form.offer_messages(page.application, page.interviews[-1].timezone if page.interviews else "UTC")
    for row in page.skills:
        if skills_sent and row.slug in skills_sent:
            level_raw, note_raw = skills_sent[row.slug]
            row.chosen = level_raw if level_raw is not None else row.chosen
            row.note_text = note_raw if note_raw is not None else row.note_text
        if skill_errors:
            row.level_error = skill_errors.get(f"skill-{row.slug}")
            row.note_error = skill_errors.get(f"note-{row.slug}")
    html = render_template(
        "pipeline/application.html",
        page=page,
        application=page.application,
        interviews=page.interviews,
        stage_form=stage_form,
        note_form=note_form or NoteForm(formdata=None),
        has_errors=status == 422,
        # A message waits only after the move to Offer or Rejected that planned it.
        waiting_messages=waiting_for(application_id) if page.application.stage in (Stage.OFFER, Stage.REJECTED) else [],
    )
    return html, status


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    return render_page(application_id)


@bp.get("/applications/<int:application_id>/resume")
def resume(application_id: int):
    application = db.get_or_404(Application, application_id)
    if identity(application_id, is_blinded(current_user.access)).hidden:
        abort(403, description="Blind review is on for this role: the resume opens once the skill match is saved.")
    if not application.resume_storage_name:
        abort(404)
    try:
        stored = resumes.open_stored(application.resume_storage_name)
    except resumes.MissingFile:
        abort(404)
    content_type = application.resume_content_type or "application/octet-stream"
    name = resumes.clean_filename(application.resume_original_name, resumes.ACCEPTED.get(content_type, ""))
    try:
        record_resume_download(application_id, current_user.id)
    except BaseException:
        stored.stream.close()
        raise
    # Streamed in chunks as it is read (from the folder or from S3), never held whole.
    response = send_file(
        stored.stream, mimetype=content_type, as_attachment=True, download_name=name, conditional=False, etag=False
    )
    response.content_length = stored.size
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/applications/<int:application_id>/stage")
def move_form(application_id: int):
    """The stage control on a page of its own, for moving an application from
    the board: the form is the application page's (same fields, same POST),
    and ``next`` takes the recruiter back to the board as it was."""
    candidate = or_404(identity(application_id, is_blinded(current_user.access)))
    application = or_404(load_application(application_id, hidden=candidate.hidden))
    allowed = allowed_moves(application)
    moves = [Move(stage, needs_reason) for stage, needs_reason in allowed]
    form = StageForm(formdata=None)
    form.stage.choices = [(move.stage.value, move.option_label) for move in moves]
    suggested = suggested_move(allowed)
    form.stage.data = suggested.value if suggested else None
    form.version.data = str(application.version)
    form.offer_messages(application)
    form.next.data = safe_next_path(request.args.get("next")) or url_for(
        "pipeline.board", role_slug=application.role.slug
    )
    return render_template(
        "pipeline/move.html",
        application=application,
        candidate=candidate,
        form=form,
        moves=moves,
        reason_stages=[move.stage.label for move in moves if move.needs_reason],
        summary_stages=decision_labels(moves, had_interview(application_id)),
    )


@bp.post("/applications/<int:application_id>/stage")
def move(application_id: int):
    """The contract's order: a stale version is answered 409 before anything
    else is checked; then a missing stage or a move the rules forbid, 422."""
    current = db.get_or_404(Application, application_id)
    form = StageForm()
    form.validate()
    version = form.shown_version()
    if version is None:
        form.stage.errors = ["The form was incomplete. Reload the page and try again."]
        return render_page(application_id, 422, stage_form=form)
    if version != current.version:
        return render_stale(application_id, version, form)
    stage = form.chosen_stage()
    if stage is None:
        form.stage.errors = ["Choose the stage to move the application to."]
        return render_page(application_id, 422, stage_form=form)
    if form.reason.errors or form.decision_summary.errors:
        return render_page(application_id, 422, stage_form=form)
    try:
        # Without the message fields (the contract's form): the move's usual message, now.
        message = message_choice(current, stage, form.message.data, form.send_at.data, form.send_zone.data,
                                 form.send_time.data)
    except MessageChoiceError as error:
        form[error.field].errors = [str(error)]
        return render_page(application_id, 422, stage_form=form)
    try:
        moved = move_stage_as_staff(application_id, stage, form.reason.data or "", current_user.id, version,
                                    decision_summary=form.decision_summary.data or "", message=message)
    except StaleVersion:
        return render_stale(application_id, version, form)
    except SummaryNeeded as error:
        form.decision_summary.errors = [str(error)]
        return render_page(application_id, 422, stage_form=form)
    except MoveError as error:
        form.stage.errors = [str(error)]
        return render_page(application_id, 422, stage_form=form)
    flash(f"Moved to {moved.stage.label}.", "success")
    return redirect(safe_next_path(form.next.data) or _page_url(application_id), 303)


def render_stale(application_id: int, shown_version: int, form: StageForm):
    """409: what changed since the version the form was sent from; nothing was changed."""
    application = load_application(application_id)
    html = render_template(
        "pipeline/stale.html",
        application=application,
        candidate=identity(application_id, is_blinded(current_user.access)),
        shown_version=shown_version,
        changes=changes_since(application, shown_version),
        back=safe_next_path(form.next.data),
    )
    return html, 409


@bp.post("/applications/<int:application_id>/skills")
def annotate(application_id: int):
    current = db.get_or_404(Application, application_id)
    inputs, sent, errors = read_skill_form(request.form, current.role.active_skills)
    if errors:
        return render_page(application_id, 422, skills_sent=sent, skill_errors=errors)
    try:
        changes = annotate_skills(application_id, current_user.id, inputs)
    except Erased:
        return _erased(application_id)
    if changes:
        count = len(changes)
        flash(f"Skill match saved: {count} {'skill' if count == 1 else 'skills'} changed.", "success")
    else:
        flash("Nothing to save: the skill match is as it was.", "info")
    return redirect(_page_url(application_id), 303)


@bp.post("/applications/<int:application_id>/notes")
def note(application_id: int):
    db.get_or_404(Application, application_id)
    form = NoteForm()
    if not form.validate():
        return render_page(application_id, 422, note_form=form)
    try:
        add_note(application_id, current_user.id, form.body.data)
    except Erased:
        return _erased(application_id)
    flash("Note added.", "success")
    return redirect(_page_url(application_id), 303)


def _erased(application_id: int):
    flash("Nothing was saved: this candidate’s data was erased, and the application can no longer be changed.", "error")
    return render_page(application_id, 422)
