"""One application: profile, resume, skills, notes, stage control and history."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Application
from ..services import resumes
from ..services.assessment import add_note, annotate_skills, record_resume_download
from ..services.pipeline import MoveError, StaleVersion, allowed_moves, move_stage_as_staff, suggested_move
from ..web import or_404, safe_next_path
from .application_forms import NoteForm, StageForm, read_skill_form
from .application_page import Move, changes_since, load_application, load_page
from .routes import bp


def _page_url(application_id: int) -> str:
    return url_for("pipeline.application", application_id=application_id)


def render_page(application_id: int, status: int = 200, *, stage_form=None, note_form=None, skills_sent=None,
                skill_errors=None):
    """The page, fresh from the database, with any form that came back with errors."""
    page = or_404(load_page(application_id))
    stage_form = stage_form or StageForm(formdata=None)
    stage_form.stage.choices = [("", "Choose a stage")] + [(m.stage.value, m.option_label) for m in page.moves]
    stage_form.version.data = str(page.application.version)
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
        stage_form=stage_form,
        note_form=note_form or NoteForm(formdata=None),
        has_errors=status == 422,
    )
    return html, status


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    return render_page(application_id)


@bp.get("/applications/<int:application_id>/resume")
def resume(application_id: int):
    application = db.get_or_404(Application, application_id)
    if not application.resume_storage_name:
        abort(404)
    try:
        path = resumes.path_of(application.resume_storage_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    content_type = application.resume_content_type or "application/octet-stream"
    name = resumes.clean_filename(application.resume_original_name, resumes.ACCEPTED.get(content_type, ""))
    record_resume_download(application_id, current_user.id)
    response = send_file(
        path, mimetype=content_type, as_attachment=True, download_name=name, conditional=False, etag=False
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/applications/<int:application_id>/stage")
def move_form(application_id: int):
    """The stage control on a page of its own, for moving an application from
    the board: the form is the application page's (same fields, same POST),
    and ``next`` takes the recruiter back to the board as it was."""
    application = db.get_or_404(Application, application_id)
    allowed = allowed_moves(application)
    moves = [Move(stage, needs_reason) for stage, needs_reason in allowed]
    form = StageForm(formdata=None)
    form.stage.choices = [(move.stage.value, move.option_label) for move in moves]
    suggested = suggested_move(allowed)
    form.stage.data = suggested.value if suggested else None
    form.version.data = str(application.version)
    form.next.data = safe_next_path(request.args.get("next")) or url_for(
        "pipeline.board", role_slug=application.role.slug
    )
    return render_template(
        "pipeline/move.html",
        application=application,
        form=form,
        moves=moves,
        reason_stages=[move.stage.label for move in moves if move.needs_reason],
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
    if form.reason.errors:
        return render_page(application_id, 422, stage_form=form)
    try:
        moved = move_stage_as_staff(application_id, stage, form.reason.data or "", current_user.id, version)
    except StaleVersion:
        return render_stale(application_id, version, form)
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
    changes = annotate_skills(application_id, current_user.id, inputs)
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
    add_note(application_id, current_user.id, form.body.data)
    flash("Note added.", "success")
    return redirect(_page_url(application_id), 303)
