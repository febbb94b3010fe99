"""Public pages: latency of the catalog and the role page, SQL queries per page,
and how many applications per second the apply endpoint stores.

    .venv/bin/python bench/public.py [--requests 500] [--applications 300] [--database-url URL]

Runs the app in-process (Flask's test client, no network) on a fresh SQLite
file unless --database-url names an empty database. Prints numbers; asserts nothing.
"""
import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from ats import create_app  # noqa: E402
from ats.extensions import db  # noqa: E402
from ats.tools.catalog import load_catalog  # noqa: E402
from config import TestingConfig, database_url  # noqa: E402
from tests.files import pdf_bytes  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ats-bench-"))

    class Bench(TestingConfig):
        TESTING = False
        WTF_CSRF_ENABLED = False
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}")
        ATS_UPLOAD_DIR = str(workdir / "uploads")
        ATS_MAIL_OUTBOX = str(workdir / "outbox")
        ATS_APPLY_LIMIT = "1000000 per hour"

    app = create_app(Bench)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_catalog(ROOT / "catalog")
        engine = db.engine
    queries = []
    event.listen(engine, "before_cursor_execute", lambda *a, **k: queries.append(1))
    client = app.test_client()

    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    for path in ["/", "/roles/healthcare-ai-engineer"]:
        client.get(path)  # warm up
        timings = []
        for _ in range(args.requests):
            queries.clear()
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(
            f"GET {path}: p50 {statistics.median(timings):.2f} ms, p95 {percentile(timings, .95):.2f} ms, "
            f"p99 {percentile(timings, .99):.2f} ms, {len(queries)} SQL queries"
        )

    resume = pdf_bytes()
    start = time.perf_counter()
    for number in range(args.applications):
        response = client.post(
            "/roles/healthcare-ai-engineer/apply",
            data={
                "full_name": f"Bench Candidate {number}",
                "email": f"bench{number}@example.org",
                "profile": "Clinical NLP and survival analysis.",
                "skills": ["clinical-nlp"],
                "consent": "y",
                "resume": (io.BytesIO(resume), "cv.pdf", "application/pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, response.get_data(as_text=True)[response.get_data(as_text=True).find("error-summary"):][:400]
    elapsed = time.perf_counter() - start
    print(f"POST apply (with a PDF, sequential): {args.applications / elapsed:.0f} applications/s, "
          f"{elapsed / args.applications * 1000:.1f} ms each")


if __name__ == "__main__":
    main()
