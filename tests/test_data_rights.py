"""A candidate's right of access: ``flask ats export-candidate EMAIL`` prints
everything held about them as JSON (contract, "CLI"), and records that it
did; an unknown address exits 1."""
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ats.models import Application, AuditEvent
from tests.files import pdf_bytes
from tests.test_apply import APPLY_URL, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


def test_export_candidate_prints_everything_held_about_them(app, client, csrf, auth, recruiter, db_session):
    response = client.post(APPLY_URL, data=form(
        csrf(), email="Ada@Example.org", eeo_gender="female", eeo_veteran="not-veteran",
        resume=(io.BytesIO(pdf_bytes("FHIR pipelines and survival models")), "Ada CV.pdf", "application/pdf"),
    ), content_type="multipart/form-data")
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    page = f"/pipeline/applications/{application.id}"

    auth.login(recruiter)
    assert client.post(f"{page}/notes", data={"csrf_token": auth.token(page), "body": "Strong on FHIR."}).status_code == 303
    skills = sorted(skill.slug for skill in application.role.active_skills)
    assert client.post(f"{page}/skills", data={
        "csrf_token": auth.token(page), f"skill-{skills[0]}": "strong", f"note-{skills[0]}": "Two papers.",
    }).status_code == 303
    starts = datetime.now(timezone.utc) + timedelta(days=30)
    assert client.post(f"{page}/interviews", data={
        "csrf_token": auth.token(f"{page}/interviews/new"), "company": "tempus",
        "starts_at": starts.strftime("%Y-%m-%dT10:00"), "timezone": "Europe/Berlin", "duration_minutes": "45",
        "kind": "video", "location": "https://meet.example/abc", "interviewers": "ines@tempus.example",
    }).status_code == 303

    result = app.test_cli_runner().invoke(args=["ats", "export-candidate", " ADA@example.org "])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["candidate"]["email"] == "Ada@example.org"  # the domain as email-validator writes it
    assert record["candidate"]["full_name"] == "Ada Lovelace"
    [exported] = record["applications"]
    assert exported["id"] == application.id and exported["role"] == "healthcare-ai-engineer"
    assert exported["stage"] == "interview"
    assert exported["as_sent"]["profile"].startswith("Built a survival model")
    assert exported["consent"]["privacy_notice_version"] == application.consent_version
    assert exported["consent"]["given_at"].endswith("Z")
    db_session.expire_all()
    stored = db_session.get(Application, application.id)
    assert exported["resume"]["file_name"] == "Ada CV.pdf"
    assert exported["resume"]["stored_as"] == stored.resume_storage_name
    assert "FHIR pipelines and survival models" in exported["resume"]["text_read_from_it"]
    assert exported["skills_claimed"] == sorted(["clinical-nlp", "survival-analysis-risk-stratification"])
    assert [(a["skill"], a["level"], a["note"]) for a in exported["skill_assessments"] if a["level"] == "strong"] \
        == [(skills[0], "strong", "Two papers.")]
    assert [note["body"] for note in exported["notes"]] == ["Strong on FHIR."]
    assert [(step["from"], step["to"]) for step in exported["history"]] == [(None, "applied"), ("applied", "interview")]
    [interview] = exported["interviews"]
    assert (interview["company"], interview["kind"], interview["status"]) == ("Tempus", "video", "scheduled")
    assert exported["self_identification"]["gender"] == "female"
    assert exported["self_identification"]["veteran"] == "not-veteran"
    # Other people's data stays out: the interviewer's address, the staff who acted.
    assert "ines@tempus.example" not in result.stdout and recruiter.email not in result.stdout

    [audit] = db_session.scalars(select(AuditEvent).filter_by(action="candidate.export")).all()
    assert audit.detail == {"applications": [application.id], "by": "command line"}


def test_an_unknown_address_exits_1_and_prints_no_record(app, db_session):
    result = app.test_cli_runner().invoke(args=["ats", "export-candidate", "nobody@example.org"])
    assert result.exit_code == 1
    assert "There is no candidate with the address 'nobody@example.org'." in result.output
    assert "{" not in result.stdout
    assert db_session.scalars(select(AuditEvent).filter_by(action="candidate.export")).all() == []
