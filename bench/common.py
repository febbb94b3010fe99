"""What bench/board.py and bench/throughput.py share: a fresh database seeded
with ``flask ats demo``, a staff account, and the numbers' arithmetic.

Benchmark databases never live in the repository: SQLite files go to a
temporary folder, and a PostgreSQL database must have "bench" in its name
(it is emptied first).
"""
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import database_url  # noqa: E402

ROLE = "healthcare-ai-engineer"
EMAIL = "bench.recruiter@staff.example"
PASSWORD = "bench password, not a secret"


@dataclass
class Database:
    url: str
    workdir: Path
    seconds_to_seed: float | None = None

    @property
    def kind(self) -> str:
        return make_url(self.url).get_backend_name()


def flask(url: str, *args: str, **env: str) -> str:
    """Run ``flask --app wsgi …`` against ``url``; returns what it printed."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "ATS_ENV": "development", "SECRET_KEY": secrets.token_hex(32), **env},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def fresh_database(url: str | None) -> Database:
    """An empty database: a new SQLite file, or the named PostgreSQL database emptied."""
    workdir = Path(tempfile.mkdtemp(prefix="ats-bench-"))
    if not url:
        return Database(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
    url = database_url(url)
    name = make_url(url).database or ""
    if "bench" not in name:
        sys.exit(f"--database-url names {name!r}: the benchmark empties its database, so the name must contain 'bench'")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return Database(url, workdir)


def seed(database: Database, applications: int, seed_value: int = 1) -> Database:
    """Migrations, the catalog, ``applications`` demo applications in one role, a recruiter."""
    flask(database.url, "db", "upgrade")
    flask(database.url, "ats", "seed")
    started = time.perf_counter()
    printed = flask(database.url, "ats", "demo", "--applications", str(applications), "--seed", str(seed_value),
                    "--role", ROLE)
    database.seconds_to_seed = time.perf_counter() - started
    print(f"seeded: {printed.strip()} ({database.seconds_to_seed:.1f} s with the CLI's start-up)")
    flask(database.url, "ats", "create-user", EMAIL, "--name", "Bench Recruiter", "--role", "recruiter",
          ATS_PASSWORD=PASSWORD)
    if database.kind == "postgresql":
        # Statistics and the visibility map, as autovacuum would leave them a
        # little later: the planner's estimates and index-only scans need them.
        engine = create_engine(database.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    return database


def drop_scratch(database: Database) -> None:
    """Leave nothing behind: the SQLite folder, or the PostgreSQL tables."""
    if database.kind == "postgresql":
        engine = create_engine(database.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    for path in sorted(database.workdir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    database.workdir.rmdir()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load} (other work on the machine shows here)")


def new_secret() -> str:
    return secrets.token_urlsafe(32)
