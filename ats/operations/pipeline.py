"""Stage moves: the pipeline's rules in one place, and one door for every move.

Every way of changing a stage (a recruiter's move, bulk moves, the candidate
withdrawing, scheduling an interview, and later the API) goes through
``move``: version first, then the rules, then the change with its history,
audit entry and event, in the caller's transaction.

The rules themselves are in ``ats.models.stage_rules``. One more rule needs
the database, so it is checked here: a decision after an interview (a move to
offer or rejected once a non-cancelled interview has ended) needs a short
decision summary, and keeps it with the evidence as it stood
(``ats.queries.scorecards``).
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..events import record_event
from ..extensions import db
from ..models import Application, EventType, Stage, StageChange, utcnow
from ..models.audit import record
from ..models.types import LARGEST_ID
from ..models.stage_rules import MoveError, check_move
from ..queries import scorecards
from . import write_transaction
from .messages import MessageChoice, plan_for_move

DECISION_STAGES = scorecards.DECISION_STAGES
# The longest decision summary, in characters.
MAX_DECISION_SUMMARY = 2_000


class SummaryNeeded(MoveError):
    """A decision after an interview came without a decision summary (or
    with one too long); the message says what to write."""


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


def check_decision(application: Application, to_stage: Stage, reason: str,
                   decision_summary: str | None) -> tuple[str | None, dict | None]:
    """The decision summary and evidence snapshot a move keeps: for a move to
    offer or rejected after an interview, the summary (``decision_summary``,
    or ``reason`` when that is empty; ``SummaryNeeded`` when both are) and
    the evidence as it stands; for any other move, the summary if one was
    given, and no evidence."""
    summary = (decision_summary or "").strip()
    if to_stage not in DECISION_STAGES or not scorecards.had_interview(application.id):
        if len(summary) > MAX_DECISION_SUMMARY:
            raise SummaryNeeded(f"Keep the decision summary to {MAX_DECISION_SUMMARY:,} characters.")
        return summary or None, None
    summary = summary or reason.strip()
    if not summary:
        raise SummaryNeeded(
            f"Moving to {to_stage.label} after an interview needs a short decision summary: "
            "say why, in your words (or give a reason, which is taken as the summary)."
        )
    if len(summary) > MAX_DECISION_SUMMARY:
        raise SummaryNeeded(f"Keep the decision summary to {MAX_DECISION_SUMMARY:,} characters "
                            f"(it has {len(summary):,}).")
    return summary, scorecards.snapshot(scorecards.load_evidence(application))


def move(
    application: Application, to_stage: Stage, reason: str, actor: Actor, expected_version: int | None = None,
    *, decision_summary: str | None = None, message: MessageChoice | None = None,
) -> StageChange:
    """The one door for a stage move, inside the caller's transaction.

    Refuses a stale ``expected_version`` (when the caller showed one) before
    anything else, then a move the rules forbid (``MoveError``), then a
    decision after an interview without a summary (``SummaryNeeded``, see
    ``check_decision``). Then changes the stage and writes the history entry
    (with the decision summary and the evidence as it stood), the audit
    entry (``stage.move``) and the ``application.stage_changed`` event, all
    saved with the caller's commit or not at all. A message to the candidate
    still waiting is cancelled, and ``message`` (if any) stored to be sent
    (``ats.operations.messages``); the event names it when it is due now.
    """
    if expected_version is not None and application.version != expected_version:
        raise StaleVersion(application.id, application.version)
    check_move(application, to_stage, reason)
    summary, evidence = check_decision(application, to_stage, reason, decision_summary)
    change = apply_move(application, to_stage, reason, actor)
    change.decision_summary = summary
    if evidence is not None:  # left out, not set to None: the JSON column would store a JSON null
        change.evidence = evidence
    staff_id = actor.id if actor.kind == "staff" else None
    detail = {"from": change.from_stage.value, "to": change.to_stage.value, "reason": change.reason}
    if summary is not None:
        detail["decision_summary"] = summary
    record("stage.move", staff_id, application.id, **detail)
    planned = plan_for_move(application, message, staff_id, change.created_at)
    data = {"from": change.from_stage.value, "to": change.to_stage.value}
    if planned is not None and planned.send_after <= change.created_at:
        data["message_id"] = planned.id
    record_event(EventType.STAGE_CHANGED, application, **data)
    return change


def move_stage(application_id: int, to_stage: Stage, reason: str, actor: Actor, expected_version: int,
               *, decision_summary: str | None = None, message: MessageChoice | None = None) -> Application:
    """Move an application (see ``move``). One transaction."""
    write_transaction()
    application = db.session.get(Application, application_id)
    if application is None:
        db.session.rollback()
        raise LookupError(application_id)
    try:
        move(application, to_stage, reason, actor, expected_version, decision_summary=decision_summary,
             message=message)
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
    application_id: int, to_stage: Stage, reason: str, staff_id: int, expected_version: int,
    *, decision_summary: str | None = None, message: MessageChoice | None = None,
) -> Application:
    """A staff member's move (see ``move_stage``). The API and bulk moves
    send no message to the candidate (``message`` None): only the move form,
    which shows what will be sent, does."""
    return move_stage(application_id, to_stage, reason, Actor.staff(staff_id), expected_version,
                      decision_summary=decision_summary, message=message)


# --- Moving several applications at once -----------------------------------------


@dataclass(frozen=True)
class Refusal:
    application_id: int
    name: str
    why: str


@dataclass(frozen=True)
class BulkResult:
    moved: list[tuple[int, str]]
    refused: list[Refusal]


def bulk_move(
    role_id: int, selection: list[tuple[int, int]], to_stage: Stage, reason: str, staff_id: int
) -> BulkResult:
    """Move each selected ``(application id, version)`` of the role to ``to_stage``.

    Each application is its own transaction (``move_stage_as_staff``: version
    first, rules second, the audit event with the move), so one refusal
    leaves the others' moves in place. Applications of other roles are refused.
    """
    ids = [application_id for application_id, _ in selection if application_id <= LARGEST_ID]
    names = dict(
        db.session.execute(
            select(Application.id, Application.full_name).where(
                Application.id.in_(ids), Application.role_id == role_id
            )
        ).all()
    )
    moved: list[tuple[int, str]] = []
    refused: list[Refusal] = []
    for application_id, version in selection:
        name = names.get(application_id)
        if name is None:
            refused.append(Refusal(application_id, f"Application {application_id}", "it is not on this board"))
            continue
        try:
            move_stage_as_staff(application_id, to_stage, reason, staff_id, version)
        except StaleVersion:
            why = "someone else changed it after the board was shown; reload the board and try again"
            refused.append(Refusal(application_id, name, why))
        except MoveError as error:
            refused.append(Refusal(application_id, name, str(error).rstrip(".")))
        except LookupError:
            refused.append(Refusal(application_id, name, "it no longer exists"))
        else:
            moved.append((application_id, name))
    return BulkResult(moved, refused)
