"""The board's ``?q=``: applications whose name, email, location, profile or
resume text contains the whole query, without case, through each database's
own text index (migration 0018).

- PostgreSQL: ILIKE on the five texts joined by U+001F, the expression of the
  ``ix_applications_search`` trigram (pg_trgm GIN) index. A query of fewer
  than three characters holds no trigram: it scans, through another
  statement (``search_condition``).
- SQLite: the ``applications_search`` FTS5 table (trigram tokenizer) finds
  the rows holding the query, and the exact condition below confirms each,
  so the results are the plain substring match's, whatever the tokenizer
  does. A query of fewer than three characters, or one with a letter the
  tokenizer folds otherwise than Python (``_folds_like_python``), scans.

U+001F is white space to ``BoardQuery``, which folds every run of white space
into one space and refuses control characters (FTS5's query syntax would end
a string at NUL): no query holds it, so no match runs across two texts.
"""
import functools
import sqlite3

from sqlalchemy import and_, column, func, literal, literal_column, not_, or_, select, table

from ..infra import sqlite
from ..models import Application

# The texts ``?q=`` searches: the application's own copy of the candidate's
# details, as they applied, and the text read from their resume.
SEARCHED = (
    Application.full_name, Application.email, Application.location, Application.profile, Application.resume_text,
)
# Trigram indexes find nothing shorter.
TRIGRAM = 3

# The expression ``ix_applications_search`` indexes, written as the migration
# writes it (the separator and the empty text as literals, not parameters,
# or the planner would not know it for the index's).
_JOINED_PG = SEARCHED[0]
for _text in (*SEARCHED[1:-1], func.coalesce(SEARCHED[-1], literal_column("''"))):
    _JOINED_PG = _JOINED_PG.op("||")(literal_column("E'\\x1f'")).op("||")(_text)

# The FTS5 table; its hidden column of the same name is what MATCH is asked of.
_FTS = table("applications_search", column("rowid"), column("applications_search"))


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) for values containing ``text`` literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(text: str) -> str:
    """An FTS5 query for ``text`` as one phrase: every character literal."""
    return '"' + text.replace('"', '""') + '"'


def search_condition(role_id: int, text: str, dialect: str, *, blind: bool = False):
    """The applications of the role ``role_id`` whose name, email, location,
    profile or resume text contain ``text``, without case; with ``blind``
    (the role's blind review, for a recruiter), hidden applications match by
    their profile alone (``blind_condition``)."""
    condition = _search_condition(role_id, text, dialect)
    return and_(condition, blind_condition(text, dialect)) if blind else condition


def blind_condition(text: str, dialect: str):
    """Under blind review, an application whose identity is hidden matches on
    its profile only: never on its name, e-mail, location or resume text,
    which the page does not show, or a search by name would say who is who.
    Nor when its own name, e-mail, phone or location contains a word of the
    query, or the query contains one of them (words and texts of three
    characters or more): the profile may name the candidate (the page masks
    it, ``ats.queries.identity.masked_profile``), and a match there would
    say the same. The text index still finds the rows (this is a further
    condition on its matches)."""
    contains = functools.partial(_contains, like_pattern(text), dialect)
    identity = (Application.full_name, Application.email, Application.phone, Application.location)
    words = {word for word in text.split() if len(word) >= 3} | {text}
    holds_a_word = [_contains(like_pattern(word), dialect, column) for word in sorted(words) for column in identity]
    query = func.lower(literal(text)) if dialect == "postgresql" else getattr(func, sqlite.LOWER)(literal(text))
    position = func.strpos if dialect == "postgresql" else func.instr
    names_itself = [
        and_(func.length(column) >= 3, position(query, func.lower(column) if dialect == "postgresql"
                                    else getattr(func, sqlite.LOWER)(column)) > 0)
        for column in identity
    ]
    return or_(
        Application.identity_revealed_at.is_not(None),
        and_(contains(Application.profile), not_(or_(*holds_a_word, *names_itself))),
    )


