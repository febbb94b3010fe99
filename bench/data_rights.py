"""Data rights and the audit trail (issue 14): the retention purge, one
candidate's erasure, and the audit trail page at a million entries.

    .venv/bin/python bench/data_rights.py [--applications 50000] [--audit-rows 1000000] [--due-every 4]
                                          [--requests 50] [--database-url postgresql+psycopg://…/ats_bench]
                                          [--explain] [--keep]

Seeds a fresh database with ``flask ats demo`` (bench/common.py: a SQLite
file in a temporary folder, or a PostgreSQL database whose name contains
"bench", emptied first and at the end), then:

- a few dozen staff accounts and ``--audit-rows`` audit entries by them over
  the last year, oldest first (stage moves, notes, skill matches, resume
  downloads, CSV exports), written through the driver in batches;
- one candidate given five applications (one open), to erase;
- every ``--due-every``-th closed application closed three years ago, so
  its candidate is past the retention period.

Then it times, as operators run them (``flask --app wsgi ats …`` in a child
process; wall time, CPU and peak memory from ``os.wait4``): ``ats purge
--dry-run``, ``ats purge``, ``ats erase-candidate EMAIL --yes``, against the
CLI's start-up (``ats --help``). And over HTTP, gunicorn with 2 sync workers
as in bench/over_http.py, an admin signed in through the real form: p50 /
p95 of ``/admin/audit`` (first page, an "Older" page reached by following
the link, a page 300 days back, filters by person, kind, dates and all
three), each beside a bare Flask "hello" (bench/hello.py) measured in the
same run; the SQL statements each page runs, counted in-process through
Flask's test client. Prints numbers; asserts nothing.
"""
import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from html import unescape

from common import PASSWORD, ROLE, ROOT, Database, drop_scratch, flask, fresh_database, machine, new_secret, \
    percentile, seed
from serving import USER_AGENT, Server, request, sign_in
from sqlalchemy import event, func, select, text, update

from ats import create_app  # noqa: E402
from ats.extensions import db  # noqa: E402
from ats.models import CLOSED_STAGES, Application, AuditEvent, Candidate, Stage, UTCDateTime  # noqa: E402
from ats.operations.staff import save_staff_user  # noqa: E402
from config import Config  # noqa: E402

ADMIN = "bench.admin@staff.example"
STAFF = [("recruiter", 30), ("manager", 6)]
# What staff do all day, with weights; each entry's detail as the operations write it.
ACTIONS = [("stage.move", 40), ("note.add", 20), ("skills.annotate", 20), ("resume.download", 16),
           ("pipeline.export", 4)]
MOVES = [("applied", "screening"), ("screening", "interview"), ("interview", "offer"), ("screening", "rejected"),
         ("interview", "rejected"), ("offer", "hired")]
SKILLS = ["clinical-nlp", "medical-image-analysis", "ehr-fhir-hl7-integration", "uncertainty-calibration"]
LEVELS = ["none", "partial", "strong"]
BATCH = 20_000
COPY_AUDIT = "COPY audit_events (action, actor_id, application_id, detail, created_at) FROM STDIN"
INSERT_AUDIT = "INSERT INTO audit_events (action, actor_id, application_id, detail, created_at) VALUES (?, ?, ?, ?, ?)"


def detail(action: str, rng: random.Random) -> dict:
    if action == "stage.move":
        before, after = rng.choice(MOVES)
        reason = "Not enough imaging experience" if after == "rejected" and rng.random() < .5 else ""
        return {"from": before, "to": after, "reason": reason}
    if action == "note.add":
        return {"note_id": rng.randrange(1, 10**6), "length": rng.randrange(20, 800)}
    if action == "skills.annotate":
        return {"skills": {slug: {"before": rng.choice(LEVELS), "after": rng.choice(LEVELS)}
                           for slug in rng.sample(SKILLS, rng.randrange(1, 3))}}
    if action == "pipeline.export":
        return {"filters": {"role": ROLE}, "deidentified": rng.random() < .3}
    return {}


