"""One JSON log line per request with its id, never a token (issue 13,
"Observability"); Prometheus metrics for the allowed addresses only."""
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.usefixtures("seeded")


def request_lines(caplog) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "ats.requests"]


def test_each_request_is_one_json_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="ats.requests"):
        response = client.get("/roles/healthcare-ai-engineer?utm_source=ada@example.org")
    [line] = request_lines(caplog)
    assert line["method"] == "GET" and line["status"] == 200
    assert line["path"] == "/roles/healthcare-ai-engineer"  # no query string
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert set(line) == {"method", "path", "status", "duration_ms", "request_id"}


def test_a_callers_request_id_is_kept_and_a_strange_one_replaced(client, caplog):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"}).headers["X-Request-ID"] == "lb-7f3a.42"
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 65}).headers["X-Request-ID"]
    assert replaced != "x" * 65 and len(replaced) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_no_token_reaches_the_request_log(client, caplog):
    token = "Abcdefghijklmnopqrstuvwxyz0123456789_-XYZ"
    with caplog.at_level(logging.INFO, logger="ats.requests"):
        for path in (f"/applications/{token}", f"/interview-offers/{token}", f"/calendar/{token}.ics"):
            client.get(path)
    assert token not in caplog.text
    assert [line["path"] for line in request_lines(caplog)] == [
        "/applications/[token]", "/interview-offers/[token]", "/calendar/[token].ics"]


def test_a_refused_host_is_logged_with_an_id_too(app, client, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org")
    monkeypatch.setitem(app.config, "ATS_CHECK_HOST", True)
    with caplog.at_level(logging.INFO, logger="ats.requests"):
        response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    [line] = request_lines(caplog)
    assert line["status"] == 400 and line["request_id"] == response.headers["X-Request-ID"]


def metrics_of(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}


def test_metrics_count_requests_by_endpoint_and_applications_by_stage(client, create_application, role):
    from ats.models import Stage

    create_application(role, "Ada Lovelace")
    create_application(role, "Grace Hopper", Stage.SCREENING)
    before = metrics_of(client)

    def served(families, endpoint):
        return sum(s.value for s in families["ats_http_requests"].samples
                   if s.name == "ats_http_requests_total" and s.labels["endpoint"] == endpoint
                   and s.labels["status"] == "200")

    client.get("/roles/healthcare-ai-engineer")
    client.get("/roles/healthcare-ai-engineer")
    after = metrics_of(client)
    assert served(after, "public.role") - served(before, "public.role") == 2
    by_stage = {s.labels["stage"]: s.value for s in after["ats_applications"].samples}
    assert by_stage["applied"] == 1 and by_stage["screening"] == 1 and by_stage["hired"] == 0
    assert "ats_http_request_duration_seconds" in after


def test_metrics_are_404_for_other_addresses(app, client, monkeypatch):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    monkeypatch.setitem(app.config, "ATS_METRICS_ALLOW", "203.0.113.0/24")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed
