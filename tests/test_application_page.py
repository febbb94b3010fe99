"""The recruiter's page for one application (issue 4, "One application"): what
it shows, that it needs a sign-in, a bounded number of queries, what the
candidate sees of the staff's work, and escaping. Its resume, stage moves,
skill-match annotations, evidence suggestions and notes have files of their own."""
import html
import re
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from ats.extensions import db
from ats.infra.resumes import PDF
from ats.models import SelfIdentification, Stage
from tests.applications import ada, current, page_url, post_note, post_skills, post_stage, token_for
from tests.files import pdf_bytes
from tests.fixtures.factories import set_columns, status_token
from tests.pages import recorded_statements, selects, text_of

ROLE = "healthcare-ai-engineer"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def stage_options(body: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="stage"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select_html)


# --- The page -----------------------------------------------------------------


def test_the_page_shows_the_candidate_and_the_application(client, signed_in, create_application, role,
                                                          attach_resume):
    claimed = ["clinical-nlp", "survival-analysis-risk-stratification"]
    application_id = create_application(role, **ada(claimed=claimed)).id
    attach_resume(application_id, pdf_bytes("Resume of Ada"), name="Ada CV.pdf")
    response = client.get(page_url(application_id))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    text = text_of(body)

    assert len(re.findall(r"<h1[ >]", body)) == 1
    assert re.search(r"<h1[^>]*>Ada Lovelace</h1>", body)
    email = re.search(r'href="mailto:([^"]+)"', body).group(1)
    assert email.endswith("@example.org")
    assert "+44 20 7946 0000" in text and "London, UK" in text
    assert ('<a href="https://www.linkedin.com/in/ada-lovelace" rel="noopener noreferrer nofollow">'
            in body)
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d+ \w+ \d{4}, \d\d:\d\d UTC</time>', body)
    assert f'href="/pipeline/{ROLE}"' in body and "Healthcare AI Engineer" in text
    # The profile, escaped, its line breaks kept.
    assert "Built a survival model for sepsis risk at a regional hospital.<br>Led HIPAA" in body
    # The resume: link, original name, type and size.
    assert f'href="/pipeline/applications/{application_id}/resume"' in body
    assert "Ada CV.pdf" in text and re.search(r"PDF, \d+ bytes", text)
    # Claimed skills, the score, the sections.
    claimed = re.search(r'<ul class="tag-list">(.*?)</ul>', body, re.S).group(1)
    assert "Clinical NLP" in claimed and "Survival analysis" in claimed
    assert "Not scored yet" in text
    for heading in ["Candidate", "Stage", "Profile", "Skill match", "Notes", "History", "Interviews"]:
        assert re.search(rf"<h2[^>]*>{heading}</h2>", body), heading
    assert "Applied" in text and "New application" in text and "Candidate" in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_stage_control_offers_only_the_moves_the_rules_allow(client, signed_in, create_application, role,
                                                                 db_session):
    applied = create_application(role, **ada()).id
    body = client.get(page_url(applied)).get_data(as_text=True)
    assert stage_options(body) == ["", "screening", "interview", "offer", "hired", "rejected", "withdrawn"]
    assert "Rejected (needs a reason)" in body
    assert "Needed to move to Rejected." in text_of(body)

    screening = create_application(role, **ada(stage=Stage.SCREENING, email="s@example.org")).id
    body = client.get(page_url(screening)).get_data(as_text=True)
    assert stage_options(body) == ["", "applied", "interview", "offer", "hired", "rejected", "withdrawn"]
    assert "Applied (needs a reason)" in body

    rejected = create_application(role, **ada(stage=Stage.REJECTED, email="r@example.org")).id
    set_columns(db_session, rejected, closed_from_stage=Stage.INTERVIEW)
    body = client.get(page_url(rejected)).get_data(as_text=True)
    assert stage_options(body) == ["", "interview"]
    assert "Interview (needs a reason)" in body


def test_an_unknown_application_is_404_everywhere(client, signed_in, create_application, role):
    known = create_application(role, **ada()).id
    token = token_for(client, known)
    assert client.get(page_url(999_999)).status_code == 404
    assert client.get(f"{page_url(999_999)}/resume").status_code == 404
    assert post_stage(client, 999_999, "screening", token=token).status_code == 404
    assert post_skills(client, 999_999, token=token, skill_clinical_nlp="strong").status_code == 404
    assert post_note(client, 999_999, "Hello", token=token).status_code == 404


def test_staff_pages_of_an_application_need_a_sign_in(client, create_application, role):
    application_id = create_application(role, **ada()).id
    for path in [page_url(application_id), f"{page_url(application_id)}/resume"]:
        response = client.get(path)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"


