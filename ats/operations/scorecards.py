"""Interviewers' scorecards: their links, made when an interview ends; the
one reminder a day later; and each submission.

An interview's interviewers are e-mail addresses (``InterviewInterviewer``).
Once a scheduled interview's ``ends_at`` has passed, the sweep
(``ats.jobs.tasks.sweep``, every minute in the worker or the embedded clock,
``flask ats sweep`` from cron) calls :func:`make_links`: one ``Scorecard``
per interviewer, and a ``scorecard.requested`` event whose mail carries the
private link. A reschedule before the end only moves when that happens; a
cancelled interview gets none. :func:`send_reminders` mails, once, those not
submitted ``REMIND_AFTER`` later. Both leave alone an application whose
candidate was erased or that is decided (``DECIDED_STAGES``): nothing could
be submitted any more.

The scorecard is the unique (interview_id, email) row: two sweeps at once
(two workers, or the worker and cron) take turns on the interview's row
(``FOR UPDATE`` on PostgreSQL, SQLite's one write lock), and the second finds
the first's rows, so each interviewer gets one link and one mail.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from ..events import record_event
from ..extensions import db
from ..models import (
    EventType,
    Interview,
    InterviewInterviewer,
    Recommendation,
    Scorecard,
    ScorecardRating,
    ScorecardVersion,
    SkillLevel,
    utcnow,
)
from ..models.audit import record
from ..models.scorecards import DECIDED_STAGES, LINK_VALID_FOR, REMIND_AFTER
from ..queries.scorecard_due import ended_between, takes_scorecards
from . import write_transaction

MAX_RATING_NOTE = 2_000
MAX_SUMMARY = 5_000
# Interviews (or scorecards) one sweep takes; the next sweep takes the rest.
BATCH = 100


class LinkExpired(Exception):
    """The link's time (``LINK_VALID_FOR`` after the interview's end) is over."""


class Decided(Exception):
    """The application is decided: its scorecards can be read, not changed."""


@dataclass(frozen=True)
class RatingInput:
    level: SkillLevel
    note: str = ""


@dataclass(frozen=True)
class Submission:
    """One interviewer's scorecard as sent: a rating per skill slug, the
    recommendation and the summary."""

    ratings: dict[str, RatingInput]
    recommendation: Recommendation
    summary: str = ""


def make_links(now: datetime | None = None) -> list[int]:
    """Make the scorecards of interviews that have ended, with their mail.
    One transaction per interview; returns the new scorecards' ids."""
    now = now or utcnow()
    missing = exists().where(
        InterviewInterviewer.interview_id == Interview.id,
        ~exists().where(Scorecard.interview_id == Interview.id, Scorecard.email == InterviewInterviewer.email),
    )
    due = db.session.scalars(
        select(Interview.id)
        .where(ended_between(now - LINK_VALID_FOR, now), missing, exists().where(takes_scorecards()))
        .order_by(Interview.ends_at, Interview.id)
        .limit(BATCH)
    ).all()
    db.session.commit()
    made: list[int] = []
    for interview_id in due:
        made.extend(_make_links_for(interview_id, now))
    return made


