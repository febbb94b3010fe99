"""A role's board: its applications in one column per stage, searched and paged,
and bulk moves from it.

Reading a board takes two queries (three with the signed-in user) whatever
the number of applications: the role, with its skill count and its seven
counts per stage (kept by the database's triggers in ``stage_counts``, so
they cost the same at any size); then, without ``?q=``, the cards of every
column shown (one UNION ALL of per-stage range scans on the
``ix_applications_role_stage_entered`` index, each stopping after a page of
cards); with ``?q=``, the matches the database's text index finds
(``search``), counted per stage and numbered in one pass (window functions).
"""
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, union_all

from ..extensions import db
from ..models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Application,
    Role,
    RoleSkill,
    Stage,
    StageCount,
    utcnow,
)
from ..models.assessment import skill_match_score
from ..models.stage_rules import allowed_moves
from . import identity
from .search import search_condition

# The columns: open stages in pipeline order, then the closed ones.
BOARD_STAGES = OPEN_STAGES + CLOSED_STAGES
# Cards per column and page, longest in their stage first: about a screen's
# height, and a page of seven columns renders in a few milliseconds.
PAGE_SIZE = 10
# A bulk move handles at most this many applications (a full page is 7 × 10).
BULK_LIMIT = 200
# What ``?q=`` may not hold once its white space is folded.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BoardInputError(ValueError):
    """A board address or bulk form the board cannot use; the message says why."""


# --- What the address asks for -------------------------------------------------


