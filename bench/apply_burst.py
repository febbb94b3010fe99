"""Many candidates applying at once, on the embedded default (what `make run`
serves: SQLite, Flask's threaded server), over HTTP.

Each candidate first opens the role page (for a session and a CSRF token);
then all of them send their application, ``--concurrency`` at a time. Prints
the answers by status and the latency of the applications (p50, p95, max),
and, as the floor measured in the same run, the same burst of GET /healthz
(one database round trip, no write). Nothing is asserted: bench/README.md.

    .venv/bin/python bench/apply_burst.py [--applicants 200] [--concurrency 50] [--rounds 3]
"""
import argparse
import collections
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common import ROLE, ROOT, flask, fresh_database, machine, percentile
from throughput import free_port

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def timed(opener, request) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def burst(base: str, applicants: int, concurrency: int, round_number: int) -> tuple[list, list]:
    """(application results, /healthz results), each a list of (status, seconds)."""

    def prepare(_):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
        with opener.open(f"{base}/roles/{ROLE}", timeout=120) as response:
            return opener, TOKEN.search(response.read().decode()).group(1)

    def apply(numbered):
        number, (opener, token) = numbered
        data = urllib.parse.urlencode({
            "csrf_token": token, "full_name": f"Burst Applicant {number}",
            "email": f"burst{round_number}-{number}@example.org", "profile": "Clinical NLP.", "consent": "y",
        }).encode()
        return timed(opener, urllib.request.Request(f"{base}/roles/{ROLE}/apply", data=data))

    def health(_):
        return timed(urllib.request.build_opener(), f"{base}/healthz")

    with ThreadPoolExecutor(concurrency) as pool:
        sessions = list(pool.map(prepare, range(applicants)))
        applied = list(pool.map(apply, enumerate(sessions)))
        floor = list(pool.map(health, range(applicants)))
    return applied, floor


def report(name: str, results: list) -> str:
    statuses = collections.Counter(status for status, _ in results)
    seconds = sorted(s for _, s in results)
    return (f"{name:>12}: {dict(sorted(statuses.items()))}  p50 {percentile(seconds, 0.5) * 1000:6.0f} ms  "
            f"p95 {percentile(seconds, 0.95) * 1000:6.0f} ms  max {seconds[-1] * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    database = fresh_database(None)
    env = {"ATS_APPLY_LIMIT": "100000 per hour", "ATS_UPLOAD_DIR": str(database.workdir / "uploads"),
           "ATS_MAIL_OUTBOX": str(database.workdir / "outbox")}
    flask(database.url, "db", "upgrade", **env)
    flask(database.url, "ats", "seed", **env)
    port = free_port()
    log_path = database.workdir / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database.url, "ATS_ENV": "development", "SECRET_KEY": secrets.token_hex(32), **env},
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        print(machine())
        print(f"{args.applicants} applicants, {args.concurrency} at a time, Flask's threaded server on SQLite")
        for round_number in range(1, args.rounds + 1):
            started = time.perf_counter()
            applied, floor = burst(base, args.applicants, args.concurrency, round_number)
            print(f"round {round_number} ({time.perf_counter() - started:.1f} s)")
            print(report("apply", applied))
            print(report("healthz", floor))
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    server_log = log_path.read_text()
    print(f"'database is locked' in the server's log: {server_log.count('database is locked')}; "
          f"tracebacks: {server_log.count('Traceback')}")
    shutil.rmtree(database.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
