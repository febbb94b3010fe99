"""The admins' view of background jobs: those that gave up, newest first."""
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Event, EventType, JobFailure

SHOWN = 200

# What a failed ``deliver_event`` job was sending, by its event's type: the
# job's own label cannot say, since one job sends every mail.
MAIL_LABELS = {
    EventType.APPLICATION_CREATED: "Mail to a candidate: application received",
    EventType.STAGE_CHANGED: "Mail to a candidate: the message sent with a move",
    EventType.INTERVIEW_SCHEDULED: "Mail to a candidate: interview scheduled",
    EventType.INTERVIEW_CANCELLED: "Mail to a candidate: interview cancelled",
    EventType.INTERVIEW_RESCHEDULED: "Mail to a candidate: interview rescheduled",
    EventType.INTERVIEW_OFFERED: "Mail to a candidate: interview times offered",
    EventType.APPLICATION_RESUBMITTED: "Mail to a candidate: their status link again",
    EventType.STAFF_INVITED: "Mail to a staff member: invitation",
    EventType.STAFF_PASSWORD_RESET: "Mail to a staff member: password link",
    EventType.SCORECARD_REQUESTED: "Mail to an interviewer: scorecard link",
    EventType.SCORECARD_REMINDED: "Mail to an interviewer: scorecard reminder",
}


@dataclass(frozen=True)
class FailedJob:
    id: int
    task: str
    application_id: int | None
    error: str
    tries: int
    failed_at: datetime
    # What it was doing, when more can be said than the job's label (a mail's kind).
    what: str | None = None


def open_failures() -> list[FailedJob]:
    """Failed jobs no admin has run again, newest first (at most ``SHOWN``),
    each with the application it concerns when there is one."""
    failures = db.session.scalars(
        select(JobFailure).where(JobFailure.resolved_at.is_(None)).order_by(JobFailure.id.desc()).limit(SHOWN)
    ).all()
    event_ids = [json.loads(f.args)[0] for f in failures if f.task == "deliver_event"]
    events = {event_id: (application_id, event_type) for event_id, application_id, event_type in db.session.execute(
        select(Event.id, Event.application_id, Event.type).where(Event.id.in_(event_ids))
    )} if event_ids else {}

    def first_arg(failure: JobFailure):
        return json.loads(failure.args)[0] if failure.args != "[]" else None

    def application_of(failure: JobFailure) -> int | None:
        if failure.task == "deliver_event":
            return events.get(first_arg(failure), (None, None))[0]
        return first_arg(failure) if failure.task == "read_resume" else None

    def what(failure: JobFailure) -> str | None:
        if failure.task != "deliver_event":
            return None
        return MAIL_LABELS.get(events.get(first_arg(failure), (None, None))[1])

    return [FailedJob(f.id, f.task, application_of(f), f.error, f.tries, f.failed_at, what(f)) for f in failures]
