"""Many candidates applying at once, over HTTP: on the embedded default (what
`make run` serves: SQLite, Flask's threaded server), or as production runs
(`--gunicorn`: gunicorn.conf.py with 2 workers, ATS_ENV=production, on the
database of `--database-url`, with the limits and the job queue in Redis
with `--redis`).

Each candidate first opens the role page (for a session and a CSRF token);
then all of them send their application, ``--concurrency`` at a time. Prints
the answers by status and the latency of the applications (p50, p95, max),
and, as the floor measured in the same run, the same burst of GET /healthz
(one database round trip, no write). Then checks the database: every
acknowledged (303) application is stored exactly once, and nothing else is.

    .venv/bin/python bench/apply_burst.py [--applicants 200] [--concurrency 50] [--rounds 3]
    .venv/bin/python bench/apply_burst.py --gunicorn --redis redis://127.0.0.1:6379/14 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ats_bench
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

from sqlalchemy import create_engine, text

from common import ROLE, ROOT, flask, fresh_database, machine, percentile
from serving import free_port

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


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Production's cookies are Secure; here the benchmark stands where the
    load balancer ends TLS, on loopback."""

    def return_ok_secure(self, cookie, request):
        return True


def burst(base: str, applicants: int, concurrency: int, round_number: int) -> tuple[list, list]:
    """(application results, /healthz results), each a list of (email, status, seconds)."""

    def prepare(_):
        jar = http.cookiejar.CookieJar(LoopbackCookies())
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        with opener.open(f"{base}/roles/{ROLE}", timeout=120) as response:
            return opener, TOKEN.search(response.read().decode()).group(1)

    def apply(numbered):
        number, (opener, token) = numbered
        email = f"burst{round_number}-{number}@example.org"
        data = urllib.parse.urlencode({
            "csrf_token": token, "full_name": f"Burst Applicant {number}",
            "email": email, "profile": "Clinical NLP.", "consent": "y",
        }).encode()
        return (email, *timed(opener, urllib.request.Request(f"{base}/roles/{ROLE}/apply", data=data)))

    def health(_):
        return ("", *timed(urllib.request.build_opener(), f"{base}/healthz"))

    with ThreadPoolExecutor(concurrency) as pool:
        sessions = list(pool.map(prepare, range(applicants)))
        applied = list(pool.map(apply, enumerate(sessions)))
        floor = list(pool.map(health, range(applicants)))
    return applied, floor


def report(name: str, results: list) -> str:
    statuses = collections.Counter(status for _, status, _ in results)
    seconds = sorted(s for _, _, s in results)
    return (f"{name:>12}: {dict(sorted(statuses.items()))}  p50 {percentile(seconds, 0.5) * 1000:6.0f} ms  "
            f"p95 {percentile(seconds, 0.95) * 1000:6.0f} ms  max {seconds[-1] * 1000:6.0f} ms")


def stored_once(url: str, applied: list) -> str:
    """Whether every acknowledged application is stored exactly once, and no other."""
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = collections.Counter(connection.execute(text(
            "SELECT email FROM applications WHERE email LIKE 'burst%'")).scalars())
    engine.dispose()
    acknowledged = {email for email, status, _ in applied if status == 303}
    twice = [email for email, count in counts.items() if count > 1]
    lost = acknowledged - set(counts)
    unacknowledged = set(counts) - acknowledged
    return (f"stored: {sum(counts.values())} applications for {len(acknowledged)} acknowledged; "
            f"stored twice: {len(twice)}, acknowledged but missing: {len(lost)}, "
            f"stored without a 303: {len(unacknowledged)}")


def start_server(args, database, env: dict, log) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    if not args.gunicorn:
        command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "run", "--port", str(port)]
        env = {**env, "ATS_ENV": "development"}
        served = f"Flask's threaded server on {database.kind}"
    else:
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
        env = {**env, "ATS_ENV": "production", "ATS_PUBLIC_URL": f"http://127.0.0.1:{port}", "HOST": "127.0.0.1",
               "PORT": str(port), "WEB_CONCURRENCY": str(args.workers), "ATS_MAIL_BACKEND": "outbox",
               "PROMETHEUS_MULTIPROC_DIR": str(database.workdir / "metrics")}
        if args.redis:
            env.update(RATELIMIT_STORAGE_URI=args.redis, ATS_QUEUE_URL=args.redis,
                       ATS_QUEUE_NAME=f"bench-{secrets.token_hex(4)}")
        served = (f"gunicorn, {args.workers} sync workers, on {database.kind}"
                  + (", limits and job queue in Redis (no worker: jobs wait)" if args.redis else ""))
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": database.url, **env},
                              stdout=log, stderr=subprocess.STDOUT)
    return server, f"http://127.0.0.1:{port}", served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL database whose name contains 'bench' (emptied)")
    parser.add_argument("--gunicorn", action="store_true", help="serve with gunicorn as production does")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's workers (default 2)")
    parser.add_argument("--redis", help="redis://… for the limits and the job queue (with --gunicorn)")
    args = parser.parse_args()

    database = fresh_database(args.database_url)
    env = {"ATS_APPLY_LIMIT": "100000 per hour", "ATS_UPLOAD_DIR": str(database.workdir / "uploads"),
           "ATS_MAIL_OUTBOX": str(database.workdir / "outbox"), "SECRET_KEY": secrets.token_hex(32)}
    flask(database.url, "db", "upgrade", **env)
    flask(database.url, "ats", "seed", **env)
    log_path = database.workdir / "server.log"
    log = log_path.open("w")
    server, base, served = start_server(args, database, env, log)
    applied_in_all = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        print(machine())
        print(f"{args.applicants} applicants, {args.concurrency} at a time, {served}")
        for round_number in range(1, args.rounds + 1):
            started = time.perf_counter()
            applied, floor = burst(base, args.applicants, args.concurrency, round_number)
            applied_in_all += applied
            print(f"round {round_number} ({time.perf_counter() - started:.1f} s)")
            print(report("apply", applied))
            print(report("healthz", floor))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print(stored_once(database.url, applied_in_all))
    server_log = log_path.read_text()
    print(f"'database is locked' in the server's log: {server_log.count('database is locked')}; "
          f"tracebacks: {server_log.count('Traceback')}")
    shutil.rmtree(database.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
