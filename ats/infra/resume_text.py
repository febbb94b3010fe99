"""A resume's text, for the evidence suggestions: the first MAX_RESUME_TEXT
characters of a PDF (pypdf) or Word document (python-docx), or why there are none.

A resume's text is kept in a small per-process cache keyed by the file's path:
a stored resume's random name is never reused or its file rewritten, so a
cached text cannot go stale, and opening the same application again skips
the parsers.
"""
import functools
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..models import Application
from . import resumes

log = logging.getLogger(__name__)

# How much of a resume's text is read, and of a PDF's pages.
MAX_RESUME_TEXT = 200_000
MAX_PDF_PAGES = 60
# How many resumes' texts each process keeps (at most 200,000 characters each).
RESUME_TEXT_CACHE = 32
# A .docx whose parts unpack to more than this is not opened (a ZIP bomb
# would otherwise fill the memory of the worker showing the page).
MAX_DOCX_UNPACKED = 50 * 1024 * 1024


@dataclass(frozen=True)
class ResumeText:
    text: str = ""
    # For the recruiter when the text is not there: why.
    problem: str | None = None
    truncated: bool = False


class ResumeTextError(Exception):
    pass


def read_resume_text(application: Application) -> ResumeText:
    """The first MAX_RESUME_TEXT characters of the resume's text, or why there are none."""
    if not application.resume_storage_name:
        return ResumeText()
    try:
        path = resumes.path_of(application.resume_storage_name)
    except ValueError:
        return ResumeText(problem="The resume file is missing.")
    if not path.is_file():
        return ResumeText(problem="The resume file is missing.")
    return _file_text(str(path), application.resume_content_type)


@functools.lru_cache(maxsize=RESUME_TEXT_CACHE)
def _file_text(path: str, content_type: str | None) -> ResumeText:
    try:
        if content_type == resumes.PDF:
            text = _pdf_text(Path(path))
        elif content_type == resumes.DOCX:
            text = _docx_text(Path(path))
        else:
            return ResumeText(problem="Resume text could not be read.")
    except Exception:  # a malformed file can fail the parsers in many ways
        log.warning("resume text of %s could not be read", Path(path).name, exc_info=True)
        return ResumeText(problem="Resume text could not be read.")
    truncated = len(text) > MAX_RESUME_TEXT
    return ResumeText(text[:MAX_RESUME_TEXT], truncated=truncated)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts, total = [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or total > MAX_RESUME_TEXT:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n\n".join(parts)


def _docx_text(path: Path) -> str:
    import docx

    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
            raise ResumeTextError("the document unpacks to more than we read")
    document = docx.Document(str(path))
    parts, total = [], 0
    for paragraph in _paragraphs(document):
        text = paragraph.text.strip()
        if text and (not parts or parts[-1] != text):
            parts.append(text)
            total += len(text)
            if total > MAX_RESUME_TEXT:
                break
    return "\n\n".join(parts)


def _paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
