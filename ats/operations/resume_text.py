"""A resume's text: read once, by a background job after the application is
stored (``ats.jobs``), and stored with the application, so that pages never
read a file.

The reading happens outside any database transaction (it may take up to the
wall-clock limit, ATS_RESUME_TEXT_TIMEOUT_SECONDS); the transaction that
stores its result comes after. An application's text is 'pending' until
then; the worker's sweep, or ``flask ats read-resumes``, reads any whose job
was lost.
"""
import logging
import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..infra import resumes
from ..infra.resume_text import UNREADABLE, Limits, ResumeText, extract
from ..models import Application, ResumeTextStatus
from . import end_transaction, write_transaction

log = logging.getLogger(__name__)

# How many readers this process runs at once (ATS_RESUME_TEXT_AT_ONCE): each
# may use up to ATS_RESUME_TEXT_MEMORY_MB, so a burst of uploads cannot.
_readers: dict[int, threading.BoundedSemaphore] = {}
_readers_lock = threading.Lock()


def reader_slots(size: int) -> threading.BoundedSemaphore:
    """The process's readers when it runs ``size`` at once."""
    with _readers_lock:
        return _readers.setdefault(size, threading.BoundedSemaphore(size))


def read_stored_resume(storage_name: str, content_type: str | None) -> ResumeText | None:
    """The text of a stored resume, read by a child process within the
    configured limits; None when no reader came free within the wall-clock
    limit or the file store could not be reached (the resume stays 'pending',
    for ``flask ats read-resumes``). Call it with no transaction open: it holds none."""
    config = current_app.config
    limits = Limits.from_config(config)
    slots = reader_slots(int(config["ATS_RESUME_TEXT_AT_ONCE"]))
    if not slots.acquire(timeout=limits.timeout_seconds):
        log.warning("resume text left pending: every reader was busy for %g s", limits.timeout_seconds)
        return None
    try:
        with resumes.local_copy(storage_name) as path:
            return extract(path, content_type, limits)
    except ValueError as error:  # not a stored resume's name, or more than a resume's size
        log.warning("resume text could not be read: %s", error)
        return ResumeText(problem=UNREADABLE)
    except resumes.MissingFile:
        log.warning("resume text could not be read: no stored file under its name")
        return ResumeText(problem=UNREADABLE)
    except resumes.StorageUnavailable:
        log.warning("resume text left pending: the file store could not be reached")
        return None
    finally:
        slots.release()


def text_columns(result: ResumeText | None) -> dict:
    """The application's resume text columns for ``result`` (None: not read yet)."""
    if result is None:
        return {"resume_text_status": ResumeTextStatus.PENDING.value, "resume_text": None,
                "resume_text_truncated": False}
    if result.problem:
        return {"resume_text_status": ResumeTextStatus.UNREADABLE.value, "resume_text": None,
                "resume_text_truncated": False}
    return {"resume_text_status": ResumeTextStatus.READ.value, "resume_text": result.text,
            "resume_text_truncated": result.truncated}


@dataclass
class ReadCounts:
    read: int = 0
    unreadable: int = 0


def read_pending_resumes() -> ReadCounts:
    """Read the text of every application's resume that is still 'pending',
    oldest application first, each stored in its own transaction."""
    pending = db.session.scalars(
        select(Application.id)
        .where(Application.resume_text_status == ResumeTextStatus.PENDING.value)
        .order_by(Application.id)
    ).all()
    end_transaction()
    counts = ReadCounts()
    for application_id in pending:
        status = read_resume_text(application_id)
        if status == ResumeTextStatus.READ:
            counts.read += 1
        elif status == ResumeTextStatus.UNREADABLE:
            counts.unreadable += 1
    return counts


def read_resume_text(application_id: int) -> ResumeTextStatus | None:
    """Read one 'pending' application's resume text and store it: one
    transaction, after the reading. None when the application is not (or no
    longer) pending."""
    row = db.session.execute(
        select(Application.resume_storage_name, Application.resume_content_type).where(
            Application.id == application_id,
            Application.resume_text_status == ResumeTextStatus.PENDING.value,
            Application.resume_storage_name.is_not(None),
        )
    ).one_or_none()
    end_transaction()
    if row is None:
        return None
    storage_name, content_type = row
    columns = text_columns(read_stored_resume(storage_name, content_type))
    write_transaction()
    # The table, not the mapped class: the text is no change a stage form
    # should go stale for, so the version is left alone.
    table = Application.__table__
    try:
        stored = db.session.execute(
            update(table)
            .where(
                table.c.id == application_id,
                table.c.resume_text_status == ResumeTextStatus.PENDING.value,
                table.c.resume_storage_name == storage_name,
            )
            .values(**columns)
        ).rowcount
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ResumeTextStatus(columns["resume_text_status"]) if stored else None
