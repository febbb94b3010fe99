"""Interviews and interviewers' scorecards written straight to the database,
for the tests of what staff read from them (the evidence on the application
page, decisions, the reports). The scorecards' own pages and links are tested
with the operations that make them."""
import secrets
import uuid
from datetime import datetime, timedelta

from ats.models import (
    Company,
    Interview,
    InterviewInterviewer,
    InterviewKind,
    InterviewStatus,
    Recommendation,
    RoleSkill,
    Scorecard,
    ScorecardRating,
    ScorecardVersion,
    SkillLevel,
    utcnow,
)


def add_company(db_session, name: str = "Acme Health", slug: str | None = None) -> Company:
    company = Company(slug=slug or f"company-{secrets.token_hex(3)}", name=name)
    db_session.add(company)
    db_session.commit()
    return company


def add_interview(db_session, application, company, *, ends_at: datetime | None = None, minutes: int = 60,
                  interviewers=("ines@acme.example",), cancelled: bool = False, zone: str = "UTC") -> Interview:
    """An interview of ``application`` with ``company`` that ended at ``ends_at``
    (an hour ago unless given; a time ahead makes one still to come), with
    ``interviewers`` (addresses)."""
    ends_at = ends_at or utcnow() - timedelta(hours=1)
    interview = Interview(
        uid=f"{uuid.uuid4()}@test", application_id=application.id, company_id=company.id,
        kind=InterviewKind.VIDEO, starts_at=ends_at - timedelta(minutes=minutes), ends_at=ends_at,
        timezone=zone, duration_minutes=minutes,
        status=InterviewStatus.CANCELLED if cancelled else InterviewStatus.SCHEDULED,
        interviewers=[InterviewInterviewer(email=email.lower()) for email in interviewers],
    )
    db_session.add(interview)
    db_session.commit()
    return interview


def add_scorecard(db_session, interview, email: str, ratings: dict | None = None, *,
                  recommendation: Recommendation | str | None = Recommendation.YES, summary: str = "",
                  submitted_at: datetime | None = None, submitted: bool = True, versions: int = 1) -> Scorecard:
    """``email``'s scorecard for ``interview``. ``ratings`` maps a skill's slug
    to a level (``SkillLevel`` or its value) or to ``(level, note)``.
    Submitted (``versions`` times, the first at ``submitted_at``, by default
    the interview's end plus two hours) unless ``submitted`` is false, when
    it is the empty scorecard made when the interview ended."""
    skills = {skill.slug: skill for skill in db_session.query(RoleSkill).filter(
        RoleSkill.role_id == interview.application.role_id)}
    first = submitted_at or interview.ends_at + timedelta(hours=2)
    card = Scorecard(interview_id=interview.id, email=email.lower(), salt=secrets.token_hex(16),
                     digest=secrets.token_hex(32), created_at=interview.ends_at)
    if submitted:
        recommendation = Recommendation(recommendation) if recommendation is not None else None
        card.submitted_at, card.updated_at, card.version = first, first + timedelta(minutes=versions - 1), versions
        card.recommendation, card.summary = recommendation, summary
        stored = {}
        for slug, value in (ratings or {}).items():
            level, note = value if isinstance(value, tuple) else (value, "")
            level = SkillLevel(level)
            card.ratings.append(ScorecardRating(skill_id=skills[slug].id, level=level, note=note))
            stored[slug] = {"level": level.value, "note": note}
        for number in range(1, versions + 1):
            card.versions.append(ScorecardVersion(
                version=number, submitted_at=first + timedelta(minutes=number - 1),
                recommendation=recommendation or Recommendation.NO, summary=summary, ratings=stored,
            ))
    db_session.add(card)
    db_session.commit()
    return card


def rate_again(db_session, card: Scorecard, ratings: dict, *, recommendation=None, summary: str | None = None,
               at: datetime | None = None) -> Scorecard:
    """A later submission of ``card``: its current ratings become ``ratings``
    (slug → level or (level, note)), another version is kept."""
    skills = {skill.slug: skill for skill in db_session.query(RoleSkill).filter(
        RoleSkill.role_id == card.interview.application.role_id)}
    at = at or utcnow()
    current = {rating.skill_id: rating for rating in card.ratings}
    stored = {}
    for slug, value in ratings.items():
        level, note = value if isinstance(value, tuple) else (value, "")
        level = SkillLevel(level)
        skill_id = skills[slug].id
        if skill_id in current:
            current[skill_id].level, current[skill_id].note = level, note
        else:
            card.ratings.append(ScorecardRating(skill_id=skill_id, level=level, note=note))
        stored[slug] = {"level": level.value, "note": note}
    if recommendation is not None:
        card.recommendation = Recommendation(recommendation)
    if summary is not None:
        card.summary = summary
    card.version += 1
    card.updated_at = at
    card.versions.append(ScorecardVersion(version=card.version, submitted_at=at,
                                          recommendation=card.recommendation or Recommendation.NO,
                                          summary=card.summary, ratings=stored))
    db_session.commit()
    return card
