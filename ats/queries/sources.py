"""Where applications came from: applications and hires per source, for the
reports page (one GROUP BY, the reports' filters)."""
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import Application, Stage
from .filters import Filters


@dataclass(frozen=True)
class SourceRow:
    source: str
    applications: int
    # Applications whose furthest stage is hired (a hire later reopened counts).
    hires: int

    @property
    def hire_rate(self) -> float | None:
        return self.hires / self.applications if self.applications else None


def by_source(filters: Filters) -> list[SourceRow]:
    """One row per source of the applications ``filters`` covers, most applications first."""
    applications = Application.__table__
    count = func.count().label("applications")
    hires = func.sum(case((applications.c.furthest_stage == Stage.HIRED, 1), else_=0))
    query = (
        select(applications.c.source, count, hires)
        .where(*filters.conditions())
        .group_by(applications.c.source)
        .order_by(count.desc(), applications.c.source)
    )
    return [SourceRow(source, total, int(hired or 0)) for source, total, hired in db.session.execute(query)]