def write_audit(rows: int, staff_ids: list[int], first_app: int, last_app: int, now: datetime) -> float:
    """``rows`` audit entries spread over the year before ``now``, oldest
    first (ids follow time, as they do when the service writes them)."""
    rng = random.Random(14)  # nosec B311: synthetic data
    connection = db.session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    stamp = UTCDateTime().dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
    actions, weights = zip(*ACTIONS)
    # A few busy people and many occasional ones, as on a real team.
    people_weights = [1 / (rank + 1) ** .7 for rank in range(len(staff_ids))]
    start = now - timedelta(days=365)
    step = timedelta(days=365) / rows
    started = time.perf_counter()
    batch = []

    def flush():
        if dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(COPY_AUDIT) as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            driver.executemany(INSERT_AUDIT, batch)
        batch.clear()

    for index in range(rows):
        action = rng.choices(actions, weights)[0]
        actor = rng.choices(staff_ids, people_weights)[0]
        application = None if action == "pipeline.export" else rng.randint(first_app, last_app)
        batch.append((action, actor, application, json.dumps(detail(action, rng)), stamp(start + step * index)))
        if len(batch) == BATCH:
            flush()
    flush()
    db.session.commit()
    return time.perf_counter() - started


def prepare(database: Database, args) -> dict:
    """Staff, audit entries, the candidate to erase and those due; returns what the measurements need."""
    class Bench(Config):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = database.url
        ATS_PUBLIC_URL = "http://localhost"  # the test client's host
        ATS_UPLOAD_DIR = str(database.workdir / "uploads")
        ATS_MAIL_OUTBOX = str(database.workdir / "outbox")
        ATS_REQUEST_LOG = False  # the in-process pages are counted, not logged

    app = create_app(Bench)
    facts = {"app": app}
    with app.app_context():
        staff_ids = []
        for access, count in STAFF:
            for number in range(count):
                saved = save_staff_user(f"bench.{access}.{number}@staff.example", f"Bench {access.title()} {number}",
                                        access, PASSWORD)
                staff_ids.append(saved.user.id)
        first_app, last_app = db.session.execute(select(func.min(Application.id), func.max(Application.id))).one()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        seconds = write_audit(args.audit_rows, staff_ids, first_app, last_app, now)
        print(f"audit entries: {args.audit_rows:,} written in {seconds:.1f} s")

        # One candidate with five applications: one open (the interview), four closed.
        open_id, candidate_id = db.session.execute(
            select(Application.id, Application.candidate_id).where(Application.stage == Stage.INTERVIEW)
            .order_by(Application.id).limit(1)).one()
        person = db.session.get(Candidate, candidate_id)
        closed = db.session.scalars(
            select(Application.id).where(Application.stage.in_(CLOSED_STAGES), Application.id % args.due_every != 0)
            .order_by(Application.id).limit(4)).all()
        db.session.execute(update(Application).where(Application.id.in_(closed))
                           .values(candidate_id=candidate_id, full_name=person.full_name, email=person.email))
        facts["erase"] = person.email
        facts["erase_audit"] = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.application_id.in_([open_id, *closed])))

        # Every due_every-th closed application closed three years ago.
        long_ago = now - timedelta(days=3 * 365)
        made_due = db.session.execute(
            update(Application).where(Application.stage.in_(CLOSED_STAGES), Application.id % args.due_every == 0)
            .values(stage_entered_at=long_ago, updated_at=long_ago)).rowcount
        facts["closed"] = db.session.scalar(
            select(func.count()).select_from(Application).where(Application.stage.in_(CLOSED_STAGES)))
        facts["made_due"] = made_due
        facts["cutoff"] = (now - timedelta(days=2 * 365)).date().isoformat()
        db.session.commit()
        db.session.remove()

        # Statistics of the new rows, as autovacuum (or demo's ANALYZE) would leave them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if database.kind == "postgresql" else "ANALYZE"))

        # The audit trail's pages.
        deep = db.session.scalar(select(AuditEvent.id).where(AuditEvent.created_at < now - timedelta(days=300))
                                 .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(1))
        busy, quiet = staff_ids[0], staff_ids[-1]
        week = (now - timedelta(days=180)).date()
        span = f"from={week.isoformat()}&to={(week + timedelta(days=6)).isoformat()}"
        facts["pages"] = [
            ("first page", "/admin/audit"),
            ("page 300 days back (?before=)", f"/admin/audit?before={deep}"),
            (f"person, the busiest (?actor={busy})", f"/admin/audit?actor={busy}"),
            (f"person, the least busy (?actor={quiet})", f"/admin/audit?actor={quiet}"),
            ("kind (?action=note.add)", "/admin/audit?action=note.add"),
            ("kind, rare (?action=pipeline.export)", "/admin/audit?action=pipeline.export"),
            ("dates, one week 180 days back", f"/admin/audit?{span}"),
            ("person + kind + week", f"/admin/audit?actor={quiet}&action=resume.download&{span}"),
        ]
        db.session.remove()
        db.engine.dispose()
    return facts


