"""Faults, with the service run as production runs it (gunicorn): Redis
away, the database away and back, a web worker killed in the middle of an
application. What was acknowledged is kept, nothing is half-written, and the
service says what is wrong and recovers by itself."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.files import pdf_bytes
from tests.served import Client, eventually, flask_cli, free_port, gunicorn, production_env

ROLE = "/roles/healthcare-ai-engineer"
PASSWORD = "correct horse battery staple"


def applicant(number: int) -> dict:
    return {"full_name": f"Applicant {number}", "email": f"applicant{number}@example.org", "profile": "Clinical NLP.",
            "consent": "y"}


def sqlite_service(tmp_path: Path, **overrides) -> tuple[dict, Path]:
    """A production environment on a new, migrated and seeded SQLite file."""
    database = tmp_path / "ats.sqlite3"
    env = production_env(tmp_path, f"sqlite:///{database}", free_port(), **overrides)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "ats", "seed")
    flask_cli({**env, "ATS_PASSWORD": PASSWORD}, "ats", "create-user", "rita@staff.example", "--name", "Rita",
              "--role", "recruiter")
    return env, database


def rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def test_with_redis_away_candidates_apply_and_staff_sign_in(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env, database = sqlite_service(tmp_path, RATELIMIT_STORAGE_URI=dead, ATS_QUEUE_URL=dead)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as (base, _):
        candidate = Client(base)
        status, headers, _ = candidate.post(f"{ROLE}/apply", applicant(1), token_from=ROLE)
        assert status == 303 and headers["Location"].startswith("/applications/")

        staff = Client(base)
        assert staff.post("/login", {"email": "rita@staff.example", "password": "wrong password!"})[0] == 401
        staff.sign_in("rita@staff.example", PASSWORD)
        assert staff.get("/pipeline/")[0] == 200

        status, _, body = Client(base).get("/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "degraded", "database": "ok", "queue": "unreachable",
                                    "limits": "unreachable"}
    # The application and its event are stored; the event waits for the worker's sweep.
    assert rows(database, "SELECT full_name FROM applications") == [("Applicant 1",)]
    assert rows(database, "SELECT type, queued_at, dispatched_at FROM events") == [("application.created", None, None)]
    text = log.read_text()
    assert "queue unreachable (ConnectionError): job deliver_event [1] left to the sweep" in text
    assert "sign-in limits: the shared storage is unreachable" in text
    assert "applicant1@example.org" not in text


class Proxy:
    """A TCP relay on loopback to a server: stopping it is, to the service, the
    server going away (new connections refused, open ones cut)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.listener = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would
        # leave the port listening until that call returned.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # stopped already
        self.listener.close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        self.connections.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.connections += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def test_with_postgresql_away_pages_say_so_and_the_service_recovers_without_a_restart(app, seeded, tmp_path):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    env = production_env(tmp_path, through_proxy, free_port())
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(env, log) as (base, _):
            visitor = Client(base)
            assert visitor.get(ROLE)[0] == 200
            proxy.stop()

            status, headers, body = visitor.get(ROLE)
            assert status == 503 and headers["Retry-After"] == "30"
            assert "Our database cannot be reached just now" in body.decode()
            status, _, body = visitor.get("/healthz")
            assert status == 503 and json.loads(body)["database"] == "unreachable"

            proxy.start()
            eventually(lambda: visitor.get(ROLE)[0] == 200, seconds=10, message="no recovery after the database came back")
            assert json.loads(visitor.get("/healthz")[2])["database"] == "ok"
        booted = [line for line in log.read_text().splitlines() if "Booting worker" in line]
        assert len(booted) == 2  # the two workers of the start: none was restarted
        assert "database unreachable on /roles/healthcare-ai-engineer: OperationalError" in log.read_text()
    finally:
        proxy.stop()


def test_a_worker_killed_in_the_middle_of_an_application_leaves_nothing_behind(tmp_path):
    env, database = sqlite_service(tmp_path, WEB_CONCURRENCY=1)
    uploads = Path(env["ATS_UPLOAD_DIR"])
    with gunicorn(env, tmp_path / "gunicorn.log") as (base, master):
        acknowledged = Client(base).post(f"{ROLE}/apply", applicant(1), token_from=ROLE,
                                         files={"resume": ("cv.pdf", pdf_bytes("First"))})
        assert acknowledged[0] == 303
        second = Client(base)

        # Another writer holds SQLite's write lock, so the application waits
        # after its resume is stored and before anything is committed.
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        answers = []

        def send():
            try:
                answers.append(second.post(f"{ROLE}/apply", applicant(2), token_from=ROLE,
                                           files={"resume": ("cv.pdf", pdf_bytes("Second"))})[0])
            except OSError as error:  # the connection dropped with the worker
                answers.append(error)

        sending = threading.Thread(target=send)
        sending.start()
        eventually(lambda: len(list(uploads.iterdir())) == 2, message="the second resume was not stored")
        [worker] = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(worker), signal.SIGKILL)
        sending.join(timeout=30)
        blocker.rollback()
        blocker.close()
        assert len(answers) == 1 and answers[0] != 303  # never acknowledged

        eventually(lambda: Client(base).get(ROLE)[0] == 200, message="gunicorn did not replace the worker")
    assert rows(database, "SELECT full_name FROM applications") == [("Applicant 1",)]
    assert rows(database, "SELECT count(*) FROM candidates") == [(1,)]
    assert rows(database, "SELECT count(*) FROM stage_changes") == [(1,)]
    [(kept,)] = rows(database, "SELECT resume_storage_name FROM applications")
    orphan = next(path for path in uploads.iterdir() if path.name != kept)
    # The orphan file is the sweep's once it is an hour old: made old, it is removed.
    hours_ago = time.time() - 2 * 3600
    os.utime(orphan, (hours_ago, hours_ago))
    done = flask_cli(env, "ats", "sweep")
    assert "1 orphan resume file" in done.stdout
    assert sorted(path.name for path in uploads.iterdir()) == [kept]
