"""The role board and the application page under many applications: latency
(p50, p95, p99) and SQL queries per page.

    .venv/bin/python bench/board.py [--applications 50000] [--requests 200]
                                    [--database-url postgresql+psycopg://…/ats_bench] [--explain]
                                    [--keep | --reuse URL]

Seeds a fresh database with ``flask --app wsgi ats demo --applications N --role
healthcare-ai-engineer`` (a SQLite file in a temporary folder, or the
PostgreSQL database --database-url names, whose name must contain "bench":
it is emptied first and again at the end), signs a recruiter in through
Flask's test client and times requests in-process, one after another.
Prints numbers; asserts nothing. Targets (issue 4): board first page
p95 <= 50 ms, application page p50 <= 15 ms, <= 10 queries per page; and
(issue 16) how many of the application page's queries its evidence section
makes.
Besides wall-clock times it prints the CPU time this process spent per
request (on SQLite that is nearly all the work), which other work on a
shared machine inflates far less.
"""
import argparse
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import EMAIL, PASSWORD, ROLE, Database, drop_scratch, fresh_database, machine, percentile, seed
from sqlalchemy import event, func, select  # noqa: E402

from ats import create_app  # noqa: E402
from ats.extensions import db  # noqa: E402
from ats.models import Application, Stage  # noqa: E402
from ats.queries.board import BoardQuery, load_board  # noqa: E402
from config import Config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL database to use (its name must contain 'bench')")
    parser.add_argument("--explain", action="store_true", help="print the board's query plans")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database behind")
    parser.add_argument("--reuse", metavar="URL", help="measure a database an earlier --keep left, without seeding "
                        "(1,000,000 applications take minutes to make); it is left as it is")
    args = parser.parse_args()

    if args.reuse:
        database = Database(args.reuse, Path(tempfile.mkdtemp(prefix="ats-bench-")))
    else:
        database = seed(fresh_database(args.database_url), args.applications)

    class Bench(Config):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = database.url
        ATS_PUBLIC_URL = "http://localhost"  # the test client's host
        ATS_UPLOAD_DIR = str(database.workdir / "uploads")
        ATS_MAIL_OUTBOX = str(database.workdir / "outbox")

    app = create_app(Bench)
    with app.app_context():
        engine = db.engine
        # An application well inside the data, far enough along to have skill annotations.
        interview = select(Application.id).where(Application.stage == Stage.INTERVIEW).order_by(Application.id)
        application_id = db.session.scalar(interview.offset(1000).limit(1)) or db.session.scalar(interview.limit(1))
        email = db.session.scalar(select(Application.email).where(Application.id == application_id))
        total = db.session.scalar(select(func.count(Application.id)))
        if args.explain:
            explain(engine)
        db.session.remove()

    queries: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: queries.append(statement))
    client = app.test_client()
    login_form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_form).group(1)
    signed_in = client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.status_code

    print(f"database: {engine.url.render_as_string(hide_password=True)} ({database.kind}), "
          f"{total} applications in one role")
    print(f"machine: {machine()}")
    pages = [
        ("board, first page", f"/pipeline/{ROLE}", args.requests),
        ("board, page 40 of Applied", f"/pipeline/{ROLE}?stage=applied&page=40", args.requests),
        ("board, search ?q=lovelace (ASCII)", f"/pipeline/{ROLE}?q=lovelace", max(10, args.requests // 10)),
        ("board, search ?q=zoë (not ASCII)", f"/pipeline/{ROLE}?q=zo%C3%AB", max(10, args.requests // 10)),
        ("board, search ?q=<one e-mail address>", f"/pipeline/{ROLE}?q={email}", max(10, args.requests // 10)),
        ("application page", f"/pipeline/applications/{application_id}", args.requests),
    ]
    for label, path, count in pages:
        response = client.get(path)
        if response.status_code != 200:
            print(f"GET {path} ({label}): HTTP {response.status_code}, not measured")
            continue
        for _ in range(5):
            client.get(path)  # warm up
        timings, cpu, per_request = [], [], []
        for _ in range(count):
            queries.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            per_request.append(sum(1 for q in queries if not q.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))))
            assert response.status_code == 200
        print(
            f"{label}: GET {path}: p50 {percentile(timings, .5):.1f} ms, p95 {percentile(timings, .95):.1f} ms, "
            f"p99 {percentile(timings, .99):.1f} ms over {count} requests (this process's CPU: p50 "
            f"{percentile(cpu, .5):.1f} ms); "
            f"{max(per_request)} SQL queries; {len(response.data) / 1024:.0f} KiB"
        )
    evidence_queries(app, engine, application_id)
    if args.reuse:
        shutil.rmtree(database.workdir)  # this run's uploads and outbox; the database stays
    elif args.keep:
        print(f"kept: {database.url}")
    else:
        drop_scratch(database)


def evidence_queries(app, engine, application_id: int) -> None:
    """The application page's evidence section (issue 16) on its own: its
    queries, given the interviews and annotations the page has already read."""
    from ats.queries.application_page import load_application
    from ats.queries.interviews import for_application
    from ats.queries.scorecards import load_evidence

    with app.app_context():
        application = load_application(application_id)
        held = for_application(application_id)
        statements: list[str] = []
        record = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
        event.listen(engine, "before_cursor_execute", record)
        try:
            evidence = load_evidence(application, annotations={}, interviews=held)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        db.session.remove()
    print(f"evidence section of that application page: {len(statements)} SQL queries of the page's "
          f"({len(held)} interviews, {len(evidence.cards)} submitted scorecards; none when no interview counts)")


def explain(engine) -> None:
    """The board's own statements, with the database's plan for each."""
    statements = []

    def record(conn, cursor, statement, parameters, *rest):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    for query in (BoardQuery(), BoardQuery(q="lovelace")):
        statements.clear()
        load_board(ROLE, query)
        for statement, parameters in statements:
            if "FROM applications" not in statement:
                continue
            cursor = db.session.connection().connection.driver_connection.cursor()
            if engine.dialect.name == "sqlite":
                plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
            else:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"-- {statement.split(chr(10))[0][:100]}…  ({'?q=' + query.q if query.q else 'first page'})")
            for line in plan:
                print(f"   {line}")
    event.remove(engine, "before_cursor_execute", record)
    db.session.rollback()


if __name__ == "__main__":
    sys.exit(main())
