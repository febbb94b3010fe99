"""Background jobs on a real Redis queue (Huey): what a request commits is
queued, not done in the request; a worker sends each event's mail once,
retries a failed one later, and lists it for admins when it gives up; the
sweep hands over what could not be queued. Each test has a queue name of its
own, so the SQLite and PostgreSQL suites can share one Redis."""
import io
import os
import secrets
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
from sqlalchemy import select, update

from ats.jobs import EXTENSION, Jobs, tasks
from ats.models import Application, Event, EventType, JobFailure, ResumeTextStatus
from ats.queries.jobs import MAIL_LABELS, open_failures
from tests.files import pdf_bytes
from tests.fixtures import IN_CI, ROOT
from tests.test_apply import APPLY_URL, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def need_redis() -> None:
    """Skip without Redis at REDIS_URL, except in CI, where it must be there."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture
def queued(app, monkeypatch):
    """The app's jobs on a Redis queue of this test's own, with no worker:
    the test runs what is queued (``run_queued``), as a worker would."""
    need_redis()
    monkeypatch.setitem(app.config, "ATS_QUEUE_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "ATS_QUEUE_NAME", f"test-{secrets.token_hex(6)}")
    jobs = Jobs(app)
    monkeypatch.setitem(app.extensions, EXTENSION, jobs)
    yield jobs
    jobs.huey.storage.flush_all()


def run_queued(jobs, after=timedelta(0)) -> list[str]:
    """Run every job queued, and every retry due within ``after``; the names run."""
    ran = []
    due = datetime.now(timezone.utc).replace(tzinfo=None) + after
    for task in jobs.huey.read_schedule(due):
        jobs.huey.enqueue(task)
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task, timestamp=due)
        ran.append(task.name)
    return ran


def apply(client, csrf, **fields):
    response = client.post(APPLY_URL, data=form(csrf(), **fields), content_type="multipart/form-data")
    assert response.status_code == 303
    return response


def events_of(db_session):
    db_session.expire_all()
    return db_session.scalars(select(Event).order_by(Event.id)).all()


def test_applying_queues_the_mail_and_the_resume_and_the_worker_does_them(client, csrf, outbox, db_session, queued):
    apply(client, csrf, resume=(io.BytesIO(pdf_bytes("Python and FHIR interoperability")), "cv.pdf"))
    [event] = events_of(db_session)
    assert event.type == EventType.APPLICATION_CREATED
    assert event.queued_at is not None and event.dispatched_at is None
    application = db_session.scalars(select(Application)).one()
    assert application.resume_text_status == ResumeTextStatus.PENDING.value
    assert outbox() == []  # nothing was sent by the request itself

    assert sorted(run_queued(queued)) == ["deliver_event", "read_resume"]
    [message] = outbox()
    assert message["Subject"] == "We received your application for Healthcare AI Engineer"
    assert message["Message-ID"].startswith(f"<ats-event-{event.id}-")
    db_session.expire_all()
    assert "FHIR interoperability" in db_session.get(Application, application.id).resume_text
    assert events_of(db_session)[0].dispatched_at is not None
    assert run_queued(queued) == []


def test_the_same_event_queued_twice_is_mailed_once(client, csrf, outbox, db_session, queued):
    apply(client, csrf)
    [event] = events_of(db_session)
    queued.enqueue("deliver_event", event.id)  # as a sweep racing the first job would
    assert run_queued(queued).count("deliver_event") == 2
    assert len(outbox()) == 1


def test_a_refused_mail_is_retried_later_and_sent_once(app, client, csrf, outbox, db_session, queued, monkeypatch):
    apply(client, csrf)
    # A mail server that is down: nothing listens on port 1.
    for key, value in {"ATS_MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
                       "MAIL_USE_TLS": False}.items():
        monkeypatch.setitem(app.config, key, value)
    assert run_queued(queued) == ["deliver_event"]  # no resume: nothing to read
    [event] = events_of(db_session)
    assert event.dispatched_at is None and event.claimed_until is None and event.failed_at is None
    assert queued.counts() == {"queued": 0, "scheduled": 1}
    assert run_queued(queued, after=timedelta(seconds=10)) == []  # the first retry waits 30 s

    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "outbox")
    assert run_queued(queued, after=timedelta(seconds=31)) == ["deliver_event"]
    assert len(outbox()) == 1
    assert events_of(db_session)[0].dispatched_at is not None
    assert db_session.scalars(select(JobFailure)).all() == []


def test_a_job_that_gives_up_is_listed_for_admins_and_left_by_the_sweep(
    app, client, csrf, outbox, db_session, queued, monkeypatch
):
    apply(client, csrf)
    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    retries = tasks.BY_NAME["deliver_event"].retries
    run_queued(queued)
    for _ in range(retries):
        assert run_queued(queued, after=timedelta(days=1)) == ["deliver_event"]
    assert queued.counts() == {"queued": 0, "scheduled": 0}
    failure = db_session.scalars(select(JobFailure)).one()
    [event] = events_of(db_session)
    assert (failure.task, failure.args, failure.tries) == ("deliver_event", f"[{event.id}]", retries + 1)
    assert failure.error == "the mail could not be sent (ConnectionRefusedError)"
    assert event.failed_at is not None and event.dispatched_at is None
    db_session.execute(update(Event).values(queued_at=datetime.now(timezone.utc) - timedelta(days=1)))
    with app.app_context():
        tasks.sweep(queued)
    assert run_queued(queued) == []


def test_with_redis_down_applying_works_and_the_sweep_queues_it_later(
    app, client, csrf, outbox, db_session, queued, monkeypatch, caplog
):
    down = Jobs.__new__(Jobs)
    monkeypatch.setitem(app.config, "ATS_QUEUE_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    down.__init__(app)
    monkeypatch.setitem(app.extensions, EXTENSION, down)
    apply(client, csrf, resume=(io.BytesIO(pdf_bytes("Kubernetes")), "cv.pdf"))
    assert "queue unreachable (ConnectionError): job deliver_event" in caplog.text
    [event] = events_of(db_session)
    assert event.queued_at is None and event.dispatched_at is None
    application = db_session.scalars(select(Application)).one()

    # Redis is back; the sweep finds what waited long enough.
    monkeypatch.setitem(app.extensions, EXTENSION, queued)
    with app.app_context():
        tasks.sweep(queued)
    assert run_queued(queued) == []  # a minute has not passed: the request may still queue it itself
    db_session.execute(update(Event).values(created_at=datetime.now(timezone.utc) - timedelta(minutes=2)))
    db_session.execute(update(Application).values(applied_at=datetime.now(timezone.utc) - timedelta(minutes=11)))
    with app.app_context():
        tasks.sweep(queued)
    assert sorted(run_queued(queued)) == ["deliver_event", "read_resume"]
    assert len(outbox()) == 1
    db_session.expire_all()
    assert db_session.get(Application, application.id).resume_text_status == ResumeTextStatus.READ.value


def test_the_sweep_queues_again_a_job_lost_with_its_worker_but_not_a_claimed_one(
    app, client, csrf, outbox, db_session, queued
):
    apply(client, csrf)
    queued.huey.flush()  # the worker that took the job was killed
    long_ago = datetime.now(timezone.utc) - timedelta(hours=4)
    db_session.execute(update(Event).values(created_at=long_ago, queued_at=long_ago,
                                            claimed_until=datetime.now(timezone.utc) + timedelta(minutes=3)))
    with app.app_context():
        tasks.sweep(queued)
    assert run_queued(queued) == []  # another job holds it
    db_session.execute(update(Event).values(claimed_until=datetime.now(timezone.utc) - timedelta(minutes=1)))
    with app.app_context():
        tasks.sweep(queued)
    assert run_queued(queued) == ["deliver_event"]
    assert len(outbox()) == 1


def test_the_worker_command_needs_a_queue(app):
    result = app.test_cli_runner().invoke(args=["ats", "worker"])
    assert result.exit_code == 1
    assert "ATS_QUEUE_URL is not set" in result.output


def test_the_worker_process_sends_the_mail_and_stops_on_sigterm(app, client, csrf, outbox, queued, tmp_path):
    """`flask --app wsgi ats worker`, started for real, on the suite's database."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ATS_", "DATABASE_URL"))},
        "ATS_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "ATS_PUBLIC_URL": "http://localhost",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ATS_QUEUE_URL": REDIS_URL,
        "ATS_QUEUE_NAME": app.config["ATS_QUEUE_NAME"], "ATS_MAIL_BACKEND": "outbox",
        "ATS_MAIL_OUTBOX": app.config["ATS_MAIL_OUTBOX"], "ATS_UPLOAD_DIR": app.config["ATS_UPLOAD_DIR"],
    }
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "ats", "worker",
                                   "--threads", "2"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        apply(client, csrf)
        for _ in range(200):
            if outbox():
                break
            time.sleep(0.1)
        assert [m["Subject"] for m in outbox()] == ["We received your application for Healthcare AI Engineer"], \
            log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    assert "worker: 2 threads, queue redis://127.0.0.1:6379/15" in log.read_text()


