"""Which applications a report or export covers, read from a page's query
arguments: a role, a stage (export only) and a range of applied dates."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Application, Role, Stage


class FilterError(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class RoleRef:
    """A role as the filters name it: plain values, usable after any commit."""

    id: int
    slug: str
    title: str


@dataclass(frozen=True)
class Filters:
    """Which applications a report or export covers: a role, a stage (export
    only) and a range of applied dates, inclusive, in UTC."""

    role: RoleRef | None = None
    stage: Stage | None = None
    applied_from: date | None = None
    applied_to: date | None = None

    def conditions(self, table=Application.__table__) -> list[ColumnElement]:
        """WHERE conditions on the applications table."""
        conditions = []
        if self.role is not None:
            conditions.append(table.c.role_id == self.role.id)
        if self.stage is not None:
            conditions.append(table.c.stage == self.stage)
        if self.applied_from is not None:
            conditions.append(table.c.applied_at >= _midnight(self.applied_from))
        if self.applied_to is not None:
            conditions.append(table.c.applied_at < _midnight(self.applied_to + timedelta(days=1)))
        return conditions

    def as_dict(self) -> dict[str, str]:
        """The filters as given, for the audit trail and for links."""
        values = {
            "role": self.role.slug if self.role else None,
            "stage": self.stage.value if self.stage else None,
            "from": self.applied_from.isoformat() if self.applied_from else None,
            "to": self.applied_to.isoformat() if self.applied_to else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


# The dates a filter may name: wide enough for any application, narrow enough
# that the day after the last one is still a date.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def _parse_date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"“{name}” must be a date written YYYY-MM-DD.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FilterError(f"“{name}” must be a date between {FIRST_DAY} and {LAST_DAY}.")
    return day


def parse_filters(args, with_stage: bool = True) -> Filters:
    """Filters from query arguments (``role``, ``stage``, ``from``, ``to``);
    empty values mean no filter. Raises FilterError for a value that is not
    usable: an unknown role or stage, a malformed date, or from after to."""
    role = None
    slug = (args.get("role") or "").strip()
    if slug:
        found = db.session.execute(select(Role.id, Role.slug, Role.title).where(Role.slug == slug)).first()
        if found is None:
            raise FilterError("There is no role with that name.")
        role = RoleRef(*found)
    stage = None
    stage_name = (args.get("stage") or "").strip() if with_stage else ""
    if stage_name:
        try:
            stage = Stage(stage_name)
        except ValueError:
            raise FilterError(
                "“stage” must be one of " + ", ".join(s.value for s in Stage) + "."
            ) from None
    applied_from = _parse_date((args.get("from") or "").strip(), "from")
    applied_to = _parse_date((args.get("to") or "").strip(), "to")
    if applied_from and applied_to and applied_from > applied_to:
        raise FilterError("“from” must not be after “to”.")
    return Filters(role, stage, applied_from, applied_to)


def role_choices() -> list[tuple[str, str]]:
    """(slug, title) of every role, for the filter form."""
    return [tuple(row) for row in db.session.execute(select(Role.slug, Role.title).order_by(Role.title))]