def _contains(pattern: str, dialect: str, text_column):
    """``text_column`` contains the LIKE ``pattern``, without case."""
    if dialect == "postgresql":
        return text_column.ilike(pattern, escape="\\")
    if pattern.isascii():
        return text_column.like(pattern, escape="\\")
    return getattr(func, sqlite.LOWER)(text_column).like(pattern.lower(), escape="\\")


def _search_condition(role_id: int, text: str, dialect: str):
    in_role = Application.role_id == role_id
    if dialect == "postgresql":
        if len(text) < TRIGRAM:
            # A statement of its own, not the index's expression: psycopg
            # prepares a statement run often, and PostgreSQL may then plan it
            # once for any pattern, through the index, which a pattern
            # without trigrams would read whole.
            pattern = like_pattern(text)
            return and_(in_role, or_(*(text_column.ilike(pattern, escape="\\") for text_column in SEARCHED)))
        return and_(in_role, postgresql_match(text))
    exact = _sqlite_exact(text)
    if len(text) < TRIGRAM or not (text.isascii() or all(map(_folds_like_python, text))):
        return and_(in_role, exact)  # a scan: the index cannot find these (module docstring)
    found = select(_FTS.c.rowid).where(_FTS.c.applications_search.match(fts_phrase(text)))
    # The index's matches must drive the query. Without statistics SQLite
    # takes an equality for a handful of rows and would read the whole role
    # through ix_applications_role_stage_entered, looking each row up in
    # the matches; ``role_id + 0`` keeps that term off the index.
    return and_(Application.id.in_(found), (Application.role_id + 0) == role_id, exact)


def postgresql_match(text: str):
    """Rows whose texts contain ``text``, without case: ILIKE on the expression
    ``ix_applications_search`` indexes, which its trigrams answer."""
    return _JOINED_PG.ilike(like_pattern(text), escape="\\")


def _sqlite_exact(text: str):
    """The substring match itself, on SQLite.

    SQLite's LIKE folds ASCII letters only, which is all an ASCII query needs
    (only the Kelvin sign and the dotted capital I fold into ASCII, and an
    ASCII query misses them there); a query with other letters goes through
    the ``unicode_lower`` function (``ats.infra.sqlite``), called once per
    row on the texts joined.
    """
    pattern = like_pattern(text)
    if text.isascii():
        return or_(*(text_column.like(pattern, escape="\\") for text_column in SEARCHED))
    separator = literal("\x1f")
    joined = SEARCHED[0]
    for text_column in SEARCHED[1:]:
        joined = joined.concat(separator).concat(func.coalesce(text_column, ""))
    return getattr(func, sqlite.LOWER)(joined).like(pattern.lower(), escape="\\")


@functools.cache
def _folds_like_python(character: str) -> bool:
    """Whether the trigram tokenizer folds every character that Python's
    ``str.lower`` takes to ``character.lower()`` to the same token, so the
    index finds whatever the exact match would.

    SQLite's case folding follows an older Unicode than Python's (Cherokee,
    Georgian Mtavruli and some recent Latin letters are not folded by
    SQLite 3.40): a query holding one of those scans instead. Asked of the
    tokenizer itself, once per character and process.
    """
    lower = character.lower()
    if len(lower) != 1:
        return False  # "İ" lowers to two characters: the exact match decides alone
    return lower not in _misfolded()


@functools.cache
def _misfolded() -> frozenset[str]:
    """The lower-case letters that some capital, folded by the trigram tokenizer, does not become."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(letter, tokenize='trigram')")
        capitals = [chr(code) for code in range(0x80, 0x110000)
                    if not 0xD800 <= code < 0xE000 and len(chr(code).lower()) == 1 and chr(code).lower() != chr(code)]
        connection.executemany("INSERT INTO probe (rowid, letter) VALUES (?, ?)",
                               ((ord(capital), capital.lower() * TRIGRAM) for capital in capitals))
        return frozenset(
            capital.lower() for capital in capitals
            if connection.execute("SELECT 1 FROM probe WHERE rowid = ? AND probe MATCH ?",
                                  (ord(capital), fts_phrase(capital * TRIGRAM))).fetchone() is None
        )
    finally:
        connection.close()
