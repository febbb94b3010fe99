"""Resume files: judged by their content, stored under random names outside
anything served (in the store ``ats.infra.storage`` chooses: a local folder or
an S3 bucket), and removed again if the application that brought them fails."""
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype

from . import storage
from .storage import MissingFile, Opened, StorageUnavailable

log = logging.getLogger(__name__)

MAX_RESUME_BYTES = 5 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = {PDF: ".pdf", DOCX: ".docx"}


class ResumeError(ValueError):
    """A file that is not a resume we accept; the message is for the candidate."""


@dataclass(frozen=True)
class Resume:
    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)


def read_resume(stream, filename: str | None) -> Resume:
    """Check an uploaded file: at most 5 MiB, and a PDF or Word document by its bytes."""
    content = stream.read(MAX_RESUME_BYTES + 1)
    if len(content) > MAX_RESUME_BYTES:
        raise ResumeError("The resume is larger than 5 MB. Please upload a smaller file.")
    if not content:
        raise ResumeError("The resume file is empty.")
    content_type = sniff(content)
    if content_type is None:
        raise ResumeError("The resume must be a PDF or a Word (.docx) document.")
    return Resume(content, content_type, clean_filename(filename, ACCEPTED[content_type]))


def sniff(content: bytes) -> str | None:
    """The file's type from its bytes (never its name or declared type), or None."""
    kind = filetype.guess(content)
    if kind is None:
        return None
    if kind.mime == PDF:
        return PDF
    if kind.mime == DOCX and _is_word_document(content):
        return DOCX
    return None


def _is_word_document(content: bytes) -> bool:
    """A .docx is a ZIP with a main document part; a renamed archive is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


_NAME = re.compile(r"[0-9a-f]{32}")  # what store() names a file
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_filename(filename: str | None, extension: str) -> str:
    """A name for display only: no path, no control or reserved characters,
    bounded length, ending in the extension of the type the content has."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name)
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" == extension:
        name = stem
    name = name.strip(" ._") or "resume"
    return f"{name[:200]}{extension}"


def store(resume: Resume) -> str:
    """Write the file under a new random name, in the configured store, and return that name."""
    storage_name = secrets.token_hex(16)
    storage.current().write(storage_name, resume.content)
    return storage_name


def discard(storage_name: str | None) -> None:
    """Remove a stored file whose application was not saved. A store that
    cannot be reached leaves it behind, logged by its name: the error that
    brought us here is the one to raise."""
    if not storage_name:
        return
    try:
        storage.current().delete(storage_name)
    except (OSError, StorageUnavailable):
        log.exception("a resume file of an application not saved was left behind: %s", storage_name)


def delete(storage_name: str) -> bool:
    """Delete a stored resume whose application no longer names it (its
    candidate was erased). False when the store cannot be reached: the file
    is then an orphan, which the worker's sweep deletes within the hour."""
    try:
        storage.current().delete(checked(storage_name))
    except (OSError, StorageUnavailable, ValueError):
        log.exception("a resume file no application names could not be deleted yet: %s", storage_name)
        return False
    return True


def stored_before(moment: float) -> list[str]:
    """The names of the stored resumes last written before ``moment`` (a Unix time)."""
    return [name for name in storage.current().names_before(moment) if _NAME.fullmatch(name)]


def is_stored(storage_name: str) -> bool:
    """Whether the stored resume's file is there (the file is not opened)."""
    try:
        return storage.current().exists(checked(storage_name))
    except ValueError:
        return False


def open_stored(storage_name: str) -> Opened:
    """The stored resume, open for reading in chunks; MissingFile when it is not there."""
    try:
        return storage.current().open(checked(storage_name))
    except ValueError:
        raise MissingFile(storage_name) from None


def local_copy(storage_name: str):
    """A context manager giving the stored resume as a local file's path
    (a private temporary copy when the store is not local, deleted after);
    MissingFile when it is not there, ValueError when it is no resume's size."""
    return storage.current().local_copy(checked(storage_name), MAX_RESUME_BYTES)


def checked(storage_name: str) -> str:
    if not _NAME.fullmatch(storage_name):
        raise ValueError("not a stored resume name")
    return storage_name
