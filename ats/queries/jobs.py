"""The admins' view of background jobs: those that gave up, newest first."""
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Event, JobFailure

SHOWN = 200


@dataclass(frozen=True)
class FailedJob:
    id: int
    task: str
    application_id: int | None
    error: str
    tries: int
    failed_at: datetime


def open_failures() -> list[FailedJob]:
    """Failed jobs no admin has run again, newest first (at most ``SHOWN``),
    each with the application it concerns when there is one."""
    failures = db.session.scalars(
        select(JobFailure).where(JobFailure.resolved_at.is_(None)).order_by(JobFailure.id.desc()).limit(SHOWN)
    ).all()
    event_ids = [json.loads(f.args)[0] for f in failures if f.task == "deliver_event"]
    applications = dict(db.session.execute(
        select(Event.id, Event.application_id).where(Event.id.in_(event_ids))
    ).all()) if event_ids else {}

    def application_of(failure: JobFailure) -> int | None:
        first = json.loads(failure.args)[0] if failure.args != "[]" else None
        if failure.task == "deliver_event":
            return applications.get(first)
        return first if failure.task == "read_resume" else None

    return [FailedJob(f.id, f.task, application_of(f), f.error, f.tries, f.failed_at) for f in failures]