def test_the_page_never_reads_or_shows_self_identification(app, client, signed_in, create_application, role,
                                                           db_session):
    application_id = create_application(role, **ada()).id
    db_session.add(SelfIdentification(application_id=application_id, gender="nonbinary",
                                      race_ethnicity="two-or-more", veteran="protected-veteran", disability="yes"))
    db_session.commit()
    statements = statements_during(app, lambda: client.get(page_url(application_id)))
    assert not [s for s in statements if "self_identification" in s.lower()]
    text = text_of(client.get(page_url(application_id)).get_data(as_text=True))
    for word in ["Non-binary", "Two or more", "veteran", "disability", "self-identification"]:
        assert word.lower() not in text.lower()


def statements_during(app, action) -> list[str]:
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        response = action()
    assert response.status_code == 200
    return statements


def test_the_number_of_queries_does_not_grow_with_the_history(app, client, signed_in, create_application, role,
                                                              attach_resume):
    small = create_application(role, **ada(email="small@example.org")).id
    big = create_application(role, **ada(email="big@example.org", back_and_forth=40,
                                         claimed=["clinical-nlp", "fda-samd-regulatory"])).id
    attach_resume(big, pdf_bytes("FHIR and HL7 interfaces"))
    token = token_for(client, big)
    assert post_note(client, small, "The only note", token=token).status_code == 303
    for number in range(12):
        assert post_note(client, big, f"Note {number}", token=token).status_code == 303
    assert post_skills(client, big, token=token, skill_clinical_nlp="strong", note_clinical_nlp="Good",
                       skill_fda_samd_regulatory="partial").status_code == 303

    few = statements_during(app, lambda: client.get(page_url(small)))
    many = statements_during(app, lambda: client.get(page_url(big)))
    assert selects(many) == selects(few)
    assert selects(many) <= 10, many
    print(f"\nthe application page takes {selects(many)} SELECTs:\n" + "\n".join(
        s.split("\n")[0][:110] for s in many if s.lstrip().upper().startswith("SELECT")))
    # A page view writes nothing.
    assert not [s for s in many if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


# --- What the candidate sees --------------------------------------------------


def test_the_candidate_never_sees_reasons_notes_or_annotations(app, client, signed_in, create_application, role,
                                                               db_session, skills):
    application_id = create_application(role, **ada(stage=Stage.SCREENING)).id
    assert post_stage(client, application_id, "applied", reason="Secret reason about pay").status_code == 303
    assert post_note(client, application_id, "Secret recruiter note").status_code == 303
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "none",
                                                 f"note_{skills[0]}": "Secret annotation"}).status_code == 303
    token = status_token(app, current(db_session, application_id))
    candidate = client.application.test_client()
    page = candidate.get(f"/applications/{token}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    # The candidate's page, showing the move back to "Applied" in their timeline...
    assert "Healthcare AI Engineer" in body and "Current stage" in body
    assert '<span class="stage stage--applied">Applied</span>' in body
    # ...but not why, nor what the recruiters wrote.
    for secret in ["Secret reason", "Secret recruiter note", "Secret annotation", "Rita Recruiter"]:
        assert secret not in body


# --- Escaping -----------------------------------------------------------------


def test_a_linkedin_address_that_is_no_web_address_is_not_a_link(client, signed_in, create_application, role):
    application_id = create_application(role, **ada(linkedin_url="javascript:alert(1)")).id
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert 'href="javascript:' not in body
    assert "LinkedIn javascript:alert(1)" in text_of(body)


@pytest.mark.parametrize("payload", [SCRIPT, IMG])
def test_every_free_text_field_is_escaped(client, signed_in, create_application, role, attach_resume, skills,
                                          payload):
    application_id = create_application(role, **ada(
        name=f"Ada {payload}", location=payload, linkedin_url=payload, phone=payload[:40],
        profile=f"FHIR {payload}\nHIPAA {payload}",
    )).id
    attach_resume(application_id, pdf_bytes("HL7"), PDF, f"{payload}.pdf")
    assert post_note(client, application_id, f"Note {payload}").status_code == 303
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong",
                                                 f"note_{skills[0]}": payload}).status_code == 303
    assert post_stage(client, application_id, "rejected", reason=f"Reason {payload}").status_code == 303

    pages = {
        "page": client.get(page_url(application_id)),
        "422": post_stage(client, application_id, "screening", version=2, reason=payload),
        "409": post_stage(client, application_id, "screening", version=1, reason=payload),
        "skills 422": post_skills(client, application_id, **{f"skill_{skills[1]}": payload,
                                                           f"note_{skills[1]}": payload}),
        "notes 422": post_note(client, application_id, payload + "x" * 10_000),
    }
    assert [r.status_code for r in pages.values()] == [200, 422, 409, 422, 422]
    for name, response in pages.items():
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, name
        assert "<img src=x" not in body, name
        assert "javascript:" not in body, name
    body = pages["page"].get_data(as_text=True)
    assert str(escape(payload)) in body
    # The LinkedIn field is no web address, so it is shown as text, not as a link.
    assert f'href="{html.escape(payload)}' not in body
    download = client.get(f"{page_url(application_id)}/resume")
    assert "<" not in download.headers["Content-Disposition"]
