"""Background jobs, on Huey (https://huey.readthedocs.io) over Redis.

With ``ATS_QUEUE_URL`` (``redis://…``) a job is a message in Redis, run by
``flask --app wsgi ats worker`` processes on any machine, retried with
growing delays when it fails, and listed for admins (``/admin/jobs``,
``job_failures``) when its last try fails. The worker also runs the
periodic sweep (``tasks.sweep``), which hands over what the web processes
committed but could not queue (Redis down): nothing waits in a web
process's memory.

Without it (``make run``, the tests) the same jobs run in the process that
asked for them, right after the request's commit, with no worker and no
retries: a job that fails is listed for admins at once, who can run it again.
Under ``make run`` the embedded clock (``clock``) runs the sweep every minute
in the web process; otherwise ``flask ats sweep`` from cron does.

Why Huey: it needs only Redis (which the rate limits use already) and
redis-py, its consumer brings retries with back-off and periodic tasks (the
sweep, later the retention purge) without a second scheduler process, and
its immediate mode runs the very same task functions in-process, so the
embedded mode is not a second implementation. RQ needs a separate cron
process for periodic jobs and cannot run a job without a Redis connection;
Dramatiq binds actors to one global broker at import time.
"""
import logging

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, crontab
from huey.exceptions import TaskLockedException
from redis import ConnectionPool
from redis.exceptions import RedisError

from .. import events, webhooks
from ..extensions import db
from ..models import EventType, utcnow
from . import clock, failures, tasks

log = logging.getLogger(__name__)

EXTENSION = "ats.jobs"


class JobFailed(Exception):
    """What a job raised, said safely (``failures.describe``): this is what
    Huey logs and what admins read."""


class Jobs:
    """The app's queue: Huey in Redis, or in-process (``in_process``)."""

    def __init__(self, app: Flask):
        self.app = app
        url = app.config["ATS_QUEUE_URL"]
        self.in_process = not url
        if self.in_process:
            self.huey = MemoryHuey("ats", immediate=True, results=False, utc=True)
        else:
            # Short timeouts: a web request that queues a job while Redis is
            # away waits 2 s at most, then leaves the job to the sweep.
            pool = ConnectionPool.from_url(url, socket_timeout=5, socket_connect_timeout=2)
            self.huey = RedisHuey(app.config["ATS_QUEUE_NAME"], connection_pool=pool, results=False, utc=True)
        self.tasks = {job.name: self._task(job) for job in tasks.JOBS}
        self.huey.post_execute()(self._after_try)
        if not self.in_process:
            self.huey.periodic_task(crontab(minute="*"), name="sweep")(self._run_sweep)
            # The retention period, kept daily (at 03:30 UTC, a quiet hour).
            self.huey.periodic_task(crontab(hour="3", minute="30"), name="purge")(self._run_purge)

    def _task(self, job: tasks.Job):
        app = self.app

        def run(*args):
            with app.app_context():
                try:
                    return job.run(*args)
                except Exception as error:
                    description = failures.describe(error)
                    log.warning("job %s %s failed: %s", job.name, failures.args_text(args), description)
                    raise JobFailed(description) from None

        # In-process there is no consumer to run a retry later.
        retries = 0 if self.in_process else job.retries
        return self.huey.task(retries=retries, retry_delay=job.retry_delay, retry_backoff=2 if retries else 0,
                              name=job.name)(run)

    def _after_try(self, task, value, exception) -> None:
        """Huey's post-execute hook: a job's last failed try is recorded for
        admins, and the job's own ``gave_up`` runs."""
        job = tasks.BY_NAME.get(task.name)
        if job is None or exception is None or task.retries:
            return
        with self.app.app_context():
            failures.record(job.name, task.args, str(exception), tries=1 if self.in_process else job.retries + 1)
            if job.gave_up is not None:
                job.gave_up(*task.args)

    def _run_sweep(self) -> None:
        try:
            with self.huey.lock_task("sweep"):
                with self.app.app_context():
                    tasks.sweep(self)
        except TaskLockedException:
            log.info("sweep skipped: another worker is sweeping")

    def _run_purge(self) -> None:
        try:
            with self.huey.lock_task("purge"):
                with self.app.app_context():
                    tasks.purge_expired()
        except TaskLockedException:
            log.info("purge skipped: another worker is purging")

    def enqueue(self, name: str, *args) -> bool:
        """Queue one job (in-process: run it now). False, and a log line, when
        the queue cannot be reached: what the job was for stays in the
        database, where the worker's sweep finds it."""
        try:
            self.tasks[name](*args)
        except RedisError as error:
            log.warning("queue unreachable (%s): job %s %s left to the sweep",
                        type(error).__name__, name, failures.args_text(args))
            return False
        return True

    def schedule(self, name: str, delay, *args) -> bool:
        """Queue one job to run after ``delay`` (a timedelta); False when the
        queue cannot be reached (the sweep finds it once due)."""
        try:
            self.tasks[name].schedule(args=args, delay=delay.total_seconds())
        except RedisError as error:
            log.warning("queue unreachable (%s): job %s %s left to the sweep",
                        type(error).__name__, name, failures.args_text(args))
            return False
        return True

    def counts(self) -> dict[str, int]:
        """Jobs waiting in the queue and scheduled for a retry (0 in-process)."""
        if self.in_process:
            return {"queued": 0, "scheduled": 0}
        return {"queued": self.huey.pending_count(), "scheduled": self.huey.scheduled_count()}

    def health(self) -> str:
        """``in-process``, or whether Redis answers: ``ok`` or ``unreachable``."""
        if self.in_process:
            return "in-process"
        try:
            self.huey.storage.conn.ping()
        except RedisError:
            return "unreachable"
        return "ok"

    def worker(self, workers: int):
        """Huey's consumer for ``ats worker``: ``workers`` threads."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True)


def queue() -> Jobs:
    return current_app.extensions[EXTENSION]


def hand_over(committed: list[events.Committed]) -> None:
    """Queue the jobs for events a request has just committed (mail, resume
    reading, webhook deliveries); events that call for no mail are marked
    delivered at once."""
    jobs = queue()
    deliver = set(events.needing_delivery(committed))
    events.mark([event.id for event in committed if event.id not in deliver], dispatched_at=utcnow())
    queued = [event_id for event_id in sorted(deliver) if jobs.enqueue("deliver_event", event_id)]
    for event in committed:
        if event.type == EventType.APPLICATION_CREATED and event.data.get("resume"):
            jobs.enqueue("read_resume", event.application_id)
    if not jobs.in_process:
        events.mark(queued, queued_at=utcnow())
    for delivery_id in webhooks.pending_for_events([event.id for event in committed]):
        jobs.enqueue("deliver_webhook", delivery_id)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Jobs(app)
    clock.init_app(app, app.extensions[EXTENSION].in_process)

    @app.after_request
    def hand_over_committed(response):
        # Most requests (pages, static files, /healthz) committed no event;
        # those that used no session at all are not made to open one.
        if db.session.registry.has():
            committed = events.take_committed(db.session)
            if committed:
                db.session.commit()  # what the request still holds open, it only read
                hand_over(committed)
        return response
