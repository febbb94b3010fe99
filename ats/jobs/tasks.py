"""What the background jobs do. Each job's arguments are ids; everything
else it reads from the database when it runs, so a job queued before a
change sees the change."""
import logging
from dataclasses import astuple, dataclass
from datetime import timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import select

from .. import events, webhooks
from ..extensions import db
from ..infra import resumes
from ..infra.mail import MailNotSent
from ..models import Application, ResumeTextStatus, utcnow
from ..notifications.messages import send_planned
from ..operations.erasure import purge, retention_cutoff
from ..operations.resume_text import read_resume_text
from ..operations import scorecards
from ..queries import messages

log = logging.getLogger(__name__)

# A resume still 'pending' this long after its application arrived lost its
# job (the queue was down, or the worker was killed while reading it).
RESUME_LOST_AFTER = timedelta(minutes=10)
# A stored resume no application names, this old, was left by an application
# that never committed (its web worker was killed between storing the file
# and the commit); no request takes this long.
ORPHAN_FILE_AFTER = timedelta(hours=1)


def deliver_event(event_id: int) -> None:
    events.deliver(event_id)


def event_gave_up(event_id: int) -> None:
    """The event's mail is given up: the sweep leaves it alone from now on."""
    events.mark([event_id], failed_at=utcnow())


def deliver_webhook(delivery_id: int) -> None:
    """One try of a webhook delivery; a failed one is scheduled again (on a
    real queue; in-process, the sweep tries it again once due)."""
    wait = webhooks.deliver(delivery_id)
    if wait is not None:
        jobs = current_app.extensions["ats.jobs"]
        if not jobs.in_process:
            jobs.schedule("deliver_webhook", wait, delivery_id)


def read_resume(application_id: int) -> None:
    read_resume_text(application_id)


def send_message(message_id: int) -> None:
    """A message to a candidate whose time has come (``ats.notifications.messages``).
    A failed try is not retried by the queue: the message stays scheduled,
    and the sweep hands it over again once ``RETRY_AFTER`` has passed, until
    it is sent (the application page shows it waiting). So an outage of the
    mail server costs one try per message every few minutes, and no pile of
    retries or failure cards."""
    try:
        send_planned(message_id)
    except MailNotSent as error:
        log.warning("message %d not sent (%s); the sweep tries it again", message_id, error)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable
    # What it does, for admins.
    label: str
    # Tries after the first, waiting retry_delay seconds, then twice as long each time.
    retries: int = 0
    retry_delay: int = 0
    # Called with the job's arguments when its last try failed.
    gave_up: Callable | None = None


JOBS = (
    # Mail: 8 retries over about two hours (30 s, 1, 2, 4, 8, 16, 32, 64 min).
    Job("deliver_event", deliver_event, "Mail", retries=8, retry_delay=30, gave_up=event_gave_up),
    # Reading never raises for a bad file (it is stored as unreadable); a
    # retry is for the database or the file store being away.
    # Webhooks: retried by deliver_webhook itself, on its own schedule
    # (``ats.webhooks.retry_delay``: 14 tries over about 28 hours).
    Job("deliver_webhook", deliver_webhook, "A webhook delivery"),
    Job("read_resume", read_resume, "Reading a resume's text", retries=3, retry_delay=60),
    # A message stays scheduled while its tries fail: the sweep hands it over again.
    Job("send_message", send_message, "A message to a candidate"),
)
BY_NAME = {job.name: job for job in JOBS}


@dataclass(frozen=True)
class Swept:
    events: int
    resumes: int
    webhooks: int
    orphan_files: int
    scorecard_links: int = 0
    scorecard_reminders: int = 0


def remove_orphan_resumes() -> int:
    """Delete stored resumes that no application names and that are older
    than ORPHAN_FILE_AFTER; how many."""
    cutoff = utcnow() - ORPHAN_FILE_AFTER
    old = resumes.stored_before(cutoff.timestamp())
    removed = 0
    for start in range(0, len(old), 500):
        batch = old[start:start + 500]
        named = set(db.session.scalars(
            select(Application.resume_storage_name).where(Application.resume_storage_name.in_(batch))
        ))
        db.session.commit()
        for name in set(batch) - named:
            resumes.discard(name)
            removed += 1
    return removed


def sweep_scorecards(jobs, now=None) -> tuple[int, int]:
    """Make the scorecard links of interviews that have ended and send the
    reminders due (``ats.operations.scorecards``), and queue their mail at
    once: no request is there to hand it over. How many of each."""
    from . import hand_over  # ats.jobs imports this module first

    made = scorecards.make_links(now)
    reminded = scorecards.send_reminders(now)
    committed = events.take_committed(db.session)
    if committed:
        hand_over(committed)
    return len(made), len(reminded)


def sweep(jobs) -> Swept:
    """Every minute, in the worker: hand over events never queued (or whose
    job was lost), resumes whose reading was lost and webhook deliveries due
    and not tried (``ats.webhooks.due``), remove resume files left by
    applications that never committed, and send interviewers their
    scorecard links and reminders when due."""
    links, reminders = sweep_scorecards(jobs)
    waiting = events.waiting()
    now = utcnow()
    pending = db.session.scalars(
        select(Application.id)
        .where(Application.resume_text_status == ResumeTextStatus.PENDING.value,
               Application.applied_at < now - RESUME_LOST_AFTER)
        .order_by(Application.id)
        .limit(100)
    ).all()
    db.session.commit()
    deliveries = webhooks.due()
    queued = [event_id for event_id in waiting if jobs.enqueue("deliver_event", event_id)]
    events.mark(queued, queued_at=now)
    for application_id in pending:
        jobs.enqueue("read_resume", application_id)
    for delivery_id in deliveries:
        jobs.enqueue("deliver_webhook", delivery_id)
    swept = Swept(len(queued), len(pending), len(deliveries), remove_orphan_resumes(), links, reminders)
    # Messages to candidates whose time has come (each claimed when sent).
    due = messages.due(now)
    db.session.commit()
    for message_id in due:
        jobs.enqueue("send_message", message_id)
    if due:
        log.info("sweep: %d messages to candidates handed to the queue", len(due))
    if swept != Swept(0, 0, 0, 0):
        log.info("sweep: %d events, %d resumes and %d webhook deliveries handed to the queue, "
                 "%d orphan resume files removed, %d scorecard links and %d reminders sent",
                 *astuple(swept))
    return swept


def purge_expired() -> int:
    """Daily, in the worker: erase the candidates whose applications all
    closed more than ATS_RETENTION_MONTHS ago (``ats purge`` without a worker)."""
    months = current_app.config["ATS_RETENTION_MONTHS"]
    return len(purge(retention_cutoff(utcnow().date(), months)).erased)
