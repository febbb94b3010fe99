"""The embedded clock: the sweep every minute in the web process itself,
for ``make run``, where no worker runs (``ATS_QUEUE_URL`` unset).

Off unless ``ATS_EMBEDDED_CLOCK`` is on, which only the Makefile's ``run``
target sets: the tests, gunicorn and every other ``flask`` command start no
thread. With a queue, the worker's periodic sweep does this instead and the
setting is ignored.

The thread starts with the first request the process answers, not when the
app is built: Flask's reloader (``FLASK_DEBUG=1``) builds the app in a
watching parent that serves nothing and again in the child that serves, and
only the child must sweep. It is a daemon thread, so it ends with the
server; each sweep runs in an app context of its own, with its own database
session, and a failing sweep is logged and tried again next minute.
"""
import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)

EXTENSION = "ats.clock"


class Clock:
    def __init__(self, app: Flask, seconds: float):
        self.app = app
        self.seconds = seconds
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start the thread, once per process."""
        with self._starting:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="ats-clock", daemon=True)
                self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def tick(self) -> None:
        """One sweep (``ats.jobs.tasks.sweep``)."""
        from . import queue, tasks

        with self.app.app_context():
            tasks.sweep(queue())

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("embedded clock: the sweep failed; trying again in %s s", self.seconds)
            self.stopped.wait(self.seconds)


def init_app(app: Flask, in_process: bool) -> None:
    if not (app.config.get("ATS_EMBEDDED_CLOCK") and in_process):
        return
    clock = app.extensions[EXTENSION] = Clock(app, app.config["ATS_CLOCK_SECONDS"])

    @app.before_request
    def start_clock() -> None:
        if clock.thread is None:
            clock.start()