@dataclass(frozen=True)
class BoardQuery:
    """``?q=``, ``?stage=`` and ``?page=``, checked."""

    q: str = ""
    stage: Stage | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "BoardQuery":
        q = " ".join((args.get("q") or "").split())
        if _CONTROL.search(q):
            # No stored text holds one (forms drop or refuse them), and
            # PostgreSQL refuses NUL in a query.
            raise BoardInputError("A search cannot hold control characters: type the text to look for.")
        stage = None
        if args.get("stage"):
            try:
                stage = Stage(args["stage"])
            except ValueError:
                names = ", ".join(s.value for s in BOARD_STAGES)
                raise BoardInputError(
                    f"There is no stage called “{args['stage']}”. The stages are: {names}."
                ) from None
        page = 1
        if "page" in args:
            raw = args["page"]
            # ASCII digits only: int() would also take " 2", "+2" and "٢".
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
                raise BoardInputError(f"“{raw}” is not a page number: pages are counted from 1.")
            page = int(raw)
        return cls(q, stage, page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def args(self, **changes) -> dict[str, str | int]:
        """The query string for a link to this view, or to it with ``changes``."""
        query = replace(self, **changes)
        args: dict[str, str | int] = {}
        if query.q:
            args["q"] = query.q
        if query.stage:
            args["stage"] = query.stage.value
        if query.page != 1:
            args["page"] = query.page
        return args


# --- What the board shows ---------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to make, and there are 175 a page
class Card:
    id: int
    full_name: str | None  # None (and location too) while blind review hides them
    location: str | None
    applied_at: datetime
    stage: Stage
    closed_from_stage: Stage | None
    version: int
    days_in_stage: int
    score: float | None
    # Whether the rules allow any move now (the card then links to the move page).
    movable: bool = False

    @property
    def hidden(self) -> bool:
        """Blind review hides who applied: no name or location was read."""
        return self.full_name is None


@dataclass(frozen=True)
class Column:
    stage: Stage
    count: int
    cards: list[Card]


@dataclass(frozen=True)
class Board:
    role_id: int
    role_slug: str
    role_title: str
    query: BoardQuery
    counts: dict[Stage, int]
    columns: list[Column]
    # Blind review hides the identity of applications not yet revealed.
    blind: bool = False

    @property
    def total(self) -> int:
        """Applications matching ``?q=`` in the columns shown."""
        return sum(column.count for column in self.columns)

    @property
    def pages(self) -> int:
        """Pages needed for the longest column shown (at least one)."""
        longest = max((column.count for column in self.columns), default=0)
        return max(1, -(-longest // PAGE_SIZE))

    @property
    def cards_shown(self) -> int:
        return sum(len(column.cards) for column in self.columns)


_CARD_REST = (
    Application.applied_at,
    Application.stage,
    Application.closed_from_stage,
    Application.version,
    Application.stage_entered_at,
    Application.skills_strong,
    Application.skills_partial,
    Application.skills_assessed,
)
_CARD_COLUMNS = (
    Application.id,
    Application.full_name,
    Application.location,
    *_CARD_REST,
)
# The same under blind review (``ats.queries.identity``): the database answers
# NULL for the name and location of an application not yet revealed.
_BLIND_CARD_COLUMNS = (
    Application.id,
    identity.shown(Application.full_name, Application.identity_revealed_at.is_(None)).label("full_name"),
    identity.shown(Application.location, Application.identity_revealed_at.is_(None)).label("location"),
    *_CARD_REST,
)


# The board's fixed statements, built once (see ``_pages``). The role, its
# number of skills and its seven counts per stage (kept in stage_counts by the
# database's triggers) come in one row.
_ROLE = select(
    Role.id,
    Role.slug,
    Role.title,
    Role.blind_review,
    select(func.count())
    .where(RoleSkill.role_id == Role.id, RoleSkill.retired.is_(False))
    .scalar_subquery(),
    *(
        select(StageCount.applications)
        .where(StageCount.role_id == Role.id, StageCount.stage == stage)
        .scalar_subquery()
        .label(stage.value)
        for stage in BOARD_STAGES
    ),
).where(Role.slug == bindparam("slug"))


def board_role(role_slug: str):
    """The role's id, slug, title and status, or None when there is no such role."""
    return db.session.execute(
        select(Role.id, Role.slug, Role.title, Role.status).where(Role.slug == role_slug)
    ).first()


def load_board(role_slug: str, query: BoardQuery, now: datetime | None = None, *,
               blinded: bool = False) -> Board | None:
    """The board of the role ``role_slug`` as ``query`` asks for it; None when
    there is no such role. ``blinded``: the viewer is one blind review applies
    to (``ats.queries.identity``); if the role's is on, cards not yet revealed
    carry no name or location and ``?q=`` finds them by their profile only."""
    now = now or utcnow()
    role = db.session.execute(_ROLE, {"slug": role_slug}).first()
    if role is None:
        return None
    role_id, slug, title, blind_review, skills, *stage_counts = role
    blind = blinded and blind_review

    shown = [query.stage] if query.stage else list(BOARD_STAGES)
    counts = dict.fromkeys(BOARD_STAGES, 0)
    rows = []
    if query.q:
        # The text index finds the matches; one pass counts them per stage
        # and numbers them within it.
        search = search_condition(role_id, query.q, db.session.get_bind().dialect.name, blind=blind)
        for row in db.session.execute(_search_page(search, shown, query.offset, blind)):
            counts[row.stage] = row.matches
            if row.number > query.offset and row.stage in shown:
                rows.append(row)
    else:
        counts.update(zip(BOARD_STAGES, stage_counts))
        wanted = tuple(stage for stage in shown if counts[stage] > query.offset)
        if wanted:
            rows = db.session.execute(_pages(wanted, blind), {"role_id": role_id, "offset": query.offset}).all()

    cards: dict[Stage, list[Card]] = {stage: [] for stage in shown}
    for row in rows:
        card = _card(row, skills, now)
        cards[card.stage].append(card)
    columns = [Column(stage, counts[stage], cards[stage]) for stage in shown]
    return Board(role_id, slug, title, query, counts, columns, blind)


@functools.cache
def _pages(stages: tuple[Stage, ...], blind: bool = False):
    """One page of each stage's applications, longest in the stage first, in
    one query: per stage, a range scan of the (role, stage, entered) index
    that stops after a page. Parameters: ``role_id`` and ``offset``.

    Built once per set of stages: SQLAlchemy then finds the compiled SQL in
    its cache without building and hashing the statement on every request.
    """
    pages = [
        select(*(_BLIND_CARD_COLUMNS if blind else _CARD_COLUMNS))
        .where(Application.role_id == bindparam("role_id"), Application.stage == stage)
        .order_by(Application.stage_entered_at, Application.id)
        .limit(PAGE_SIZE)
        .offset(bindparam("offset"))
        for stage in stages
    ]
    if len(pages) == 1:
        return pages[0]
    # Each part keeps its own ORDER BY and LIMIT inside a subquery (SQLite
    # allows neither on a bare member of a compound SELECT).
    return union_all(*(select(page.subquery()) for page in pages))


def _search_page(search, shown: list[Stage], offset: int, blind: bool = False):
    """The matching applications of the page, numbered within their stage and
    with their stage's number of matches; plus the first match of every
    stage, which carries the count for the stage filter and the headings."""
    numbered = (
        select(
            *(_BLIND_CARD_COLUMNS if blind else _CARD_COLUMNS),
            func.row_number()
            .over(partition_by=Application.stage, order_by=(Application.stage_entered_at, Application.id))
            .label("number"),
            func.count().over(partition_by=Application.stage).label("matches"),
        )
        .where(search)
        .subquery()
    )
    on_page = and_(
        numbered.c.stage.in_(shown), numbered.c.number > offset, numbered.c.number <= offset + PAGE_SIZE
    )
    return (
        select(numbered)
        .where(or_(on_page, numbered.c.number == 1))
        .order_by(numbered.c.stage, numbered.c.number)
    )


def _card(row, skill_count: int, now: datetime) -> Card:
    """A card for ``row`` (the ``_CARD_COLUMNS``)."""
    (id_, full_name, location, applied_at, stage, closed_from_stage, version, entered_at,
     strong, partial, assessed) = row[:11]
    return Card(id_, full_name, location, applied_at, stage, closed_from_stage, version,
                max(0, (now - entered_at).days), skill_match_score(strong, partial, assessed, skill_count),
                _movable(stage, closed_from_stage))


@functools.cache
def _movable(stage: Stage, closed_from_stage: Stage | None) -> bool:
    """Whether the rules allow any move from ``stage`` (closed from
    ``closed_from_stage``): all the rules look at, so worked out once per pair."""
    return bool(allowed_moves(Application(stage=stage, closed_from_stage=closed_from_stage)))
