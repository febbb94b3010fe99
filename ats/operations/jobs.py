"""An admin runs a job that gave up again (``/admin/jobs``)."""
import json

from ..extensions import db
from ..models import Event, JobFailure, utcnow
from ..models.audit import record
from . import write_transaction


class AlreadyHandled(Exception):
    """Another admin ran this job again first."""


def reopen_failure(failure_id: int, actor_id: int) -> tuple[str, list] | None:
    """Mark a failed job as handled by ``actor_id`` and return (task, args)
    for the caller to queue again; None when there is no such failure, and
    ``AlreadyHandled`` when it was handled before. An event's mail becomes
    the sweep's again if queuing fails. One transaction, in the audit trail."""
    write_transaction()
    failure = db.session.get(JobFailure, failure_id, with_for_update=True)
    if failure is None or failure.resolved_at is not None:
        db.session.rollback()
        if failure is None:
            return None
        raise AlreadyHandled()
    failure.resolved_at = utcnow()
    failure.resolved_by_id = actor_id
    args = json.loads(failure.args)
    if failure.task == "deliver_event":
        event = db.session.get(Event, args[0])
        if event is not None:
            event.failed_at = None
            event.queued_at = None
    record("job.run_again", actor_id, None, job=failure.task, args=args, failure_id=failure.id)
    db.session.commit()
    return failure.task, args
