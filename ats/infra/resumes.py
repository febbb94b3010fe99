"""Resume files: judged by their content, stored under random names outside
anything served, and removed again if the application that brought them fails."""
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app

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


def upload_dir() -> Path:
    return Path(current_app.config["ATS_UPLOAD_DIR"])


def store(resume: Resume) -> str:
    """Write the file under a new random name and return that name."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    storage_name = secrets.token_hex(16)
    fd = os.open(directory / storage_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(resume.content)
    return storage_name


def discard(storage_name: str | None) -> None:
    if storage_name:
        (upload_dir() / storage_name).unlink(missing_ok=True)


def stored_before(moment: float) -> list[str]:
    """The names of the stored resumes last written before ``moment`` (a Unix time)."""
    directory = upload_dir()
    if not directory.is_dir():
        return []
    return [path.name for path in directory.iterdir()
            if _NAME.fullmatch(path.name) and path.stat().st_mtime < moment]


def is_stored(storage_name: str) -> bool:
    """Whether the stored resume's file is there (the file is not opened)."""
    try:
        return path_of(storage_name).is_file()
    except ValueError:
        return False


def path_of(storage_name: str) -> Path:
    if not _NAME.fullmatch(storage_name):
        raise ValueError("not a stored resume name")
    return upload_dir() / storage_name
