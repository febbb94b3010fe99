"""Everything held about one candidate, for their right of access (GDPR
art. 15, CCPA, CMIA): ``flask ats export-candidate EMAIL`` (contract, "CLI").

Their identity, every application with its history, the skills they claimed,
how staff assessed those skills and what they noted, interviews and the
scorecards interviewers submitted about them (every version), consent
records, their voluntary self-identification, and the names of their stored
files (never the bytes). Other people's data is left out: interviewers'
addresses, and which member of staff wrote or moved what.
"""
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from ..extensions import db
from .candidates import find_candidate
from ..models import (
    Application,
    ApplicationNote,
    Candidate,
    CandidateMessage,
    Interview,
    MessageStatus,
    Scorecard,
    SelfIdentification,
    SkillAnnotation,
)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z``, as the pipeline CSV writes times."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def candidate_export(email: str) -> dict | None:
    """What is held about the candidate with this address (compared without
    case), as plain data ready for JSON; None when there is no such candidate."""
    candidate = find_candidate(email)
    if candidate is None:
        return None
    return export_of(candidate)


def export_of(candidate: Candidate) -> dict:
    """What is held about ``candidate``, as plain data ready for JSON."""
    applications = db.session.scalars(
        select(Application)
        .where(Application.candidate_id == candidate.id)
        .options(undefer(Application.resume_text), selectinload(Application.history),
                 selectinload(Application.claimed_skills))
        .order_by(Application.id)
    ).all()
    related = _related([application.id for application in applications])
    return {
        "candidate": {
            "email": candidate.email,
            "full_name": candidate.full_name,
            "phone": candidate.phone,
            "location": candidate.location,
            "linkedin_url": candidate.linkedin_url,
            "created_at": iso(candidate.created_at),
            "updated_at": iso(candidate.updated_at),
        },
        "applications": [_application(application, related) for application in applications],
    }


def _related(ids: list[int]) -> dict[str, dict[int, list]]:
    """The rows of other tables that belong to these applications, by application id."""
    related: dict[str, dict[int, list]] = {}
    for name, model, order in (
        ("annotations", SkillAnnotation, SkillAnnotation.id),
        ("notes", ApplicationNote, ApplicationNote.id),
        ("interviews", Interview, Interview.starts_at),
        ("self_identification", SelfIdentification, SelfIdentification.id),
        ("messages", CandidateMessage, CandidateMessage.id),
    ):
        by_application: dict[int, list] = {}
        for row in db.session.scalars(select(model).where(model.application_id.in_(ids)).order_by(order)):
            by_application.setdefault(row.application_id, []).append(row)
        related[name] = by_application
    scorecards: dict[int, list] = {}
    for row in db.session.scalars(
        select(Scorecard).join(Interview, Interview.id == Scorecard.interview_id)
        .where(Interview.application_id.in_(ids), Scorecard.version > 0)
        .options(selectinload(Scorecard.versions))
        .order_by(Interview.starts_at, Scorecard.id)
    ):
        scorecards.setdefault(row.interview.application_id, []).append(row)
    related["scorecards"] = scorecards
    return related


def _scorecard(scorecard: Scorecard) -> dict:
    """An interviewer's scorecard, without the interviewer's address."""
    return {
        "interview": {"company": scorecard.interview.company.name, "starts_at": iso(scorecard.interview.starts_at)},
        "recommendation": scorecard.recommendation.value if scorecard.recommendation else None,
        "summary": scorecard.summary,
        "ratings": [{"skill": rating.skill.slug, "level": rating.level.value, "note": rating.note}
                    for rating in sorted(scorecard.ratings, key=lambda rating: rating.skill.position)],
        "first_submitted_at": iso(scorecard.submitted_at),
        "updated_at": iso(scorecard.updated_at),
        "versions": [
            {"version": version.version, "submitted_at": iso(version.submitted_at),
             "recommendation": version.recommendation.value, "summary": version.summary, "ratings": version.ratings}
            for version in scorecard.versions
        ],
    }


def _application(application: Application, related: dict[str, dict[int, list]]) -> dict:
    own = {name: rows.get(application.id, []) for name, rows in related.items()}
    identification = own["self_identification"][0] if own["self_identification"] else None
    return {
        "id": application.id,
        "role": application.role.slug,
        "role_title": application.role.title,
        "stage": application.stage.value,
        "applied_at": iso(application.applied_at),
        "stage_entered_at": iso(application.stage_entered_at),
        "updated_at": iso(application.updated_at),
        "source": application.source,
        "as_sent": {
            "full_name": application.full_name,
            "email": application.email,
            "phone": application.phone,
            "location": application.location,
            "linkedin_url": application.linkedin_url,
            "profile": application.profile,
        },
        "consent": {"given_at": iso(application.consent_at), "privacy_notice_version": application.consent_version},
        "resume": None if not application.resume_storage_name else {
            "file_name": application.resume_original_name,
            "content_type": application.resume_content_type,
            "size_bytes": application.resume_size,
            "stored_as": application.resume_storage_name,
            "text_read_from_it": application.resume_text,
        },
        "skills_claimed": sorted(skill.slug for skill in application.claimed_skills),
        "skill_assessments": [
            {"skill": row.skill.slug, "level": row.level.value, "note": row.note, "updated_at": iso(row.updated_at)}
            for row in own["annotations"]
        ],
        "notes": [{"body": row.body, "written_at": iso(row.created_at)} for row in own["notes"]],
        "history": [
            {"from": change.from_stage.value if change.from_stage else None, "to": change.to_stage.value,
             "reason": change.reason, "at": iso(change.created_at)}
            for change in sorted(application.history, key=lambda change: (change.created_at, change.id))
        ],
        "interviews": [
            {"company": row.company.name, "kind": row.kind.value, "status": row.status.value,
             "starts_at": iso(row.starts_at), "ends_at": iso(row.ends_at), "timezone": row.timezone,
             "location": row.location}
            for row in own["interviews"]
        ],
        "scorecards": [_scorecard(row) for row in own["scorecards"]],
        "messages_sent": [
            {"template": row.template_key, "sent_at": iso(row.sent_at), "subject": row.subject, "text": row.body_text}
            for row in own["messages"] if row.status is MessageStatus.SENT
        ],
        "self_identification": None if identification is None else {
            "gender": identification.gender, "race_ethnicity": identification.race_ethnicity,
            "veteran": identification.veteran, "disability": identification.disability,
            "given_at": iso(identification.created_at),
        },
    }
