"""Serving the app the way users get it, for the HTTP benchmarks
(bench/throughput.py, bench/over_http.py): gunicorn with the repository's
gunicorn.conf.py and 2 sync workers on a free loopback port, a plain
http.client request, and signing a staff member in through the real forms.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from common import EMAIL, PASSWORD, ROOT

HOST = "127.0.0.1"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
USER_AGENT = "ats-bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn (``-c gunicorn.conf.py``, 2 sync workers) on a free loopback port, stopped on exit."""

    def __init__(self, app: str, env: dict[str, str], health: str, chdir: Path = ROOT):
        self.port = free_port()
        # The service writes a JSON line per request, as in production: kept
        # in a file, out of this output, and shown if the server fails.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
             "--bind", f"{HOST}:{self.port}", "--chdir", str(chdir), "--log-level", "warning", app],
            # The service's address is where it is served: links and its Host
            # check use it. PYTHONPATH: this checkout's code, whatever is installed.
            env={**os.environ, "ATS_PUBLIC_URL": f"http://{HOST}:{self.port}", "PYTHONPATH": str(ROOT), **env},
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(self.port, "GET", health)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"{app} did not answer on {HOST}:{self.port}:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def session_cookie(headers) -> str:
    return next(
        value.split(";")[0] for name, value in headers
        if name.lower() == "set-cookie" and value.startswith("session=")
    )


def sign_in(port: int, email: str = EMAIL, password: str = PASSWORD) -> dict[str, str]:
    """The headers of a signed-in staff member's requests (its session cookie
    and the user agent it signed in with), through the real forms. An account
    that must give a two-step code stops the benchmark with a clear message:
    bench accounts are recruiters and managers, who are not asked for one."""
    status, headers, body = request(port, "GET", "/login", headers={"User-Agent": USER_AGENT})
    cookie = session_cookie(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "email": email, "password": password})
    status, headers, _ = request(port, "POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "User-Agent": USER_AGENT,
    })
    location = dict((name.lower(), value) for name, value in headers).get("location", "")
    if status != 303:
        sys.exit(f"signing in as {email} answered {status}")
    if "/login/code" in location:
        sys.exit(f"{email} must give a two-step code to sign in: use a recruiter or manager account")
    return {"Cookie": session_cookie(headers), "User-Agent": USER_AGENT}
