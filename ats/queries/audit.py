"""The audit trail page (``/admin/audit``): who did what to which record and
when, newest first, fifty entries a page, filtered by person, kind and dates.

Pages are keyset pages on (created_at, id), never an OFFSET: ``?before=<id>``
shows the entries older than that one, ``?after=<id>`` those newer. Every
combination of the filters has an index ending in (created_at, id)
(migration 0022), so a page is one range scan that stops after 51 rows at a
million entries as at ten. The entry a cursor names is looked up by its
primary key for its time.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import literal, select, tuple_

from ..extensions import db
from ..models import AuditEvent, StaffUser
from .filters import FilterError, _midnight, _parse_date

PAGE_SIZE = 50
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_ID_DIGITS = 18

# What each kind of entry means, for people; an action not listed shows its name.
LABELS = {
    "application.identity_revealed": "Identity revealed after blind review",
    "candidate.export": "Candidate's data exported",
    "interview.book": "Interview booked by the candidate",
    "interview.cancel": "Interview cancelled",
    "interview.offer": "Interview times offered",
    "interview.reschedule": "Interview rescheduled",
    "interview.schedule": "Interview scheduled",
    "job.run_again": "Failed job run again",
    "note.add": "Note added",
    "pipeline.export": "Pipeline CSV exported",
    "resume.download": "Resume downloaded",
    "role.blind_review": "Blind review switched",
    "scorecard.submit": "Scorecard submitted",
    "skills.annotate": "Skill match saved",
    "stage.move": "Stage moved",
    "two_step.enrolment_start": "Two-step sign-in: enrolment started",
    "two_step.off": "Two-step sign-in turned off",
    "two_step.on": "Two-step sign-in turned on",
    "two_step.recovery_code_used": "Two-step sign-in: recovery code used",
    "two_step.recovery_codes": "Two-step sign-in: new recovery codes",
}


class AuditInputError(FilterError):
    """A filter or page address the trail cannot use (answered 400)."""


@dataclass(frozen=True)
class AuditQuery:
    """``?actor=`` (a staff id), ``?action=``, ``?from=``/``?to=`` (YYYY-MM-DD,
    inclusive, UTC) and one cursor, ``?before=`` or ``?after=`` (an entry's id)."""

    actor: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None
    after: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "AuditQuery":
        actor = _whole_number(args, "actor")
        action = (args.get("action") or "").strip()
        if action and (len(action) > 60 or not _ACTION.match(action)):
            raise AuditInputError("“action” must name a kind of entry, such as skills.annotate.")
        since = _parse_date((args.get("from") or "").strip(), "from")
        until = _parse_date((args.get("to") or "").strip(), "to")
        if since and until and since > until:
            raise AuditInputError("“from” must not be after “to”.")
        before, after = _whole_number(args, "before"), _whole_number(args, "after")
        if before is not None and after is not None:
            raise AuditInputError("A page is either before or after an entry, not both.")
        return cls(actor, action, since, until, before, after)

    def args(self, **changes) -> dict[str, str | int]:
        """The query string for a link to this view, or to it with ``changes``."""
        query = replace(self, **changes)
        values = {"actor": query.actor, "action": query.action or None,
                  "from": query.since.isoformat() if query.since else None,
                  "to": query.until.isoformat() if query.until else None,
                  "before": query.before, "after": query.after}
        return {key: value for key, value in values.items() if value is not None}

    @property
    def filtered(self) -> bool:
        return bool(self.actor or self.action or self.since or self.until)


def _whole_number(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _ID_DIGITS or int(raw) < 1:
        raise AuditInputError(f"“{name}” must be a whole number from 1 up.")
    return int(raw)


@dataclass(frozen=True)
class Entry:
    id: int
    created_at: datetime
    action: str
    label: str
    who: str
    application_id: int | None
    detail: list[tuple[str, str]]


@dataclass(frozen=True)
class AuditPage:
    query: AuditQuery
    entries: list[Entry]
    older: int | None  # the ``before`` of the next page, None when this is the last
    newer: int | None  # the ``after`` of the previous page, None when this is the first


def load_page(query: AuditQuery) -> AuditPage:
    """One page of the trail as ``query`` asks; ``AuditInputError`` for an
    actor or a cursor that names nothing."""
    if query.actor is not None and db.session.get(StaffUser, query.actor) is None:
        raise AuditInputError("“actor” names no staff account.")
    newest_first = query.after is None
    statement = select(AuditEvent).where(*_conditions(query))
    order = (AuditEvent.created_at, AuditEvent.id)
    cursor_id = query.before or query.after
    if cursor_id is not None:
        at = db.session.scalar(select(AuditEvent.created_at).where(AuditEvent.id == cursor_id))
        if at is None:
            raise AuditInputError("That page's entry no longer exists: start again from the newest.")
        key = tuple_(*order)
        # Typed as the columns are: a bare datetime in a tuple is sent as a
        # time with a zone, which PostgreSQL compares with the (UTC, zoneless)
        # column in the session's time zone, and the pages go wrong.
        cursor = tuple_(literal(at, AuditEvent.created_at.type), literal(cursor_id, AuditEvent.id.type))
        statement = statement.where(key < cursor if newest_first else key > cursor)
    statement = statement.order_by(*(column.desc() for column in order) if newest_first else order)
    rows = list(db.session.scalars(statement.limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not newest_first:
        rows.reverse()
    if not rows:
        # Past either end: a link back the way the reader came.
        return AuditPage(query, [], query.after, query.before)
    older = rows[-1].id if (more if newest_first else True) else None
    newer = rows[0].id if (cursor_id is not None if newest_first else more) else None
    return AuditPage(query, _entries(rows), older, newer)


def _conditions(query: AuditQuery) -> list:
    conditions = []
    if query.actor is not None:
        conditions.append(AuditEvent.actor_id == query.actor)
    if query.action:
        conditions.append(AuditEvent.action == query.action)
    if query.since is not None:
        conditions.append(AuditEvent.created_at >= _midnight(query.since))
    if query.until is not None:
        conditions.append(AuditEvent.created_at < _midnight(query.until + timedelta(days=1)))
    return conditions


def _entries(rows: list[AuditEvent]) -> list[Entry]:
    names = dict(db.session.execute(
        select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_({row.actor_id for row in rows} - {None}))
    ).all())
    return [
        Entry(row.id, row.created_at, row.action, LABELS.get(row.action, row.action), _who(row, names),
              row.application_id, _detail(row.detail))
        for row in rows
    ]


def _who(row: AuditEvent, names: dict[int, str]) -> str:
    if row.actor_id is None:
        # The candidate acts through their own links (an interview booked, a
        # withdrawal), an interviewer through theirs; everything else without
        # a person is the system or the command line.
        by_candidate = row.action == "interview.book" or (
            row.action == "stage.move" and isinstance(row.detail, dict) and row.detail.get("to") == "withdrawn")
        if row.action == "scorecard.submit":
            return "Interviewer"  # through their scorecard link; the entry names the scorecard
        return "Candidate" if by_candidate else "System"
    return names.get(row.actor_id, f"Staff member #{row.actor_id}")


def _detail(detail) -> list[tuple[str, str]]:
    """The entry's detail as (what, value) lines: nested before/after values
    flattened to "skill: before → after". Plain text: the template escapes it."""
    if not isinstance(detail, dict):
        return [("detail", _text(detail))] if detail else []
    lines = []
    for key, value in detail.items():
        if isinstance(value, dict) and "before" in value and "after" in value:
            extra = {k: v for k, v in value.items() if k not in ("before", "after")}
            text = f"{_text(value['before'])} → {_text(value['after'])}"
            lines.append((str(key), text + (f" ({_text(extra)})" if extra else "")))
        elif isinstance(value, dict):
            lines.extend((f"{key} · {name}", text) for name, text in _detail(value))
        else:
            lines.append((str(key), _text(value)))
    if set(detail) >= {"before", "after"}:
        # A change of one value: shown as one line.
        rest = [line for line in lines if line[0] not in ("before", "after")]
        return [*rest, ("change", f"{_text(detail['before'])} → {_text(detail['after'])}")]
    return lines


def _text(value) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


def actor_choices() -> list[tuple[int, str]]:
    """(id, name) of every staff account, for the person filter."""
    return [tuple(row) for row in db.session.execute(select(StaffUser.id, StaffUser.name).order_by(StaffUser.name))]


def action_choices() -> list[tuple[str, str]]:
    """(action, label) of every kind of entry the code names, by label."""
    return sorted(LABELS.items(), key=lambda item: item[1])
