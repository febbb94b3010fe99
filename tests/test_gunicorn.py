"""Production's web server (gunicorn.conf.py), started for real: workers from
WEB_CONCURRENCY, the address from HOST and PORT, a JSON line per request on
standard error, and metrics added up across the workers."""
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures import ROOT

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FLASK = ROOT / ".venv" / "bin" / "flask"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """gunicorn -c gunicorn.conf.py wsgi:app on a migrated SQLite database, 3 workers."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in .venv")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ATS_", "DATABASE_URL", "PROMETHEUS"))},
        "ATS_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
        "ATS_PUBLIC_URL": f"http://127.0.0.1:{port}", "DATABASE_URL": f"sqlite:///{tmp_path / 'ats.sqlite3'}",
        "ATS_UPLOAD_DIR": str(tmp_path / "uploads"), "ATS_MAIL_BACKEND": "outbox",
        "ATS_MAIL_OUTBOX": str(tmp_path / "outbox"), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "3",
    }
    for command in (["db", "upgrade"], ["ats", "seed"]):
        done = subprocess.run([str(FLASK), "--app", "wsgi", *command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as errors:
        server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=errors)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not answer: {log.read_text()}")
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_serves_logs_json_and_adds_up_metrics(served):
    base, log = served
    ids = set()
    for _ in range(12):
        with urllib.request.urlopen(base + "/roles/healthcare-ai-engineer", timeout=10) as response:
            assert response.status == 200
            ids.add(response.headers["X-Request-ID"])
    assert len(ids) == 12
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        families = {f.name: f for f in text_string_to_metric_families(response.read().decode())}
    served_role_pages = sum(s.value for s in families["ats_http_requests"].samples
                            if s.name == "ats_http_requests_total" and s.labels["endpoint"] == "public.role")
    assert served_role_pages == 12  # whichever of the 3 workers answered
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert {line["request_id"] for line in lines if line["path"] == "/roles/healthcare-ai-engineer"} == ids
    workers = {line.split("pid: ")[1].split(")")[0] for line in log.read_text().splitlines() if "Booting worker" in line}
    assert len(workers) == 3
