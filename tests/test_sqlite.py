"""SQLite, the embedded default: a database in a folder that does not exist
yet, and writers that take turns (``ats.infra.sqlite``)."""
import os
import stat
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from ats.extensions import db
from ats.infra import sqlite
from ats.models import Application
from tests.fixtures import ROOT
from tests.fixtures.staff import csrf_token_from

APPLY_URL = "/roles/healthcare-ai-engineer/apply"


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_flask_commands_create_the_folders_they_write_to(tmp_path):
    """A fresh clone has no instance/ folder: the commands `make run` runs,
    run directly, make what they need."""
    instance = tmp_path / "not" / "there" / "yet"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ATS_", "DATABASE_URL"))},
        "ATS_ENV": "development",
        "SECRET_KEY": "s" * 32,
        "DATABASE_URL": f"sqlite:///{instance / 'ats.sqlite3'}",
    }
    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    seed = flask("ats", "seed", env=env)
    assert seed.returncode == 0, seed.stderr
    assert "healthcare-ai-engineer: created" in seed.stdout
    assert (instance / "ats.sqlite3").is_file()
    # It holds candidates' data: the folder is the owner's alone.
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    again = flask("ats", "seed", env=env)
    assert again.returncode == 0, again.stderr
    assert "healthcare-ai-engineer: unchanged" in again.stdout


# --- The write queue ----------------------------------------------------------------


def test_the_write_queue_serves_waiters_in_the_order_they_came():
    queue = sqlite.WriteQueue()
    assert queue.acquire(timeout=1)
    served: list[int] = []

    def wait(number: int) -> None:
        assert queue.acquire(timeout=10)
        served.append(number)
        queue.release()

    threads = []
    for number in range(8):
        thread = threading.Thread(target=wait, args=(number,))
        thread.start()
        threads.append(thread)
        # Each waiter is in line before the next one comes.
        deadline = time.monotonic() + 5
        while len(queue._waiting) <= number and time.monotonic() < deadline:
            time.sleep(0.001)
        assert len(queue._waiting) == number + 1
    queue.release()
    for thread in threads:
        thread.join(timeout=10)
    assert served == list(range(8))
    # Everyone is done: the next comer gets it at once.
    assert queue.acquire(timeout=0)


def test_a_waiter_that_gives_up_leaves_the_line():
    queue = sqlite.WriteQueue()
    assert queue.acquire(timeout=1)
    assert queue.acquire(timeout=0.05) is False
    assert len(queue._waiting) == 0
    queue.release()
    assert queue.acquire(timeout=0)


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the write queue is SQLite's")
        return db.engine.url.database


@pytest.mark.usefixtures("seeded", "upload_dir", "outbox")
def test_a_request_that_cannot_have_its_turn_in_time_is_503_and_stores_nothing(
    app, client, sqlite_only, monkeypatch, db_session
):
    monkeypatch.setitem(app.config, "ATS_APPLY_LIMIT", "1000 per hour")
    monkeypatch.setattr(sqlite, "LOCK_WAIT_SECONDS", 0.2)
    token = csrf_token_from(client.get("/roles/healthcare-ai-engineer").get_data(as_text=True))
    queue = sqlite._queue_for(sqlite_only)
    assert queue.acquire(timeout=5)  # a writer that does not finish
    try:
        response = client.post(APPLY_URL, data={
            "csrf_token": token, "full_name": "Ada Lovelace", "email": "ada@example.org",
            "profile": "Clinical NLP.", "consent": "y",
        })
    finally:
        queue.release()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "nothing was saved" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0
    # The turn was given back: the same form now goes through.
    monkeypatch.setattr(sqlite, "LOCK_WAIT_SECONDS", 5)
    retry = client.post(APPLY_URL, data={
        "csrf_token": token, "full_name": "Ada Lovelace", "email": "ada@example.org",
        "profile": "Clinical NLP.", "consent": "y",
    })
    assert retry.status_code == 303