def test_admins_see_a_failed_job_and_run_it_again(app, client, csrf, outbox, db_session, auth, admin, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    apply(client, csrf)  # in-process: one try, listed at once
    application = db_session.scalars(select(Application)).one()
    failure = db_session.scalars(select(JobFailure)).one()
    auth.login(admin)
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Mail to a candidate: application received" in text
    assert "the mail could not be sent (ConnectionRefusedError)" in text
    assert f'href="/pipeline/applications/{application.id}">application #{application.id}</a>' in text
    assert "ada@example.org" not in text

    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "outbox")
    response = client.post(f"/admin/jobs/{failure.id}/run-again", data={"csrf_token": auth.token("/admin/jobs")})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/jobs"
    assert len(outbox()) == 1
    db_session.expire_all()
    failure = db_session.get(JobFailure, failure.id)
    assert failure.resolved_at is not None and failure.resolved_by_id == admin.id
    assert events_of(db_session)[0].dispatched_at is not None
    assert "None: every job" in client.get("/admin/jobs").get_data(as_text=True)
    # Twice is harmless: nothing is sent again.
    again = client.post(f"/admin/jobs/{failure.id}/run-again", data={"csrf_token": auth.token("/admin/jobs")})
    assert again.status_code == 303 and len(outbox()) == 1
    assert "already run again" in client.get("/admin/jobs").get_data(as_text=True)
    assert client.post("/admin/jobs/99999999/run-again", data={"csrf_token": auth.token("/admin/jobs")}).status_code == 404