def _make_links_for(interview_id: int, now: datetime) -> list[int]:
    write_transaction()
    try:
        # Two sweeps at once take turns here; the second sees the first's rows.
        interview = db.session.scalars(
            select(Interview).where(Interview.id == interview_id).with_for_update(of=Interview)
        ).one_or_none()
        if (interview is None or interview.is_cancelled or interview.ends_at > now
                or interview.ends_at + LINK_VALID_FOR < now):
            db.session.rollback()
            return []
        application = interview.application
        if application.erased or application.stage in DECIDED_STAGES:
            db.session.rollback()
            return []
        have = set(db.session.scalars(select(Scorecard.email).where(Scorecard.interview_id == interview_id)))
        made = []
        for email in interview.interviewer_emails:
            if email in have:
                continue
            scorecard = Scorecard(interview_id=interview_id, email=email, created_at=now, invited_at=now)
            db.session.add(scorecard)
            db.session.flush()
            record_event(EventType.SCORECARD_REQUESTED, application, scorecard_id=scorecard.id,
                         interview_id=interview_id)
            made.append(scorecard.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return made


def send_reminders(now: datetime | None = None) -> list[int]:
    """Remind, once, each interviewer whose scorecard is not in ``REMIND_AFTER``
    after the interview's end (and after their link was sent), while the link
    works. One transaction per scorecard; returns their ids."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Scorecard.id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .where(
            ended_between(now - LINK_VALID_FOR, now - REMIND_AFTER),
            Scorecard.submitted_at.is_(None),
            Scorecard.reminded_at.is_(None),
            Scorecard.invited_at <= now - REMIND_AFTER,
            exists().where(takes_scorecards()),
        )
        .order_by(Scorecard.id)
        .limit(BATCH)
    ).all()
    db.session.commit()
    return [scorecard_id for scorecard_id in due if _remind(scorecard_id, now)]


def _remind(scorecard_id: int, now: datetime) -> bool:
    write_transaction()
    try:
        scorecard = db.session.scalars(
            select(Scorecard).where(Scorecard.id == scorecard_id).with_for_update(of=Scorecard)
        ).one_or_none()
        if scorecard is None or scorecard.reminded_at is not None or scorecard.submitted_at is not None:
            db.session.rollback()
            return False
        scorecard.reminded_at = now
        record_event(EventType.SCORECARD_REMINDED, scorecard.interview.application, scorecard_id=scorecard.id,
                     interview_id=scorecard.interview_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return True


def submit(scorecard_id: int, submission: Submission, now: datetime | None = None) -> Scorecard:
    """Save an interviewer's scorecard: its current ratings of the role's
    active skills (a skill not sent is "not assessed"), recommendation and
    summary, and the whole of it as a new version; audited. One transaction.

    Raises ``LookupError`` for a scorecard whose link no longer opens
    anything (the interview cancelled, the candidate erased),
    :class:`LinkExpired` and :class:`Decided`; nothing is written then."""
    now = now or utcnow()
    write_transaction()
    try:
        # One submission at a time per scorecard: versions count up without gaps.
        scorecard = db.session.scalars(
            select(Scorecard).where(Scorecard.id == scorecard_id).with_for_update(of=Scorecard)
        ).one_or_none()
        if scorecard is None or scorecard.interview.is_cancelled or scorecard.interview.application.erased:
            raise LookupError(scorecard_id)
        if now > scorecard.expires_at:
            raise LinkExpired(scorecard_id)
        application = scorecard.interview.application
        if application.stage in DECIDED_STAGES:
            raise Decided(scorecard_id)

        current = {rating.skill_id: rating for rating in scorecard.ratings}
        snapshot = {}
        for skill in application.role.active_skills:
            given = submission.ratings.get(skill.slug) or RatingInput(SkillLevel.UNKNOWN)
            rating = current.get(skill.id)
            if rating is None:
                rating = ScorecardRating(skill_id=skill.id)
                scorecard.ratings.append(rating)
            rating.level, rating.note = given.level, given.note
            snapshot[skill.slug] = {"level": given.level.value, "note": given.note}
        scorecard.version += 1
        scorecard.recommendation = submission.recommendation
        scorecard.summary = submission.summary
        scorecard.submitted_at = scorecard.submitted_at or now
        scorecard.updated_at = now
        db.session.add(ScorecardVersion(
            scorecard_id=scorecard.id, version=scorecard.version, submitted_at=now,
            recommendation=submission.recommendation, summary=submission.summary, ratings=snapshot,
        ))
        # No staff member acts: the interviewer, known to admins by the
        # scorecard's id (their address stays in the scorecard, not the trail).
        record("scorecard.submit", None, application.id, scorecard_id=scorecard.id,
               interview_id=scorecard.interview_id, version=scorecard.version)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return scorecard
