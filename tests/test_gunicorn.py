"""Production's web server (gunicorn.conf.py), started for real: workers from
WEB_CONCURRENCY, the address from HOST and PORT, a JSON line per request on
standard error, and metrics added up across the workers."""
import json
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.served import flask_cli, free_port, gunicorn, production_env


@pytest.fixture
def served(tmp_path):
    """gunicorn -c gunicorn.conf.py wsgi:app on a migrated SQLite database, 3 workers."""
    port = free_port()
    env = production_env(tmp_path, f"sqlite:///{tmp_path / 'ats.sqlite3'}", port, WEB_CONCURRENCY=3)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "ats", "seed")
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as (base, _):
        yield base, log


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
