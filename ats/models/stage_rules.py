"""The pipeline's rules: which stage an application may move to, and when a
move needs a reason. Pure functions of the application; the one operation that
moves a stage (``ats.operations.pipeline.move``) checks them, and pages use
them to offer only the moves that will be accepted.

The rules (the contract's "Stages"):
- forward one or more steps along applied → screening → interview → offer → hired;
- back one or more steps, with a reason;
- rejected (with a reason) or withdrawn, from any open stage;
- hired, rejected and withdrawn are closed; reopening needs a reason and goes
  back to the stage the application was closed from;
- a stale version is refused before any other check.
"""
from .applications import PIPELINE, Application, Stage


class MoveError(Exception):
    """A move the rules forbid; the message says why, for the person who asked."""


def check_move(application: Application, to_stage: Stage, reason: str) -> None:
    """Raise MoveError when the rules forbid moving ``application`` to ``to_stage``."""
    current = application.stage
    reason = reason.strip()
    if application.erased:
        raise MoveError("Its candidate's data was erased: the application is kept only as an anonymous record.")
    if to_stage == current:
        raise MoveError(f"The application is already in {current.label}.")
    if current.is_closed:
        if to_stage != application.closed_from_stage:
            origin = application.closed_from_stage.label if application.closed_from_stage else "its last open stage"
            raise MoveError(f"A closed application can only be reopened to {origin}.")
        if not reason:
            raise MoveError("Reopening a closed application needs a reason.")
        return
    if to_stage == Stage.REJECTED:
        if not reason:
            raise MoveError("Rejecting needs a reason.")
        return
    if to_stage == Stage.WITHDRAWN:
        return
    step = PIPELINE.index(to_stage) - PIPELINE.index(current)
    if step < 0 and not reason:
        raise MoveError(f"Moving back from {current.label} to {to_stage.label} needs a reason.")


def allowed_moves(application: Application) -> list[tuple[Stage, bool]]:
    """The stages the rules let ``application`` move to now, in stage order,
    each with whether the move needs a reason."""
    moves = []
    for stage in Stage:
        try:
            check_move(application, stage, "a reason")
        except MoveError:
            continue
        try:
            check_move(application, stage, "")
            needs_reason = False
        except MoveError:
            needs_reason = True
        moves.append((stage, needs_reason))
    return moves


def suggested_move(moves: list[tuple[Stage, bool]]) -> Stage | None:
    """The move to offer first among ``moves`` (from ``allowed_moves``): the
    nearest forward stage that needs no reason, else the first allowed."""
    forward = [stage for stage, needs_reason in moves if not needs_reason and stage in PIPELINE]
    return forward[0] if forward else (moves[0][0] if moves else None)
