"""Speed the way users get it (issue 13): everything over HTTP through
gunicorn (the repository's gunicorn.conf.py, 2 sync workers,
ATS_ENV=production), each figure beside a floor measured in the same run.

    .venv/bin/python bench/over_http.py [--applications 50000] [--seconds 10] [--rounds 3] [--requests 100]
                                        [--database-url postgresql+psycopg://…/ats_bench] [--keep]
                                        [--seeded URL]

- throughput (``wrk``, 16 connections, 2 threads): a bare Flask "hello"
  (bench/hello.py, the floor), the public role page (anonymous, as job boards
  send visitors) and the board's first page (a signed-in manager's cookie and
  user agent). Every answer must be 200: a Lua hook counts the others, and
  the page is asked for once before and once after, so a session that ended
  (a redirect to sign-in) cannot pass for speed.
- latency (p50 / p95 of requests made one after another with http.client):
  hello (the floor), the role page, the board's first page, a search ``?q=``,
  an application page, the dashboard, the reports page, and the JSON API's
  application list (first page, and 200 at one stage) and one application,
  read with a manager's token.
- the pipeline CSV over HTTP, read to its end, against the database's own
  command-line client writing the same rows as CSV (``sqlite3 -csv`` or
  ``psql --csv``): the ratio of their times.

Seeds a fresh database with ``flask ats demo`` (bench/common.py: a SQLite
file in a temporary folder, or a PostgreSQL database whose name contains
"bench", emptied first and at the end). Prints numbers; asserts nothing.
Needs ``wrk`` (Debian: apt-get install wrk) and the database's client.
"""
import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (PASSWORD, ROLE, ROOT, Database, drop_scratch, flask, fresh_database, machine, new_secret,
                    percentile, seed)
from config import database_url
from serving import HOST, USER_AGENT, Server, request, sign_in
from sqlalchemy.engine import make_url

MANAGER = "bench.manager@staff.example"

# Counts the answers other than 200 in every wrk thread.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("not-200: %d\\n", total))
end
"""

# The export's rows and columns, written by the database's own client.
CSV_QUERY = {
    "sqlite": """
SELECT a.id, r.slug, a.full_name, a.email, a.phone, a.location, a.stage,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.stage_entered_at), strftime('%Y-%m-%dT%H:%M:%SZ', a.applied_at),
       strftime('%Y-%m-%dT%H:%M:%SZ', a.updated_at), a.skills_strong, a.skills_partial, a.skills_assessed,
       a.source
FROM applications a JOIN roles r ON r.id = a.role_id ORDER BY a.id""",
    "postgresql": """