def run_cli(database: Database, *args: str) -> dict:
    """``flask --app wsgi …`` as an operator runs it: wall time, CPU and peak memory of the child."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    env = {**os.environ, "DATABASE_URL": database.url, "ATS_ENV": "development", "SECRET_KEY": new_secret(),
           "PYTHONPATH": str(ROOT), "ATS_UPLOAD_DIR": str(database.workdir / "uploads"),
           "ATS_MAIL_OUTBOX": str(database.workdir / "outbox")}
    started = time.perf_counter()
    child = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                             stdout=out, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0), err.seek(0)
    printed, complained = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{printed[-2000:]}{complained[-2000:]}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "out": printed, "err": complained}


def latency(port: int, path: str, headers: dict, count: int) -> dict:
    """p50 and p95 in ms of ``count`` requests one after another (after 3 to warm up)."""
    timings, size = [], 0
    for attempt in range(count + 3):
        started = time.perf_counter()
        status, answer_headers, body = request(port, "GET", path, headers=headers)
        if attempt >= 3:
            timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            location = dict((k.lower(), v) for k, v in answer_headers).get("location", "")
            sys.exit(f"GET {path} answered {status} {location}: not measured")
        size = len(body)
    return {"p50": percentile(timings, .5), "p95": percentile(timings, .95), "size": size,
            "rows": body.count(b'<tr id="entry-')}


def older_link(body: bytes) -> str | None:
    found = re.search(rb'href="(/admin/audit\?[^"]*before=[^"]*)"', body)
    return unescape(found.group(1).decode()) if found else None


def statements_per_page(app, pages: list[tuple[str, str]], explain: bool) -> dict[str, int]:
    """The SQL statements each page runs, through Flask's test client signed in as the admin."""
    counts = {}
    with app.app_context():
        engine = db.engine
        recorded = []

        def record(conn, cursor, statement, parameters, *rest):
            recorded.append((statement, parameters))

        client = app.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        client.post("/login", data={"csrf_token": token, "email": ADMIN, "password": PASSWORD})
        event.listen(engine, "before_cursor_execute", record)
        for label, path in pages:
            client.get(path)  # warm
            recorded.clear()
            answer = client.get(path)
            counts[label] = sum(1 for statement, _ in recorded
                                if statement.lstrip().upper().startswith(("SELECT", "WITH")))
            if answer.status_code != 200:
                counts[label] = f"answered {answer.status_code}"
            if explain:
                for statement, parameters in recorded:
                    if "FROM audit_events" not in statement or "LIMIT" not in statement:
                        continue
                    raw = engine.raw_connection()
                    cursor = raw.driver_connection.cursor()
                    if engine.dialect.name == "sqlite":
                        plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
                    else:
                        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
                        plan = [row[0] for row in cursor.fetchall()]
                    raw.close()
                    print(f"-- {label}: {' '.join(statement.split())[-160:]}")
                    for line in plan:
                        print(f"   {line}")
        event.remove(engine, "before_cursor_execute", record)
        db.session.remove()
        engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--due-every", type=int, default=4, help="every Nth closed application is made due")
    parser.add_argument("--requests", type=int, default=50, help="each latency measurement")
    parser.add_argument("--database-url", help="PostgreSQL database to use (its name must contain 'bench')")
    parser.add_argument("--explain", action="store_true", help="print the audit page's query plans")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database behind")
    args = parser.parse_args()

    database = seed(fresh_database(args.database_url), args.applications)
    flask(database.url, "ats", "create-user", ADMIN, "--name", "Bench Admin", "--role", "admin", ATS_PASSWORD=PASSWORD)
    print(f"database: {database.kind}, {args.applications:,} applications in one role")
    print(f"machine at the start: {machine()}")
    rows = []  # (what, figure, floor, ratio)
    try:
        facts = prepare(database, args)
        print(f"closed applications: {facts['closed']:,}; made due (closed three years ago): {facts['made_due']:,}")

        # The floor of every command: the median of three start-ups.
        start_up = sorted((run_cli(database, "ats", "--help") for _ in range(3)), key=lambda run: run["seconds"])[1]
        rows.append(("CLI start-up (`ats --help`, median of 3)",
                     f"{start_up['seconds']:.2f} s, peak {start_up['peak_mb']:.0f} MB", "", ""))
        dry = run_cli(database, "ats", "purge", "--closed-before", facts["cutoff"], "--dry-run")
        listed = len(dry["out"].splitlines())
        rows.append((f"purge --dry-run, {listed:,} listed", f"{dry['seconds']:.2f} s (CPU {dry['cpu']:.2f} s), "
                     f"peak {dry['peak_mb']:.0f} MB", f"start-up {start_up['seconds']:.2f} s", ""))
        real = run_cli(database, "ats", "purge", "--closed-before", facts["cutoff"])
        erased = int(re.match(r"(\d+) candidate", real["out"]).group(1))
        work = real["seconds"] - start_up["seconds"]
        rows.append((f"purge, {erased:,} erased", f"{real['seconds']:.1f} s (CPU {real['cpu']:.1f} s), "
                     f"peak {real['peak_mb']:.0f} MB", f"start-up {start_up['seconds']:.2f} s",
                     f"{erased / work:,.0f} candidates/s ({work / max(erased, 1) * 1000:.1f} ms each)"))
        again = run_cli(database, "ats", "purge", "--closed-before", facts["cutoff"], "--dry-run")
        rows.append(("purge --dry-run again", f"{len(again['out'].splitlines())} listed, {again['seconds']:.2f} s",
                     "", ""))
        one = run_cli(database, "ats", "erase-candidate", facts["erase"], "--yes")
        rows.append((f"erase-candidate, 5 applications, {facts['erase_audit']} audit entries",
                     f"{one['seconds']:.2f} s, peak {one['peak_mb']:.0f} MB ({one['out'].strip()})",
                     f"start-up {start_up['seconds']:.2f} s", ""))

        env = {"DATABASE_URL": database.url, "ATS_ENV": "production", "SECRET_KEY": new_secret(),
               "ATS_UPLOAD_DIR": str(database.workdir / "uploads"), "ATS_MAIL_BACKEND": "outbox",
               "ATS_MAIL_OUTBOX": str(database.workdir / "outbox")}
        with Server("hello:app", {}, "/", chdir=ROOT / "bench") as hello, \
                Server("wsgi:app", env, "/healthz") as service:
            port = service.port
            admin = sign_in(port, ADMIN)
            floor = latency(hello.port, "/", {"User-Agent": USER_AGENT}, args.requests)
            rows.append(("hello, p50 / p95", f"{floor['p50']:.1f} / {floor['p95']:.1f} ms", "", ""))
            pages = list(facts["pages"])
            path = "/admin/audit"
            for _ in range(3):
                _, _, body = request(port, "GET", path, headers=admin)
                path = older_link(body)
                if path is None:
                    sys.exit("the audit trail's first pages have no Older link")
            pages.insert(1, ("the Older link followed 3 times", path))
            counts = statements_per_page(facts["app"], pages, args.explain)
            for label, path in pages:
                measured = latency(port, path, admin, args.requests)
                rows.append((f"audit: {label}", f"{measured['p50']:.1f} / {measured['p95']:.1f} ms, "
                             f"{measured['rows']} rows, {counts.get(label, '—')} SELECTs",
                             f"{floor['p50']:.1f} / {floor['p95']:.1f}",
                             f"{measured['p50'] / floor['p50']:.1f}x / {measured['p95'] / floor['p95']:.1f}x"))
            floor_after = latency(hello.port, "/", {"User-Agent": USER_AGENT}, args.requests)
            rows.append(("hello again, p50 / p95", f"{floor_after['p50']:.1f} / {floor_after['p95']:.1f} ms", "", ""))
    finally:
        if args.keep:
            if database.kind == "postgresql":
                shutil.rmtree(database.workdir, ignore_errors=True)
            print(f"kept: {database.url}")
        else:
            drop_scratch(database)

    print(f"machine at the end: {machine()}")
    width = max(len(row[0]) for row in rows)
    print(f"\n{'what':<{width}} | figure | floor | ratio")
    for what, figure, floor_text, ratio in rows:
        print(f"{what:<{width}} | {figure} | {floor_text} | {ratio}")


if __name__ == "__main__":
    main()
