"""The production path, end to end, as the contract's "Production" section
runs it: gunicorn with 3 workers on PostgreSQL, Redis for the limits and
the job queue, a job worker, and resumes in an S3 bucket (moto's server on
loopback). A candidate applies with a resume; the worker mails them and reads
the resume; a recruiter moves the application; a manager exports the CSV."""
import csv
import io
import re
import secrets

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ats.models import Access, Application, ResumeTextStatus
from tests.files import pdf_bytes
from tests.fixtures.staff import STAFF_PASSWORD
from tests.fixtures.storage import BUCKET, Bucket
from tests.served import Client, eventually, free_port, gunicorn, production_env, worker
from tests.test_jobs import REDIS_URL, need_redis

ROLE = "/roles/healthcare-ai-engineer"


@pytest.fixture
def production(app, seeded, s3_server, tmp_path):
    """The environment of the web and worker processes: PostgreSQL (the
    suite's database), Redis, the S3 server."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("the production path runs on PostgreSQL (TEST_DATABASE_URL)")
    need_redis()
    prefix = f"production/{secrets.token_hex(6)}"
    env = production_env(
        tmp_path, url.render_as_string(hide_password=False), free_port(), WEB_CONCURRENCY=3,
        RATELIMIT_STORAGE_URI=REDIS_URL, ATS_QUEUE_URL=REDIS_URL, ATS_QUEUE_NAME=f"test-{secrets.token_hex(6)}",
        # Counters of their own: an earlier run's, in the same Redis, would count here too.
        RATELIMIT_KEY_PREFIX=f"test-{secrets.token_hex(6)}-",
        ATS_STORAGE_URL=f"s3://{BUCKET}/{prefix}", AWS_ENDPOINT_URL=s3_server, AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
    )
    yield env, Bucket(prefix + "/")
    redis.Redis.from_url(REDIS_URL).delete(*[f"huey.redis.{env['ATS_QUEUE_NAME']}", f"huey.schedule.{env['ATS_QUEUE_NAME']}"])


def test_apply_move_and_export_on_the_production_path(production, create_staff, db_session, tmp_path):
    env, bucket = production
    recruiter = create_staff(Access.RECRUITER)
    manager = create_staff(Access.MANAGER)
    resume = pdf_bytes("Clinical NLP with FHIR resources")
    outbox = tmp_path / "outbox"
    with worker(env, tmp_path / "worker.log") as job_worker, gunicorn(env, tmp_path / "gunicorn.log") as (base, _):
        candidate = Client(base)
        status, headers, _ = candidate.post(f"{ROLE}/apply", {
            "full_name": "Ada Lovelace", "email": "ada@example.org", "profile": "Clinical NLP.", "consent": "y",
        }, token_from=ROLE, files={"resume": ("Ada CV.pdf", resume)})
        assert status == 303 and headers["Location"].startswith("/applications/")
        [name] = bucket.names()
        assert bucket.read(name) == resume

        # The worker, not the web process, mails the candidate and reads the resume.
        eventually(lambda: list(outbox.glob("*.eml")), message=(tmp_path / "worker.log").read_text())

        def text_read():
            db_session.expire_all()
            application = db_session.scalars(select(Application)).one()
            return application if application.resume_text_status == ResumeTextStatus.READ.value else None

        application = eventually(text_read, message=(tmp_path / "worker.log").read_text())
        assert "Clinical NLP with FHIR resources" in application.resume_text

        staff = Client(base)
        staff.sign_in(recruiter.email, STAFF_PASSWORD)
        page = f"/pipeline/applications/{application.id}"
        status, _, body = staff.get(page)
        assert status == 200
        version = re.search(r'id="stage-version"[^>]*value="(\d+)"|value="(\d+)"[^>]*id="stage-version"', body.decode())
        status, headers, _ = staff.post(f"{page}/stage", {
            "stage": "screening", "reason": "Strong NLP profile", "version": version.group(1) or version.group(2),
        }, token_from=page)
        assert status == 303
        status, _, downloaded = staff.get(f"{page}/resume")
        assert status == 200 and downloaded == resume

        reports = Client(base)
        reports.sign_in(manager.email, STAFF_PASSWORD)
        status, headers, body = reports.get("/reports/pipeline.csv?role=healthcare-ai-engineer")
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        [row] = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert row["stage"] == "screening" and row["email"] == "ada@example.org"
        assert job_worker.poll() is None  # still running
    assert "ada@example.org" not in (tmp_path / "gunicorn.log").read_text() + (tmp_path / "worker.log").read_text()
