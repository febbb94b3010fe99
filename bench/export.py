"""The pipeline CSV export: time for 10,000 rows, rows per second at 100,000
against a plain `sqlite3 -csv` dump of the same rows from the same file, and the
peak memory of the serving process while it streams 1,000,000 rows.

    .venv/bin/python bench/export.py [--small 10000] [--large 100000] [--huge 1000000]

Seeds a temporary SQLite file with `flask ats demo --applications N` (each
size replaces the last; the largest is the 100,000 copied in SQL), serves the export in-process through Flask's test
client for the timings, and in a child process for the memory figure (its
peak RSS from getrusage, its RSS before the export from /proc). Prints
numbers; asserts nothing.
"""
import argparse
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 123"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]

# The rows and columns the export reads, as sqlite3 dumps them.
SQLITE_QUERY = """
SELECT a.id, r.slug, a.full_name, a.email, a.phone, a.location, a.stage,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.stage_entered_at), strftime('%Y-%m-%dT%H:%M:%SZ', a.applied_at),
       strftime('%Y-%m-%dT%H:%M:%SZ', a.updated_at), a.skills_strong, a.skills_partial, a.skills_assessed,
       a.source
FROM applications a JOIN roles r ON r.id = a.role_id ORDER BY a.id
"""


def flask(env, *args):
    subprocess.run(FLASK + list(args), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env) -> None:
    flask(env, "db", "upgrade")
    flask(env, "ats", "seed")
    flask(env, "ats", "create-user", "bench@example.org", "--name", "Bench Manager", "--role", "manager",
          "--password", PASSWORD)


def seed(env, count: int) -> float:
    started = time.perf_counter()
    flask(env, "ats", "demo", "--applications", str(count))
    return time.perf_counter() - started


def multiply(database: Path, count: int, target: int) -> float:
    """Copies the applications (only: the export reads no other table per row)
    with new ids until there are ``target``. Far quicker than a demo run of
    that size; the copies' candidate ids point nowhere, which the export never
    looks at (the driver connection leaves SQLite's foreign keys off)."""
    import sqlite3

    started = time.perf_counter()
    connection = sqlite3.connect(database)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(applications)")]
    offset = connection.execute("SELECT MAX(id) FROM applications").fetchone()[0]
    copies = (target - count) // count
    for copy in range(1, copies + 1):
        shift = copy * offset
        values = [
            f"id + {shift}" if c == "id"
            else f"candidate_id + {shift}" if c == "candidate_id"
            else f"status_token || '-{copy}'" if c == "status_token"
            else c
            for c in columns
        ]
        connection.execute(
            f"INSERT INTO applications ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM applications WHERE id <= {offset}"
        )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def signed_in_client():
    from wsgi import app

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


def export_once(client) -> tuple[float, int, int]:
    """(seconds, rows, bytes) of one export, read to the end as a client would."""
    started = time.perf_counter()
    response = client.get("/reports/pipeline.csv", buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    return time.perf_counter() - started, lines - 1, size


def child() -> None:
    """Runs in its own process: RSS before, then the export streamed and thrown away."""
    client = signed_in_client()
    client.get("/reports/")  # warm up: templates, imports
    before = _rss_kib()
    seconds, rows, size = export_once(client)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{before} {peak} {seconds:.3f} {rows} {size}")


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--huge", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child()
        return

    sqlite3 = shutil.which("sqlite3")
    with tempfile.TemporaryDirectory(prefix="ats-bench-export-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", ATS_ENV="development", SECRET_KEY=secrets.token_hex(32))
        os.environ.update(env)
        prepare(env)
        print(f"database: SQLite file {database}; {os.cpu_count()} CPUs")

        seconds = seed(env, options.small)
        print(f"seeded {options.small:,} applications in {seconds:.1f} s")
        client = signed_in_client()
        export_once(client)  # warm up
        times = sorted(export_once(client)[0] for _ in range(5))
        print(f"export of {options.small:,} rows: median {times[2] * 1000:.0f} ms (best {times[0] * 1000:.0f} ms)")

        seconds = seed(env, options.large)
        print(f"seeded {options.large:,} applications in {seconds:.1f} s")
        runs = [export_once(client) for _ in range(3)]
        best, rows, size = min(runs)
        ours = rows / best
        print(f"export of {rows:,} rows ({size / 1e6:.1f} MB): best {best:.2f} s, {ours:,.0f} rows/s")
        if sqlite3:
            dumps = []
            for _ in range(3):
                started = time.perf_counter()
                subprocess.run([sqlite3, "-csv", str(database), SQLITE_QUERY], check=True, stdout=subprocess.DEVNULL)
                dumps.append(time.perf_counter() - started)
            theirs = rows / min(dumps)
            print(f"sqlite3 -csv of the same rows: best {min(dumps):.2f} s, {theirs:,.0f} rows/s")
            print(f"ratio: {ours / theirs:.2f}x (target >= 0.3x)")
        else:
            print("sqlite3 CLI not installed: no comparison (apt-get install sqlite3)")

        if options.huge:
            seconds = multiply(database, options.large, options.huge)
            print(f"copied the {options.large:,} applications up to {options.huge:,} in {seconds:.1f} s")
            answer = subprocess.run(
                [sys.executable, __file__, "--child"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout.split()
            before, peak, seconds, rows, size = int(answer[0]), int(answer[1]), float(answer[2]), int(answer[3]), int(answer[4])
            print(
                f"export of {rows:,} rows ({size / 1e6:.0f} MB) in {seconds:.1f} s ({rows / seconds:,.0f} rows/s): "
                f"serving process RSS {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB (target < 150 MB)"
            )


if __name__ == "__main__":
    main()
