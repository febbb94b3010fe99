"""The reports page: latency of /reports/ at 100,000 applications, without and
with filters, and the time of each of its queries.

    .venv/bin/python bench/reports.py [--applications 100000] [--runs 7] [--database-url URL]

Seeds a temporary SQLite file (or the empty database --database-url names)
with `flask ats demo --applications N`, then asks for the page through Flask's
test client (in-process, no network). Prints numbers; asserts nothing.
"""
import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 123"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def flask(env, *args):
    subprocess.run(FLASK + list(args), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ats-bench-reports-") as tmp:
        url = options.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = dict(os.environ, DATABASE_URL=url, ATS_ENV="development", SECRET_KEY=secrets.token_hex(32))
        os.environ.update(env)
        flask(env, "db", "upgrade")
        flask(env, "ats", "seed")
        flask(env, "ats", "create-user", "bench@example.org", "--name", "Bench Manager", "--role", "manager",
              "--password", PASSWORD)
        started = time.perf_counter()
        flask(env, "ats", "demo", "--applications", str(options.applications))
        print(f"database: {url.split('@')[-1]}; {os.cpu_count()} CPUs")
        print(f"seeded {options.applications:,} applications in {time.perf_counter() - started:.1f} s")

        from sqlalchemy import text

        from ats.extensions import db
        from ats.queries import reports
        from ats.queries.filters import Filters
        from wsgi import app

        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                # Statistics and the visibility map, as autovacuum would leave
                # them a little after a bulk load (as bench/board.py does).
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            else:
                with db.engine.connect() as conn:
                    conn.execute(text("ANALYZE"))

        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        assert client.post("/login", data={"email": "bench@example.org", "password": PASSWORD}).status_code == 303
        for label, path in [
            ("no filters", "/reports/"),
            ("one role, two months", "/reports/?role=healthcare-ai-engineer&from=2026-09-01&to=2026-10-31"),
        ]:
            assert client.get(path).status_code == 200  # warm up
            times = []
            for _ in range(options.runs):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            print(f"/reports/ ({label}): median {statistics.median(times):.0f} ms, best {min(times):.0f} ms "
                  f"over {options.runs} runs (target <= 200 ms)")

        with app.app_context():
            filters = Filters()
            for name in ("_group_counts", "_stage_times", "_weeks", "_rejection_reasons", "_companies"):
                started = time.perf_counter()
                getattr(reports, name)(filters)
                print(f"  {name}: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
