"""Prometheus metrics at ``/metrics``, for the addresses in ``ATS_METRICS_ALLOW``
only (default: this machine); anyone else gets ``404``.

Requests are counted and timed by endpoint, method and status (the endpoint's
name, never its path, so ids and tokens make no series of their own), and
applications are counted by stage, and background jobs by state (queued,
waiting for a retry, given up), at each scrape, from the database and the queue. Under gunicorn each worker process counts on its own;
prometheus-client's multiprocess mode adds them up when
``PROMETHEUS_MULTIPROC_DIR`` is set, as ``gunicorn.conf.py`` does.
"""
import ipaddress
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from ..extensions import db
from ..models import JobFailure, StageCount

REQUESTS = Counter("ats_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram("ats_http_request_duration_seconds", "Time to answer a request", ["endpoint"])


class ApplicationsByStage:
    """Applications in each stage, all roles together, read at scrape time."""

    def collect(self):
        family = GaugeMetricFamily("ats_applications", "Applications by stage", labels=["stage"])
        rows = db.session.execute(
            select(StageCount.stage, func.sum(StageCount.applications)).group_by(StageCount.stage)
        ).all()
        for stage, count in sorted(rows, key=lambda row: row[0].value):
            family.add_metric([stage.value], count or 0)
        yield family


class Jobs:
    """Background jobs waiting in the queue, waiting for a retry, and given up
    (not yet run again by an admin), read at scrape time."""

    def collect(self):
        family = GaugeMetricFamily("ats_jobs", "Background jobs by state", labels=["state"])
        counts = current_app.extensions["ats.jobs"].counts()
        family.add_metric(["queued"], counts["queued"])
        family.add_metric(["scheduled"], counts["scheduled"])
        failed = db.session.scalar(select(func.count()).select_from(JobFailure).where(JobFailure.resolved_at.is_(None)))
        family.add_metric(["failed"], failed or 0)
        yield family


def allowed(address: str | None, networks: str) -> bool:
    """Whether ``address`` is in one of the comma-separated ``networks``."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net.strip(), strict=False) for net in networks.split(",") if net.strip())


def scrape() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    read = CollectorRegistry(auto_describe=True)
    read.register(ApplicationsByStage())
    read.register(Jobs())
    return counted + generate_latest(read)


def init_app(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        if not allowed(request.remote_addr, app.config["ATS_METRICS_ALLOW"]):
            abort(404)
        return Response(scrape(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
