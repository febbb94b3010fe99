"""A role's board: one column per stage, search, filters and bulk moves.

A board address the board cannot show (``?stage=`` naming no stage, ``?page=``
that is not a whole number from 1 up) is answered ``400`` with a page saying
what was wrong; a bulk form it cannot use, ``422``.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Stage
from ..models.applications import MAX_REASON
from ..services.board import (
    BOARD_STAGES,
    BULK_LIMIT,
    PAGE_SIZE,
    BoardInputError,
    BoardQuery,
    board_role,
    bulk_move,
    load_board,
)
from ..web import clean_text, or_404, safe_next_path
from .board_cards import render_cards
from .routes import bp


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
    loaded = or_404(load_board(role_slug, query))
    return render_template(
        "pipeline/board.html",
        board=loaded,
        stages=BOARD_STAGES,
        page_size=PAGE_SIZE,
        max_reason=MAX_REASON,
        here=url_for("pipeline.board", role_slug=loaded.role_slug, **query.args()),
        render_cards=render_cards,
    )


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
        reasons = "; ".join(f"{refusal.name}: {refusal.why}" for refusal in result.refused)
        flash(f"Not moved ({count}): {reasons}.", "error")
    return redirect(back, 303)
