"""Stage moves: the pipeline's rules in one place, and one door for every move.

Every way of changing a stage (a recruiter's move, bulk moves, the candidate
withdrawing, scheduling an interview, and later the API) goes through
``move``: version first, then the rules, then the change with its history,
audit entry and event, in the caller's transaction.

The rules (the contract's "Stages"):
- forward one or more steps along applied → screening → interview → offer → hired;
- back one or more steps, with a reason;
- rejected (with a reason) or withdrawn, from any open stage;
- hired, rejected and withdrawn are closed; reopening needs a reason and goes
  back to the stage the application was closed from;
- a stale version is refused before any other check.
"""
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import PIPELINE, Application, EventType, Stage, StageChange, utcnow
from ..models.audit import record
from . import write_transaction
from .events import record_event


class MoveError(Exception):
    """A move the rules forbid; the message says why, for the person who asked."""


class StaleVersion(Exception):
    """Someone changed the application since the page was shown; nothing was changed."""

    def __init__(self, application_id: int, current_version: int | None):
        super().__init__(f"application {application_id} has changed (now version {current_version})")
        self.application_id = application_id
        self.current_version = current_version


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff user (with id), the candidate, or the system."""

    kind: str
    id: int | None = None

    @classmethod
    def staff(cls, user_id: int) -> "Actor":
        return cls("staff", user_id)


CANDIDATE = Actor("candidate")
SYSTEM = Actor("system")


def check_move(application: Application, to_stage: Stage, reason: str) -> None:
    """Raise MoveError when the rules forbid moving ``application`` to ``to_stage``."""
    current = application.stage
    reason = reason.strip()
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


def apply_move(application: Application, to_stage: Stage, reason: str, actor: Actor) -> StageChange:
    """Change the stage and add the history entry, inside the caller's transaction."""
    now = utcnow()
    from_stage = application.stage
    if to_stage.is_closed:
        application.closed_from_stage = from_stage
    elif from_stage.is_closed:
        application.closed_from_stage = None
    stay_seconds = (now - application.stage_entered_at).total_seconds()
    application.stage = to_stage
    application.stage_entered_at = now
    # Linked from the change's side, so a long history is not loaded to add to it.
    change = StageChange(
        application=application,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason.strip(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        created_at=now,
        stay_seconds=stay_seconds,
    )
    db.session.add(change)
    return change


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


def move(
    application: Application, to_stage: Stage, reason: str, actor: Actor, expected_version: int | None = None
) -> StageChange:
    """The one door for a stage move, inside the caller's transaction.

    Refuses a stale ``expected_version`` (when the caller showed one) before
    anything else, then a move the rules forbid (``MoveError``). Then changes
    the stage and writes the history entry, the audit entry (``stage.move``)
    and the ``application.stage_changed`` event, all saved with the caller's
    commit or not at all.
    """
    if expected_version is not None and application.version != expected_version:
        raise StaleVersion(application.id, application.version)
    check_move(application, to_stage, reason)
    change = apply_move(application, to_stage, reason, actor)
    record(
        "stage.move",
        actor.id if actor.kind == "staff" else None,
        application.id,
        **{"from": change.from_stage.value, "to": change.to_stage.value, "reason": change.reason},
    )
    record_event(EventType.STAGE_CHANGED, application, **{"from": change.from_stage.value, "to": change.to_stage.value})
    return change


def move_stage(application_id: int, to_stage: Stage, reason: str, actor: Actor, expected_version: int) -> Application:
    """Move an application (see ``move``). One transaction."""
    write_transaction()
    application = db.session.get(Application, application_id)
    if application is None:
        db.session.rollback()
        raise LookupError(application_id)
    try:
        move(application, to_stage, reason, actor, expected_version)
        db.session.commit()
    except StaleDataError:
        # Another move committed between our read and our write.
        db.session.rollback()
        raise StaleVersion(application_id, None) from None
    except BaseException:
        db.session.rollback()
        raise
    return application


def move_stage_as_staff(
    application_id: int, to_stage: Stage, reason: str, staff_id: int, expected_version: int
) -> Application:
    """A staff member's move (see ``move_stage``)."""
    return move_stage(application_id, to_stage, reason, Actor.staff(staff_id), expected_version)
