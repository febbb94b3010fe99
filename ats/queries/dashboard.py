"""What the recruiter dashboard shows, read in three queries whatever the
number of roles and applications: the roles, their counts per stage (kept by
the database in stage_counts), and the open applications waiting longest.
And, a query each: the signed-in member of staff's own scorecards (when they
interview), and the interviews whose scorecards are overdue."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, select

from ..extensions import db
from . import identity
from ..models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Application,
    Company,
    Interview,
    InterviewStatus,
    Role,
    Scorecard,
    Stage,
    StageCount,
    tokens,
    utcnow,
)
from ..models.scorecards import DECIDED_STAGES, LINK_VALID_FOR, REMIND_AFTER
from .scorecard_due import ended_between

# The dashboard's columns: the open stages in pipeline order, then the closed.
STAGES = OPEN_STAGES + CLOSED_STAGES
LONGEST_WAITING = 5


@dataclass(frozen=True)
class RoleRow:
    slug: str
    title: str
    counts: dict[Stage, int] = field(default_factory=dict)

    def count(self, stage: Stage) -> int:
        return self.counts.get(stage, 0)

    @property
    def open_total(self) -> int:
        return sum(self.count(stage) for stage in OPEN_STAGES)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Waiting:
    application_id: int
    name: str
    role_title: str
    stage: Stage
    days_in_stage: int


@dataclass(frozen=True)
class Dashboard:
    roles: list[RoleRow]
    longest_waiting: list[Waiting]
    stages: tuple[Stage, ...] = STAGES
    first_closed_stage: Stage = CLOSED_STAGES[0]

    @property
    def new_applications(self) -> int:
        return self.stage_total(Stage.APPLIED)

    def stage_total(self, stage: Stage) -> int:
        return sum(row.count(stage) for row in self.roles)

    @property
    def open_total(self) -> int:
        return sum(row.open_total for row in self.roles)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.roles)


def load_dashboard(now: datetime | None = None, *, blinded: bool = False) -> Dashboard:
    """``blinded``: the viewer is one blind review applies to; an application
    it hides is listed under its pseudonym, its name never read
    (``ats.queries.identity``)."""
    now = now or utcnow()
    name = identity.shown(Application.full_name, identity.hidden_condition()) if blinded else Application.full_name
    rows = {
        role_id: RoleRow(slug, title)
        for role_id, slug, title in db.session.execute(
            db.select(Role.id, Role.slug, Role.title).order_by(Role.title, Role.id)
        )
    }
    for role_id, stage, count in db.session.execute(
        db.select(StageCount.role_id, StageCount.stage, StageCount.applications)
    ):
        rows[role_id].counts[stage] = count

    waiting = [
        Waiting(app_id, identity.display_name(app_id, shown_name), role_title, stage,
                (now - entered_at).days)
        for app_id, shown_name, role_title, stage, entered_at in db.session.execute(
            db.select(
                Application.id,
                name,
                Role.title,
                Application.stage,
                Application.stage_entered_at,
            )
            .join(Role, Application.role_id == Role.id)
            # The stages written into the statement, not bound: only then can
            # SQLite (and a generic plan on PostgreSQL) see that the partial
            # index of open applications (migration 0009) covers the query,
            # instead of sorting every application (18.7 ms to 0.1 ms at 50,000).
            .where(Application.stage.in_(bindparam("open_stages", OPEN_STAGES, expanding=True, literal_execute=True)))
            .order_by(Application.stage_entered_at, Application.id)
            .limit(LONGEST_WAITING)
        )
    ]
    return Dashboard(roles=list(rows.values()), longest_waiting=waiting)


# --- Scorecards -------------------------------------------------------------

# Rows each scorecard list reads at most.
SCORECARDS_SHOWN = 20


@dataclass(frozen=True)
class OwnScorecard:
    """One of the viewer's own scorecards, as an interviewer: the link is
    theirs, and so is the candidate's name (they met them; blind review is
    for recruiters' judgement of the papers)."""

    token: str
    candidate_name: str
    role_title: str
    company_name: str
    interview: Interview
    submitted_at: datetime | None
    version: int
    decided: bool


def own_scorecards(email: str, now: datetime | None = None) -> list[OwnScorecard]:
    """The scorecards of the interviewer at ``email`` whose links still
    work: those to fill in first, then the latest. One query (by the
    scorecards' email index)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Scorecard.salt, Application.full_name, Role.title, Company.name, Interview, Scorecard.submitted_at,
               Scorecard.version, Application.stage)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Role, Role.id == Application.role_id)
        .join(Company, Company.id == Interview.company_id)
        .where(
            Scorecard.email == email.strip().lower(),
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.ends_at >= now - LINK_VALID_FOR,
            Application.erased_at.is_(None),
        )
        .order_by(case((Scorecard.submitted_at.is_(None), 0), else_=1), Interview.ends_at.desc(), Scorecard.id)
        .limit(SCORECARDS_SHOWN)
    ).all()
    return [
        OwnScorecard(tokens.key_for(tokens.SCORECARD, salt), name, title, company, interview, submitted_at, version,
                     stage in DECIDED_STAGES)
        for salt, name, title, company, interview, submitted_at, version, stage in rows
    ]


@dataclass
class AwaitingFeedback:
    """An interview that ended more than ``REMIND_AFTER`` ago whose
    scorecards are not all in; ``missing``: the interviewers' addresses."""

    interview_id: int
    application_id: int
    name: str
    role_title: str
    company_name: str
    ends_at: datetime
    overdue: timedelta
    missing: list[str] = field(default_factory=list)

    @property
    def overdue_text(self) -> str:
        hours = int(self.overdue.total_seconds() // 3600)
        if hours < 48:
            return f"{hours} hour{'' if hours == 1 else 's'}"
        return f"{hours // 24} days"


def awaiting_feedback(now: datetime | None = None, *, blinded: bool = False) -> list[AwaitingFeedback]:
    """Interviews of undecided applications that ended more than
    ``REMIND_AFTER`` ago (and whose links still work) with scorecards not
    submitted, longest overdue first. ``blinded``: names as blind review
    lets the viewer see them (``ats.queries.identity``). One query, on a
    range of the interviews' (status, starts_at) index."""
    now = now or utcnow()
    earliest, latest = now - LINK_VALID_FOR, now - REMIND_AFTER
    rows = db.session.execute(
        select(Interview.id, Interview.application_id, Interview.ends_at, Role.title, Company.name, Scorecard.email)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Role, Role.id == Application.role_id)
        .join(Company, Company.id == Interview.company_id)
        .where(
            Scorecard.submitted_at.is_(None),
            ended_between(earliest, latest),
            Application.erased_at.is_(None),
            Application.stage.not_in(list(DECIDED_STAGES)),
        )
        .order_by(Interview.ends_at, Interview.id, Scorecard.email)
        .limit(SCORECARDS_SHOWN * 5)
    ).all()
    found: dict[int, AwaitingFeedback] = {}
    for interview_id, application_id, ends_at, title, company, email in rows:
        item = found.get(interview_id)
        if item is None:
            if len(found) == SCORECARDS_SHOWN:
                break
            item = found[interview_id] = AwaitingFeedback(interview_id, application_id, "", title, company, ends_at,
                                                          now - ends_at - REMIND_AFTER)
        item.missing.append(email)
    names = identity.identities([item.application_id for item in found.values()], blinded)
    for item in found.values():
        item.name = names[item.application_id].name
    return list(found.values())
