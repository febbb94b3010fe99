"""Evidence suggestions: the passages of a candidate's profile and resume that
mention one of a skill's keywords, with the keyword marked.

Suggestions are only shown next to the annotation form; they are never
stored, and the recruiter's own judgement is what gets saved. A resume's text
is kept in a small per-process cache keyed by the file's path: a stored
resume's random name is never reused or its file rewritten, so a cached text
cannot go stale, and opening the same application again skips the parsers.
"""
import functools
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from ..infra import resumes
from ..models import Application, RoleSkill

log = logging.getLogger(__name__)

# At most this many passages per skill, profile first, then resume.
PASSAGES_PER_SKILL = 3
# A passage longer than this is cut to a window around its first match.
MAX_PASSAGE = 280
# How much of a resume's text is read, and of a PDF's pages.
MAX_RESUME_TEXT = 200_000
MAX_PDF_PAGES = 60
# How many resumes' texts each process keeps (at most 200,000 characters each).
RESUME_TEXT_CACHE = 32
# A .docx whose parts unpack to more than this is not opened (a ZIP bomb
# would otherwise fill the memory of the worker showing the page).
MAX_DOCX_UNPACKED = 50 * 1024 * 1024


@dataclass(frozen=True)
class Passage:
    source: str  # "Profile" or "Resume"
    markup: Markup  # escaped text, the keywords wrapped in <mark>


@dataclass(frozen=True)
class ResumeText:
    text: str = ""
    # For the recruiter when the text is not there: why.
    problem: str | None = None
    truncated: bool = False


@dataclass(frozen=True)
class Evidence:
    by_skill: dict[int, list[Passage]] = field(default_factory=dict)
    resume: ResumeText = ResumeText()

    def for_skill(self, skill: RoleSkill) -> list[Passage]:
        return self.by_skill.get(skill.id, [])


class ResumeTextError(Exception):
    pass


def evidence_for(application: Application, skills: list[RoleSkill]) -> Evidence:
    """The suggestions for each of ``skills`` from the application's profile and resume."""
    resume = read_resume_text(application)
    profile_passages = list(passages(application.profile or "", lines_are_breaks=True))
    resume_passages = list(passages(resume.text, lines_are_breaks=False))
    by_skill = {}
    for skill in skills:
        pattern = keyword_pattern(skill.keywords or [])
        if pattern is None:
            continue
        found = _matching(pattern, "Profile", profile_passages)
        if len(found) < PASSAGES_PER_SKILL:
            found += _matching(pattern, "Resume", resume_passages, PASSAGES_PER_SKILL - len(found))
        if found:
            by_skill[skill.id] = found
    return Evidence(by_skill, resume)


def _matching(pattern: re.Pattern, source: str, texts: list[str], limit: int = PASSAGES_PER_SKILL) -> list[Passage]:
    found, seen = [], set()
    for text in texts:
        if len(found) >= limit:
            break
        match = pattern.search(text)
        if match is None:
            continue
        excerpt = _window(text, match)
        if excerpt.casefold() in seen:
            continue
        seen.add(excerpt.casefold())
        found.append(Passage(source, highlight(excerpt, pattern)))
    return found


def keyword_pattern(keywords: list[str]) -> re.Pattern | None:
    """A case-insensitive pattern for any of ``keywords`` as whole words
    ("CT" in "a CT scan", not in "project"); the longest keyword wins."""
    words = sorted({" ".join(k.split()) for k in keywords if k and k.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split(" ")) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern) -> Markup:
    """``text`` escaped, with every match of ``pattern`` wrapped in <mark>."""
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(Markup("<mark>{}</mark>").format(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*[•▪●◦‣∙·*–—-]\s)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def passages(text: str, *, lines_are_breaks: bool) -> list[str]:
    """Sentences and short passages of ``text``, whitespace tidied.

    A profile's line breaks are the candidate's own and end a passage; in text
    taken from a PDF a line break is mostly layout, so only blank lines and
    bullets do.
    """
    blocks = text.splitlines() if lines_are_breaks else _BLOCKS.split(text)
    out = []
    for block in blocks:
        block = " ".join(block.split()).lstrip("•▪●◦‣∙·*–—- ")
        if block:
            out.extend(s for s in _SENTENCE_END.split(block) if s.strip())
    return out


def _window(text: str, match: re.Match) -> str:
    """``text`` if short, else about MAX_PASSAGE characters around ``match``, cut at spaces."""
    if len(text) <= MAX_PASSAGE:
        return text
    start = max(0, match.start() - MAX_PASSAGE // 3)
    end = min(len(text), max(match.end(), start + MAX_PASSAGE))
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


# --- Resume text ------------------------------------------------------------


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