def test_metrics_count_jobs_queued_and_given_up(client, csrf, db_session, queued):
    from tests.test_observability import metrics_of

    apply(client, csrf)
    db_session.add(JobFailure(task="read_resume", args="[1]", error="OSError", tries=4))
    db_session.flush()
    jobs = {s.labels["state"]: s.value for s in metrics_of(client)["ats_jobs"].samples}
    assert jobs == {"queued": 1, "scheduled": 0, "failed": 1}  # its mail; no resume to read


def test_a_failed_mail_is_listed_by_what_it_was_sending(app, db_session):
    staff_mail = Event(type=EventType.STAFF_INVITED, data={})
    interviewer_mail = Event(type=EventType.SCORECARD_REMINDED, data={})
    db_session.add_all([staff_mail, interviewer_mail])
    db_session.flush()
    for event in (staff_mail, interviewer_mail):
        db_session.add(JobFailure(task="deliver_event", args=f"[{event.id}]", error="refused", tries=9))
    db_session.add(JobFailure(task="read_resume", args="[1]", error="gone", tries=4))
    db_session.commit()
    with app.app_context():
        listed = sorted((failure.task, failure.what) for failure in open_failures())
    assert listed == [("deliver_event", "Mail to a staff member: invitation"),
                      ("deliver_event", "Mail to an interviewer: scorecard reminder"),
                      ("read_resume", None)]  # its own label says it
    # Every kind of event the service records has its words.
    assert set(MAIL_LABELS) == set(EventType)
