"""gunicorn's settings for production (README "Production"):

    .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app

Workers from WEB_CONCURRENCY (default 2), the address from HOST and PORT
(default 127.0.0.1:8000; HOST=0.0.0.0 behind a load balancer).
"""
import os
import tempfile
from pathlib import Path

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker silent this long is killed and replaced; on a restart or stop,
# the requests under way get graceful_timeout to finish.
timeout = 60
graceful_timeout = 30
keepalive = 5
# No access log from gunicorn: the app writes one JSON line per request on
# standard error itself, with request ids and no query strings or tokens
# (ats/infra/logs.py), and gunicorn's own messages go there too.
accesslog = None
errorlog = "-"

# Metrics from every worker, added up at each scrape (ats/infra/metrics.py):
# prometheus-client's multiprocess mode keeps them in files in this folder.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="ats-metrics-"))


def on_starting(server):
    """Figures from an earlier run of the server are not this run's."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
