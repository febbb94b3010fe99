"""The board's cards as HTML, built in Python.

A board page shows up to 70 cards. Built by Jinja, they were about 45 % of
the page's time: each of some sixteen values per card went through an
attribute lookup, a filter or a test, and escaping. Here a card is one format
string filled with values escaped once: the same markup in a fraction of the
time. The columns and everything around them stay in
``templates/pipeline/board.html``, which outputs this with ``render_cards``.
"""
from collections.abc import Iterable
from urllib.parse import quote

from markupsafe import Markup, escape

from ..queries.board import Card
from ..queries.identity import display_name
from ..templating import short_date

CARD = """<li class="card">
<div class="card__head">
<h3 class="card__name"><a href="/pipeline/applications/{id}">{name}</a></h3>
<label class="card__select"><input type="checkbox" name="application" value="{id}:{version}" form="bulk-move"> Select<span class="visually-hidden"> {name}</span></label>
</div>
<dl class="card__facts">
<div><dt>Location</dt><dd>{location}</dd></div>
<div><dt>Applied</dt><dd><time datetime="{applied_iso}">{applied}</time></dd></div>
<div><dt>In stage</dt><dd>{days}</dd></div>
<div><dt>Skill match</dt><dd>{score}</dd></div>
</dl>
{move}</li>
"""
MOVE = """<p class="card__move"><a href="/pipeline/applications/{id}/stage?next={back}">Move<span class="visually-hidden"> {name}</span></a></p>
"""
HIDDEN = "Hidden"
NOT_SCORED = '<span aria-hidden="true">—</span><span class="visually-hidden">not scored</span>'


def render_cards(cards: Iterable[Card], back: str) -> Markup:
    """The ``<li>`` of each card; their "Move" links return to ``back`` (a
    same-site path, the board as shown)."""
    back = quote(back, safe="/")
    parts = []
    for card in cards:
        # Blind review: the query read no name or location (``ats.queries.identity``).
        name = escape(display_name(card.id, None if card.hidden else card.full_name))
        days = card.days_in_stage
        parts.append(CARD.format(
            id=card.id,
            version=card.version,
            name=name,
            location=HIDDEN if card.hidden else escape(card.location) if card.location else "—",
            applied_iso=card.applied_at.date().isoformat(),
            applied=short_date(card.applied_at),
            days=f"{days} day" if days == 1 else f"{days} days",
            score=NOT_SCORED if card.score is None else f"{card.score:.1f}",
            move=MOVE.format(id=card.id, back=back, name=name) if card.movable else "",
        ))
    # Every value from the database went through escape() above; ids, dates and
    # numbers are formatted by the code, and ``back`` is percent-quoted.
    return Markup("".join(parts))  # nosec B704
