"""The service as production runs it, for the tests that need real processes:
gunicorn with gunicorn.conf.py, the `flask` CLI and the job worker, started
with an environment of their own, and a small HTTP client with cookies that
fills in CSRF tokens. Not fixtures: each test says what it starts."""
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.fixtures import ROOT

BIN = ROOT / ".venv" / "bin"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path: Path, database_url: str, port: int, **overrides) -> dict:
    """ATS_ENV=production on ``database_url``, with files, mail and metrics under ``tmp_path``."""
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("ATS_", "DATABASE_URL", "PROMETHEUS", "RATELIMIT", "AWS_"))}
    return {
        **inherited,
        "ATS_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
        "ATS_PUBLIC_URL": f"http://127.0.0.1:{port}", "DATABASE_URL": database_url,
        "ATS_UPLOAD_DIR": str(tmp_path / "uploads"), "ATS_MAIL_BACKEND": "outbox",
        "ATS_MAIL_OUTBOX": str(tmp_path / "outbox"), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2",
        **{key: str(value) for key, value in overrides.items()},
    }


def flask_cli(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"flask {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def wait_until_up(base: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers, even if a part is down
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {seconds} s:\n{log.read_text()}")


@contextmanager
def gunicorn(env: dict, log: Path):
    """gunicorn -c gunicorn.conf.py wsgi:app; yields (base URL, the master process)."""
    with open(log, "w") as errors:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=errors)
    try:
        base = f"http://{env['HOST']}:{env['PORT']}"
        wait_until_up(base, log)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def worker(env: dict, log: Path, threads: int = 2):
    """flask --app wsgi ats worker; stopped with SIGTERM (running jobs finish)."""
    with open(log, "w") as output:
        process = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "ats", "worker", "--threads", str(threads)],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def eventually(check, seconds: float = 20, message: str = ""):
    """``check()``'s first true value within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, message or "not within the time allowed"
            return value
        time.sleep(0.1)


class _LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Production's cookies are Secure (sent over HTTPS only); behind no TLS,
    on loopback, the test is the browser behind the load balancer's TLS."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser's worth of HTTP: cookies kept, redirects not followed,
    every answer (errors included) returned as (status, headers, body)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(_LoopbackPolicy())), _NoRedirect)

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, path: str):
        return self.request("GET", path)

    def token(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, f"GET {path}: {status}"
        return TOKEN.search(body.decode()).group(1)

    def post(self, path: str, fields: dict, token_from: str | None = None, files: dict | None = None):
        """POST ``fields`` with the CSRF token of the form at ``token_from``
        (default: ``path``'s page); ``files`` as multipart: name → (filename, bytes)."""
        fields = {"csrf_token": self.token(token_from or path), **fields}
        if not files:
            return self.request("POST", path, urllib.parse.urlencode(fields, doseq=True).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, email: str, password: str) -> None:
        status, headers, body = self.post("/login", {"email": email, "password": password})
        assert status == 303, f"sign-in answered {status}: {body[:300]!r}"
