"""A resume's text, for the evidence suggestions: the first MAX_RESUME_TEXT
characters of a PDF (pypdf) or Word document (python-docx), or why there are none.

A resume is read once, when it arrives (``ats.operations.resume_text``), and
its text is stored with the application; pages read the stored text and never
a file. Parsers are slow or greedy on hostile files (an 8.5 KB PDF whose pages
share a content stream of 1.8 million tokens took 99 s; a 1 MB .docx that
lies about its size took 2 GB), so the parsing never happens in the process
that calls :func:`extract`: a child process does it (``resume_text_worker``,
run by its path with this interpreter), limited in CPU time and address space
by ``setrlimit`` in the child, and killed by the parent past a wall-clock
timeout. ``subprocess`` starts it with fork-and-exec, which is safe in a
threaded server (nothing of the parent runs in the child before exec).

:func:`extract` knows nothing of Flask or of requests: a background job can
call it as it is.
"""
import json
import logging
import signal
# The reader runs as a child process: its own limits, killed on time.
import subprocess  # nosec B404
import sys
from dataclasses import dataclass
from pathlib import Path

from . import resume_text_worker as worker
from .resumes import DOCX, PDF

log = logging.getLogger(__name__)

MAX_RESUME_TEXT = worker.MAX_RESUME_TEXT
MAX_PDF_PAGES = worker.MAX_PDF_PAGES
MAX_DOCX_UNPACKED = worker.MAX_DOCX_UNPACKED

UNREADABLE = "Resume text could not be read."
KINDS = {PDF: worker.PDF, DOCX: worker.DOCX}


@dataclass(frozen=True)
class ResumeText:
    text: str = ""
    # For the recruiter when the text is not there: why.
    problem: str | None = None
    truncated: bool = False


@dataclass(frozen=True)
class Limits:
    """What reading one resume may take: CPU seconds and memory (address
    space, MiB) in the child, and wall-clock seconds, after which it is killed."""

    cpu_seconds: int = 10
    memory_mb: int = 512
    timeout_seconds: float = 20

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            cpu_seconds=int(config["ATS_RESUME_TEXT_CPU_SECONDS"]),
            memory_mb=int(config["ATS_RESUME_TEXT_MEMORY_MB"]),
            timeout_seconds=float(config["ATS_RESUME_TEXT_TIMEOUT_SECONDS"]),
        )


def extract(path: Path | str, content_type: str | None, limits: Limits = Limits()) -> ResumeText:
    """The text of the resume at ``path``, read in a child process within
    ``limits``; on any failure, timeout or limit, ``ResumeText(problem=UNREADABLE)``
    and one log line saying why (never the file's name or its text)."""
    kind = KINDS.get(content_type or "")
    if kind is None:
        return _unreadable("not a PDF or Word document")
    command = [
        sys.executable, "-I", "-B", worker.__file__,
        str(path), kind, str(limits.cpu_seconds), str(limits.memory_mb * 1024 * 1024),
    ]
    try:
        # The child's standard error goes nowhere: a parser may write a
        # warning per token, and the parent would hold them all.
        # No shell; the command is this Python, the worker's own file, a stored
        # resume's path (a random name under ATS_UPLOAD_DIR) and numbers.
        done = subprocess.run(  # nosec B603
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={}, timeout=limits.timeout_seconds, check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return _unreadable(f"took longer than {limits.timeout_seconds:g} s and was stopped")
    except OSError as error:
        return _unreadable(f"the reader could not start ({type(error).__name__})")
    if done.returncode < 0:
        return _unreadable(_signal_reason(-done.returncode, limits))
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return _unreadable(f"the reader ended with status {done.returncode} and no answer")
    if "error" in result:
        if result["error"] == "MemoryError":
            return _unreadable(f"needed more than {limits.memory_mb} MiB")
        return _unreadable(f"the parser failed ({result['error']})")
    return ResumeText(result["text"], truncated=bool(result["truncated"]))


def _signal_reason(number: int, limits: Limits) -> str:
    if number == signal.SIGXCPU:
        return f"used more than {limits.cpu_seconds} s of CPU and was stopped"
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = str(number)
    return f"the reader was ended by {name}"


def _unreadable(reason: str) -> ResumeText:
    log.warning("resume text could not be read: %s", reason)
    return ResumeText(problem=UNREADABLE)