SELECT a.id, r.slug, a.full_name, a.email, a.phone, a.location, a.stage,
       to_char(a.stage_entered_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(a.applied_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(a.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), a.skills_strong, a.skills_partial, a.skills_assessed,
       a.source
FROM applications a JOIN roles r ON r.id = a.role_id ORDER BY a.id""",
}


def answers_200(port: int, path: str, headers: dict) -> None:
    status, answer_headers, _ = request(port, "GET", path, headers=headers)
    if status != 200:
        location = dict((k.lower(), v) for k, v in answer_headers).get("location", "")
        sys.exit(f"GET {path} answered {status} {location}: not measured")


def throughput(port: int, path: str, headers: dict, seconds: float, script: Path) -> dict:
    """wrk's requests/s for ``path``, with the count of answers other than 200."""
    answers_200(port, path, headers)
    def wrk(duration: float) -> str:
        command = ["wrk", "-t2", "-c16", f"-d{duration:g}s", "--timeout", "30s", "-s", str(script)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://{HOST}:{port}{path}")
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    wrk(2)  # warm up
    printed = wrk(seconds)
    answers_200(port, path, headers)
    errors = re.search(r"Socket errors: (.*)", printed)
    return {
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", printed).group(1)),
        "not_200": int(re.search(r"not-200: (\d+)", printed).group(1)),
        "socket_errors": errors.group(1) if errors else "none",
    }


def latency(port: int, path: str, headers: dict, count: int) -> dict:
    """p50 and p95 in ms of ``count`` requests one after another (after 5 to warm up)."""
    answers_200(port, path, headers)
    for _ in range(5):
        request(port, "GET", path, headers=headers)
    timings, size = [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _, body = request(port, "GET", path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit(f"GET {path} answered {status} while being measured")
        size = len(body)
    return {"p50": percentile(timings, .5), "p95": percentile(timings, .95), "size": size}


def timed(run, times: int = 3) -> float:
    """The median of ``times`` runs' seconds."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append(time.perf_counter() - started)
    return sorted(spent)[len(spent) // 2]


def csv_over_http(port: int, headers: dict) -> tuple[int, int]:
    """(rows, bytes) of the whole pipeline CSV, read as it streams."""
    status, _, body = request(port, "GET", "/reports/pipeline.csv", headers=headers)
    if status != 200:
        sys.exit(f"the pipeline CSV answered {status}")
    return body.count(b"\r\n") - 1, len(body)


def csv_by_client(url: str, kind: str) -> list[str]:
    """The command that makes the database's own client write the same rows as CSV."""
    if kind == "sqlite":
        return [shutil.which("sqlite3") or "sqlite3", "-csv", make_url(url).database, CSV_QUERY[kind]]
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return [shutil.which("psql") or "psql", "-X", "-q", "--csv", "-d", plain, "-c", CSV_QUERY[kind]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10, help="each wrk run")
    parser.add_argument("--requests", type=int, default=100, help="each latency measurement")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (hello, role page, board each)")
    parser.add_argument("--database-url", help="PostgreSQL database to use (its name must contain 'bench')")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database behind")
    parser.add_argument("--seeded", metavar="URL",
                        help="measure this database as it is, already seeded by `ats demo --role " + ROLE + "`; "
                             "nothing is emptied or dropped (a manager account is added)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing (Debian: apt-get install wrk)")

    if args.seeded:
        # Measured as it is (e.g. a 1,000,000-application demo made once), and kept.
        database = Database(database_url(args.seeded), Path(tempfile.mkdtemp(prefix="ats-bench-")))
        applications = "the seeded"
    else:
        database = seed(fresh_database(args.database_url), args.applications)
        applications = f"{args.applications:,}"
    flask(database.url, "ats", "create-user", MANAGER, "--name", "Bench Manager", "--role", "manager",
          ATS_PASSWORD=PASSWORD)
    # The JSON API's figures are read with a manager's token, as an integration would.
    api_token = flask(database.url, "ats", "create-api-token", MANAGER, "--name", "bench").strip().split()[-1]
    print(f"database: {database.kind}, {applications} applications in one role")
    print(f"machine at the start: {machine()}")
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT)
    rows = []  # (what, figure, floor, ratio)
    anonymous = {"User-Agent": USER_AGENT}
    try:
        env = {"DATABASE_URL": database.url, "ATS_ENV": "production", "SECRET_KEY": new_secret(),
               "ATS_UPLOAD_DIR": str(database.workdir / "uploads"), "ATS_MAIL_BACKEND": "outbox",
               "ATS_MAIL_OUTBOX": str(database.workdir / "outbox"),
               # Measured one request after another: the per-token limit is not what is measured.
               "ATS_API_LIMIT": "100000 per minute"}
        # Both served at once, and measured in turns, round after round: on a
        # shared machine the load changes by the minute, and each ratio is
        # taken within one round.
        with Server("hello:app", {}, "/", chdir=ROOT / "bench") as hello, \
                Server("wsgi:app", env, "/healthz") as service:
            port = service.port
            staff = sign_in(port, MANAGER)
            board = f"/pipeline/{ROLE}"
            role_page = f"/roles/{ROLE}"
            _, _, page = request(port, "GET", f"{board}?stage=interview", headers=staff)
            found = re.search(rb"/pipeline/applications/(\d+)", page)
            if not found:
                sys.exit("no application in the interview column to measure")
            targets = [("hello", hello.port, "/", anonymous), ("role page", port, role_page, anonymous),
                       ("board", port, board, staff)]
            rounds = [{label: throughput(at, path, headers, args.seconds, script)
                       for label, at, path, headers in targets} for _ in range(args.rounds)]
            hello_latency = latency(hello.port, "/", anonymous, args.requests)
            hello_rates = [measured["hello"]["per_second"] for measured in rounds]
            rows.append(("hello, throughput", " / ".join(f"{rate:,.0f}" for rate in hello_rates) + " req/s", "", ""))
            rows.append(("hello, p50 / p95", f"{hello_latency['p50']:.1f} / {hello_latency['p95']:.1f} ms", "", ""))
            for label in ("role page", "board"):
                rates = [measured[label]["per_second"] for measured in rounds]
                shares = sorted(measured[label]["per_second"] / measured["hello"]["per_second"] for measured in rounds)
                not_200 = sum(measured[label]["not_200"] for measured in rounds)
                errors = "; ".join(sorted({measured[label]["socket_errors"] for measured in rounds}))
                rows.append((f"{label}, throughput", " / ".join(f"{rate:,.0f}" for rate in rates) +
                             f" req/s ({not_200} not 200, socket errors: {errors})",
                             "hello in the same round", f"median {statistics.median(shares):.1%} "
                             f"({' / '.join(f'{share:.1%}' for share in shares)})"))
            api = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {api_token}"}
            application_id = found.group(1).decode()
            pages = [
                ("role page", role_page, anonymous, args.requests),
                ("board, first page", board, staff, args.requests),
                ("board, search ?q=lovelace", f"{board}?q=lovelace", staff, max(10, args.requests // 5)),
                ("application page", f"/pipeline/applications/{application_id}", staff, args.requests),
                ("dashboard", "/pipeline/", staff, args.requests),
                ("reports page", "/reports/", staff, max(10, args.requests // 5)),
                ("API, applications (first 50)", "/api/v1/applications", api, args.requests),
                ("API, applications ?stage=interview&limit=200", "/api/v1/applications?stage=interview&limit=200",
                 api, args.requests),
                ("API, one application with history", f"/api/v1/applications/{application_id}", api, args.requests),
            ]
            for label, path, headers, count in pages:
                measured = latency(port, path, headers, count)
                rows.append((f"{label}, p50 / p95", f"{measured['p50']:.1f} / {measured['p95']:.1f} ms "
                             f"({measured['size'] / 1024:.0f} KiB)", f"{hello_latency['p50']:.1f}",
                             f"{measured['p50'] / hello_latency['p50']:.1f}x"))

            exported, size = csv_over_http(port, staff)
            over_http = timed(lambda: csv_over_http(port, staff))
            command = csv_by_client(database.url, database.kind)
            by_client = timed(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL))
            rows.append((f"pipeline CSV, {exported:,} rows ({size / 1e6:.1f} MB)", f"{over_http:.2f} s",
                         f"{by_client:.2f} s ({Path(command[0]).name})", f"{by_client / over_http:.2f}x"))
            answers_200(port, board, staff)
    finally:
        script.unlink()
        if args.keep or args.seeded:
            shutil.rmtree(database.workdir)
            print(f"kept: {database.url}")
        else:
            drop_scratch(database)

    print(f"machine at the end: {machine()}")
    width = max(len(row[0]) for row in rows)
    print(f"\n{'what':<{width}} | figure | floor | ratio")
    for what, figure, floor, ratio in rows:
        print(f"{what:<{width}} | {figure} | {floor} | {ratio}")


if __name__ == "__main__":
    main()
