"""Evidence suggestions: the passages of a candidate's profile and resume that
mention one of a skill's keywords, with the keywords found.

Suggestions are only shown next to the annotation form; they are never
stored, and the recruiter's own judgement is what gets saved. A passage is
plain text cut into pieces, each marked or not; the template escapes the
text and draws the marks.

The resume's text is the one stored with the application when the resume
arrived (``ats.operations.resume_text``): a page never parses a file.
"""
import re
from dataclasses import dataclass, field

from ..infra import resumes
from ..infra.resume_text import UNREADABLE, ResumeText
from ..models import Application, ResumeTextStatus, RoleSkill

# At most this many passages per skill, profile first, then resume.
PASSAGES_PER_SKILL = 3
# A passage longer than this is cut to a window around its first match.
MAX_PASSAGE = 280
MISSING = "The resume file is missing."
PENDING = "The resume's text has not been read yet."


@dataclass(frozen=True)
class Passage:
    source: str  # "Profile" or "Resume"
    pieces: tuple[tuple[str, bool], ...]  # (text, whether it is a keyword found), in order

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    @property
    def marked(self) -> list[str]:
        return [text for text, is_match in self.pieces if is_match]


@dataclass(frozen=True)
class Evidence:
    by_skill: dict[int, list[Passage]] = field(default_factory=dict)
    resume: ResumeText = ResumeText()

    def for_skill(self, skill: RoleSkill) -> list[Passage]:
        return self.by_skill.get(skill.id, [])


def evidence_for(application: Application, skills: list[RoleSkill], *, profile: str | None = None,
                 with_resume: bool = True) -> Evidence:
    """The suggestions for each of ``skills`` from the application's profile
    (or ``profile``, the text the page shows) and, ``with_resume``, its resume
    (blind review leaves the resume out: ``ats.queries.identity``)."""
    resume = stored_resume_text(application) if with_resume else ResumeText()
    profile = application.profile if profile is None else profile
    profile_passages = list(passages(profile or "", lines_are_breaks=True))
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


def stored_resume_text(application: Application) -> ResumeText:
    """The resume's text as stored with the application, or why there is none."""
    if not application.resume_storage_name:
        return ResumeText()
    try:
        missing = not resumes.is_stored(application.resume_storage_name)
    except resumes.StorageUnavailable:
        missing = False  # cannot tell now; the text below is the database's own
    if missing:
        return ResumeText(problem=MISSING)
    status = application.resume_text_status
    if status == ResumeTextStatus.READ:
        return ResumeText(application.resume_text or "", truncated=application.resume_text_truncated)
    if status == ResumeTextStatus.UNREADABLE:
        return ResumeText(problem=UNREADABLE)
    return ResumeText(problem=PENDING)


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


def highlight(text: str, pattern: re.Pattern) -> tuple[tuple[str, bool], ...]:
    """``text`` in pieces: every match of ``pattern`` marked, the text between not."""
    pieces, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            pieces.append((text[last:match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return tuple(pieces)


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
