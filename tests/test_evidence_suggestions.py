"""Evidence suggestions on an application's staff page (issue 4, "One
application"): keywords of each skill marked in the profile and the resume's
text, read from PDF and Word files, escaped, capped, and never saved."""
import re

import pytest
from sqlalchemy import func, select

from ats.infra import resume_text
from ats.infra.resumes import DOCX, PDF
from ats.models import Application, SkillAnnotation
from ats.queries import evidence
from tests.applications import ada, page_url
from tests.files import docx_bytes, pdf_bytes
from tests.pages import text_of


def evidence_block(body: str, slug: str) -> str:
    row = re.search(rf'<fieldset class="skill-row[^"]*"[^>]*>(?:(?!</fieldset>).)*name="skill-{slug}"', body, re.S)
    assert row, slug
    return row.group(0)


def test_suggestions_mark_keywords_in_the_profile_and_resume(client, signed_in, create_application, role,
                                                             attach_resume, db_session):
    application_id = create_application(role, **ada(profile=(
        "I built a Cox model for sepsis <risk> & outcomes.\n"
        "Ran HIPAA de-identification on clinical notes.\n"
        "Collecting projects in Connecticut is not CT."
    ))).id
    attach_resume(application_id, pdf_bytes("Integrated FHIR and HL7 feeds into the Epic EHR."))
    body = client.get(page_url(application_id)).get_data(as_text=True)
    survival = evidence_block(body, "survival-analysis-risk-stratification")
    assert ("I built a <mark>Cox</mark> model for <mark>sepsis</mark> &lt;risk&gt; &amp; outcomes." in survival)
    hipaa = evidence_block(body, "hipaa-phi-deidentification")
    assert "Ran <mark>HIPAA</mark> <mark>de-identification</mark> on clinical notes." in hipaa
    nlp = evidence_block(body, "clinical-nlp")
    assert "<mark>clinical notes</mark>" in nlp
    # Whole words only: "projects" and "Connecticut" hold no CT, "not CT." does.
    imaging = evidence_block(body, "medical-image-analysis")
    assert "Connecticut is not <mark>CT</mark>." in imaging
    assert "<mark>CT</mark>" not in imaging.replace("not <mark>CT</mark>", "")
    ehr = evidence_block(body, "ehr-fhir-hl7-integration")
    assert '<span class="evidence__source">Resume</span>' in ehr
    assert "<mark>FHIR</mark> and <mark>HL7</mark>" in ehr and "<mark>Epic</mark> <mark>EHR</mark>" in ehr
    # Suggestions are shown, never saved.
    assert db_session.scalar(select(func.count()).select_from(SkillAnnotation)) == 0


def test_suggestions_read_word_resumes(client, signed_in, create_application, role, attach_resume):
    application_id = create_application(role, **ada(profile="Nothing relevant here.")).id
    attach_resume(application_id, docx_bytes("Calibrated a Bayesian ensemble with conformal prediction."),
                  DOCX, "cv.docx")
    body = client.get(page_url(application_id)).get_data(as_text=True)
    block = evidence_block(body, "uncertainty-calibration")
    assert "Calibrated a <mark>Bayesian</mark> ensemble with <mark>conformal</mark> prediction." in block


def test_a_malformed_resume_is_reported_and_the_page_still_works(client, signed_in, create_application, role,
                                                               attach_resume, caplog):
    application_id = create_application(role, **ada()).id
    attach_resume(application_id, b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\x00\xff", PDF)
    response = client.get(page_url(application_id))
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Resume text could not be read." in text
    # The profile still gives suggestions.
    assert "sepsis" in text


def test_the_page_shows_the_text_read_when_the_resume_arrived_and_parses_nothing(client, signed_in,
                                                                                create_application, role,
                                                                                attach_resume, monkeypatch):
    first, second = (create_application(role, **ada(profile="Nothing relevant here.")).id for _ in range(2))
    attach_resume(first, pdf_bytes("Integrated FHIR feeds."))
    attach_resume(second, pdf_bytes("Integrated HL7 feeds."))
    # Any reading of a file from here on would start a child process.
    monkeypatch.setattr(resume_text.subprocess, "run", lambda *a, **k: pytest.fail("a page read a file"))
    for application_id in (first, second, first, second, first):
        body = client.get(page_url(application_id)).get_data(as_text=True)
        assert "<mark>FHIR</mark>" in body if application_id == first else "<mark>HL7</mark>" in body


def test_a_broken_word_file_is_reported(client, signed_in, create_application, role, attach_resume):
    application_id = create_application(role, **ada()).id
    attach_resume(application_id, b"PK\x03\x04 not really a zip", DOCX, "cv.docx")
    assert "Resume text could not be read." in text_of(client.get(page_url(application_id)).get_data(as_text=True))


def test_suggestions_are_capped_per_skill():
    text = "\n".join(f"Sentence {n} about FHIR." for n in range(10))
    pattern = evidence.keyword_pattern(["FHIR"])
    found = evidence._matching(pattern, "Profile", evidence.passages(text, lines_are_breaks=True))
    assert len(found) == evidence.PASSAGES_PER_SKILL


def test_a_long_passage_is_cut_around_its_keyword():
    text = ("word " * 200) + "HIPAA audit " + ("more " * 200)
    pattern = evidence.keyword_pattern(["HIPAA"])
    [passage] = evidence._matching(pattern, "Resume", evidence.passages(text, lines_are_breaks=False))
    assert passage.marked == ["HIPAA"]
    assert passage.text.startswith("…") and passage.text.endswith("…")
    assert len(passage.text) < evidence.MAX_PASSAGE + 40


def test_highlighting_cuts_the_text_into_marked_and_plain_pieces():
    pattern = evidence.keyword_pattern(["<b>FHIR</b>", "HL7"])
    pieces = evidence.highlight('<script>x</script> HL7 and <b>FHIR</b>.', pattern)
    assert pieces == (("<script>x</script> ", False), ("HL7", True), (" and ", False), ("<b>FHIR</b>", True), (".", False))


def test_the_page_escapes_the_text_around_and_inside_the_marks(client, signed_in, create_application, role, db_session):
    skill = next(skill for skill in role.active_skills if skill.slug == "ehr-fhir-hl7-integration")
    skill.keywords = ["<b>FHIR</b>", "HL7"]
    db_session.commit()
    profile = '<script>alert(1)</script> HL7 "><img src=x onerror=alert(1)> <b>FHIR</b>'
    application_id = create_application(role, **ada(profile=profile)).id
    block = evidence_block(client.get(page_url(application_id)).get_data(as_text=True), "ehr-fhir-hl7-integration")
    assert "<script>" not in block and "<img" not in block
    assert "<mark>HL7</mark>" in block
    assert "<mark>&lt;b&gt;FHIR&lt;/b&gt;</mark>" in block


def test_resume_text_is_read_up_to_the_cap(client, signed_in, create_application, role, attach_resume, db_session):
    application_id = create_application(role, **ada()).id
    attach_resume(application_id, docx_bytes("FHIR " * 50_000), DOCX, "cv.docx")
    application = db_session.get(Application, application_id)
    assert len(application.resume_text) == resume_text.MAX_RESUME_TEXT and application.resume_text_truncated
    text = text_of(client.get(page_url(application_id)).get_data(as_text=True))
    assert "The resume is long: suggestions come from the first part of its text." in text
