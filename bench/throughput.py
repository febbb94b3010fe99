"""Requests per second through gunicorn: a bare Flask "hello" page, then the
role board's first page, each served by 2 sync workers on a free loopback
port and driven by concurrent clients.

    .venv/bin/python bench/throughput.py [--applications 50000] [--clients 16] [--seconds 20]
                                         [--max-requests 20000] [--database-url postgresql+psycopg://…/ats_bench]

Seeds a fresh database as bench/board.py does (``flask ats demo``, all
applications in one role), signs a recruiter in over HTTP, and runs each
measurement until --seconds pass or --max-requests answers arrive, whichever
comes first. Clients are threads with http.client, keep-alive where the
server allows it (gunicorn's sync workers close each connection, so each
request opens one), talking to 127.0.0.1 only. Prints requests/second for
each and the ratio (target, issue 4: the board at least 15 % of hello).
"""
import argparse
import http.client
import sys
import threading
import time

from common import ROLE, ROOT, drop_scratch, fresh_database, machine, new_secret, seed
from serving import GUNICORN, HOST, Server, sign_in

def drive(port: int, path: str, headers: dict, clients: int, seconds: float, max_requests: int) -> dict:
    """``clients`` threads asking for ``path`` until the time or the request budget runs out."""
    lock = threading.Lock()
    counts = {"ok": 0, "failed": 0, "sent": 0}
    start = time.perf_counter()
    deadline = start + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                if counts["sent"] >= max_requests:
                    break
                counts["sent"] += 1
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    connection.close()  # reopened by the next request
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            with lock:
                counts["ok" if ok else "failed"] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {**counts, "seconds": elapsed, "per_second": counts["ok"] / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL database to use (its name must contain 'bench')")
    args = parser.parse_args()
    if not GUNICORN.exists():
        sys.exit("gunicorn is missing: run `make install` (it is a dependency)")

    database = seed(fresh_database(args.database_url), args.applications)
    print(f"database: {database.kind}, {args.applications} applications in one role; "
          f"{args.clients} clients, at most {args.seconds:.0f} s or {args.max_requests} requests each run")
    print(f"machine: {machine()}")
    results = {}
    try:
        with Server("hello:app", {}, "/", chdir=ROOT / "bench") as hello:
            drive(hello.port, "/", {}, args.clients, 2, 500)  # warm up
            results["hello"] = drive(hello.port, "/", {}, args.clients, args.seconds, args.max_requests)

        env = {"DATABASE_URL": database.url, "ATS_ENV": "production", "SECRET_KEY": new_secret(),
               "ATS_UPLOAD_DIR": str(database.workdir / "uploads"), "ATS_MAIL_BACKEND": "outbox",
               "ATS_MAIL_OUTBOX": str(database.workdir / "outbox")}
        with Server("wsgi:app", env, "/healthz") as service:
            headers = sign_in(service.port)
            board = f"/pipeline/{ROLE}"
            drive(service.port, board, headers, args.clients, 2, 100)  # warm up
            results["board"] = drive(service.port, board, headers, args.clients, args.seconds, args.max_requests)
    finally:
        drop_scratch(database)

    for name, result in results.items():
        print(f"{name}: {result['per_second']:.0f} requests/s ({result['ok']} answered 200 in "
              f"{result['seconds']:.1f} s, {result['failed']} failed)")
    if len(results) == 2:
        ratio = results["board"]["per_second"] / results["hello"]["per_second"]
        print(f"board / hello: {ratio:.1%} (target: at least 15 %)")


if __name__ == "__main__":
    main()
