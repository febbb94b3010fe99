"""The recruiter's page for one application (issue 4, "One application"):
what it shows, the resume download, stage moves with their 303/409/422
answers, skill-match annotations and the score, notes, the audit trail,
escaping, a bounded number of queries, and concurrent moves."""
import html
import re
import secrets
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select, update

from ats.extensions import db
from ats.infra.resumes import DOCX, PDF
from ats.models import (
    Application,
    ApplicationNote,
    AuditEvent,
    Candidate,
    SelfIdentification,
    SkillAnnotation,
    SkillLevel,
    Stage,
    StageChange,
    utcnow,
)
from ats.infra import resume_text
from ats.queries import evidence
from tests.conftest import staff_csrf_token
from tests.files import docx_bytes, pdf_bytes
from tests.pages import recorded_statements, selects, text_of

ROLE = "healthcare-ai-engineer"
PROFILE = (
    "Built a survival model for sepsis risk at a regional hospital.\n"
    "Led HIPAA de-identification of 2M clinical notes.\n"
    "I enjoy hiking."
)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


# --- Fixtures and helpers ---------------------------------------------------


@pytest.fixture
def skills(role) -> list[str]:
    return [skill.slug for skill in role.active_skills]


@pytest.fixture
def make_application(db_session, role):
    """A factory: an application to the seed role, written straight to the
    database with its first history entry; returns its id."""

    def make(*, claimed=(), stage=Stage.APPLIED, history=0, **fields) -> int:
        email = fields.pop("email", f"{secrets.token_hex(5)}@example.org")
        values = {
            "full_name": "Ada Lovelace",
            "phone": "+44 20 7946 0000",
            "location": "London, UK",
            "linkedin_url": "https://www.linkedin.com/in/ada-lovelace",
            "profile": PROFILE,
        }
        values.update(fields)
        applied = utcnow() - timedelta(days=3)
        application = Application(
            role=role,
            candidate=Candidate(email=email, email_key=email.lower(), full_name=values["full_name"]),
            email=email,
            stage=stage,
            status_token=secrets.token_urlsafe(32),
            applied_at=applied,
            stage_entered_at=applied,
            claimed_skills=[skill for skill in role.active_skills if skill.slug in claimed],
            **values,
        )
        db_session.add(application)
        db_session.add(StageChange(application=application, from_stage=None, to_stage=Stage.APPLIED,
                                   actor_kind="candidate", created_at=applied))
        # A long history: screening and back, again and again (each a version).
        for number in range(history):
            forward = number % 2 == 0
            db_session.add(StageChange(
                application=application,
                from_stage=Stage.APPLIED if forward else Stage.SCREENING,
                to_stage=Stage.SCREENING if forward else Stage.APPLIED,
                reason="" if forward else f"Back again {number}",
                actor_kind="system", created_at=applied + timedelta(minutes=number + 1),
            ))
        db_session.commit()
        if history:
            set_columns(db_session, application.id, version=1 + history,
                        stage=Stage.SCREENING if history % 2 else Stage.APPLIED)
        return application.id

    return make


def set_columns(db_session, application_id: int, **values) -> None:
    """Set columns of an application as they are, without the ORM raising its version."""
    table = Application.__table__
    db_session.execute(update(table).where(table.c.id == application_id).values(**values))
    db_session.commit()


@pytest.fixture
def attach_resume(db_session, upload_dir):
    def attach(application_id: int, content: bytes, content_type: str = PDF, name: str = "Ada CV.pdf") -> str:
        upload_dir.mkdir(parents=True, exist_ok=True)
        storage_name = secrets.token_hex(16)
        (upload_dir / storage_name).write_bytes(content)
        set_columns(db_session, application_id, resume_storage_name=storage_name, resume_original_name=name,
                    resume_content_type=content_type, resume_size=len(content))
        return storage_name

    return attach


@pytest.fixture
def recruiter(create_staff):
    return create_staff(name="Rita Recruiter")


@pytest.fixture
def signed_in(auth, recruiter):
    assert auth.login(recruiter).status_code == 303
    return recruiter


def page_url(application_id: int) -> str:
    return f"/pipeline/applications/{application_id}"


def token_for(client, application_id: int) -> str:
    return staff_csrf_token(client, page_url(application_id))


def post_stage(client, application_id, stage, version=1, reason="", token=None, **extra):
    data = {"csrf_token": token or token_for(client, application_id), "stage": stage,
            "reason": reason, "version": str(version), **extra}
    return client.post(f"{page_url(application_id)}/stage", data=data)


def post_skills(client, application_id, token=None, **fields):
    data = {"csrf_token": token or token_for(client, application_id)}
    data.update({name.replace("_", "-"): value for name, value in fields.items()})
    return client.post(f"{page_url(application_id)}/skills", data=data)


def post_note(client, application_id, body, token=None):
    return client.post(f"{page_url(application_id)}/notes",
                       data={"csrf_token": token or token_for(client, application_id), "body": body})


def location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def audit_events(db_session, action: str) -> list[AuditEvent]:
    return db_session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def current(db_session, application_id: int) -> Application:
    db_session.expire_all()
    return db_session.get(Application, application_id)


def stage_options(body: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="stage"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select_html)


# --- The page -----------------------------------------------------------------


def test_the_page_shows_the_candidate_and_the_application(client, signed_in, make_application, attach_resume):
    application_id = make_application(claimed=["clinical-nlp", "survival-analysis-risk-stratification"])
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


def test_the_stage_control_offers_only_the_moves_the_rules_allow(client, signed_in, make_application, db_session):
    applied = make_application()
    body = client.get(page_url(applied)).get_data(as_text=True)
    assert stage_options(body) == ["", "screening", "interview", "offer", "hired", "rejected", "withdrawn"]
    assert "Rejected (needs a reason)" in body
    assert "Needed to move to Rejected." in text_of(body)

    screening = make_application(stage=Stage.SCREENING, email="s@example.org")
    body = client.get(page_url(screening)).get_data(as_text=True)
    assert stage_options(body) == ["", "applied", "interview", "offer", "hired", "rejected", "withdrawn"]
    assert "Applied (needs a reason)" in body

    rejected = make_application(stage=Stage.REJECTED, email="r@example.org")
    set_columns(db_session, rejected, closed_from_stage=Stage.INTERVIEW)
    body = client.get(page_url(rejected)).get_data(as_text=True)
    assert stage_options(body) == ["", "interview"]
    assert "Interview (needs a reason)" in body


def test_an_unknown_application_is_404_everywhere(client, signed_in, make_application):
    known = make_application()
    token = token_for(client, known)
    assert client.get(page_url(999_999)).status_code == 404
    assert client.get(f"{page_url(999_999)}/resume").status_code == 404
    assert post_stage(client, 999_999, "screening", token=token).status_code == 404
    assert post_skills(client, 999_999, token=token, skill_clinical_nlp="strong").status_code == 404
    assert post_note(client, 999_999, "Hello", token=token).status_code == 404


def test_staff_pages_of_an_application_need_a_sign_in(client, make_application):
    application_id = make_application()
    for path in [page_url(application_id), f"{page_url(application_id)}/resume"]:
        response = client.get(path)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"


def test_the_page_never_reads_or_shows_self_identification(app, client, signed_in, make_application, db_session):
    application_id = make_application()
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


def test_the_number_of_queries_does_not_grow_with_the_history(app, client, signed_in, make_application,
                                                              attach_resume):
    small = make_application(email="small@example.org")
    big = make_application(email="big@example.org", history=40, claimed=["clinical-nlp", "fda-samd-regulatory"])
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


# --- The resume -----------------------------------------------------------------


def test_the_resume_downloads_as_an_attachment_and_is_audited(client, signed_in, make_application,
                                                             attach_resume, db_session):
    application_id = make_application()
    content = pdf_bytes("Ada's resume")
    attach_resume(application_id, content, PDF, "Ada Lovelace CV.pdf")
    response = client.get(f"{page_url(application_id)}/resume")
    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="Ada Lovelace CV.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    [event_] = audit_events(db_session, "resume.download")
    assert (event_.actor_id, event_.application_id) == (signed_in.id, application_id)


def test_a_word_resume_keeps_its_type_and_a_cleaned_unicode_name(client, signed_in, make_application,
                                                                 attach_resume):
    application_id = make_application()
    attach_resume(application_id, docx_bytes(), DOCX, 'José "CV"/..\\résumé.docx')
    response = client.get(f"{page_url(application_id)}/resume")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.docx" in disposition
    assert '"' not in disposition.split("filename=", 1)[1].strip('"')


def test_no_resume_or_a_missing_file_is_404(client, signed_in, make_application, attach_resume, upload_dir,
                                            db_session):
    without = make_application(email="none@example.org")
    assert client.get(f"{page_url(without)}/resume").status_code == 404
    gone = make_application(email="gone@example.org")
    storage_name = attach_resume(gone, pdf_bytes())
    (upload_dir / storage_name).unlink()
    assert client.get(f"{page_url(gone)}/resume").status_code == 404
    assert "The resume file is missing." in text_of(client.get(page_url(gone)).get_data(as_text=True))
    assert audit_events(db_session, "resume.download") == []


# --- Stage moves ------------------------------------------------------------------


def test_a_move_is_303_to_the_page_with_history_audit_and_a_message(client, signed_in, make_application,
                                                                     db_session):
    application_id = make_application()
    response = post_stage(client, application_id, "screening", version=1, reason="Strong NLP background")
    assert response.status_code == 303
    assert location(response) == page_url(application_id)
    application = current(db_session, application_id)
    assert (application.stage, application.version) == (Stage.SCREENING, 2)
    change = application.history[-1]
    assert (change.from_stage, change.to_stage, change.actor_kind, change.actor_id, change.reason) == (
        Stage.APPLIED, Stage.SCREENING, "staff", signed_in.id, "Strong NLP background")
    [event_] = audit_events(db_session, "stage.move")
    assert event_.detail == {"from": "applied", "to": "screening", "reason": "Strong NLP background"}
    assert (event_.actor_id, event_.application_id) == (signed_in.id, application_id)

    body = client.get(page_url(application_id)).get_data(as_text=True)
    text = text_of(body)
    assert "Moved to Screening." in text
    assert "Applied → to Screening" in text  # "to" for screen readers, the arrow for the eye
    assert "Rita Recruiter" in text and "Reason: Strong NLP background" in text


@pytest.mark.parametrize("next_path", ["/pipeline/healthcare-ai-engineer?stage=applied&page=2", "/pipeline/"])
def test_next_sends_the_browser_back_to_a_same_site_page(client, signed_in, make_application, next_path):
    application_id = make_application()
    response = post_stage(client, application_id, "screening", next=next_path)
    assert response.status_code == 303
    assert location(response) == next_path


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                       "javascript:alert(1)", "/\t/evil.example"])
def test_next_elsewhere_is_ignored(client, signed_in, make_application, next_path):
    application_id = make_application()
    response = post_stage(client, application_id, "screening", next=next_path)
    assert response.status_code == 303
    assert location(response) == page_url(application_id)


def test_a_stale_version_is_409_showing_what_changed_and_changes_nothing(client, signed_in, make_application,
                                                                         create_staff, auth, db_session):
    application_id = make_application()
    token = token_for(client, application_id)
    # Someone else moves it first, with a reason.
    other = create_staff(name="Otto Other")
    other_client = client.application.test_client()
    assert auth.using(other_client).login(other).status_code == 303
    assert post_stage(other_client, application_id, "screening", version=1).status_code == 303
    assert post_stage(other_client, application_id, "rejected", version=2,
                      reason="Withdrew <b>interest</b> by phone").status_code == 303

    response = post_stage(client, application_id, "interview", version=1, token=token)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    text = text_of(body)
    assert "Nothing was changed" in text
    assert "Applied → to Screening" in text and "Screening → to Rejected" in text
    assert "Otto Other" in text and "Reason: Withdrew <b>interest</b> by phone" in text
    assert "Withdrew &lt;b&gt;interest&lt;/b&gt; by phone" in body
    assert "Stage now Rejected" in text and "Version now 3" in text and "your page showed 1" in text
    assert f'href="{page_url(application_id)}"' in body
    assert "<time datetime=" in body
    application = current(db_session, application_id)
    assert (application.stage, application.version, len(application.history)) == (Stage.REJECTED, 3, 3)
    assert len(audit_events(db_session, "stage.move")) == 2


def test_the_stale_page_links_back_to_a_same_site_next(client, signed_in, make_application):
    application_id = make_application()
    assert post_stage(client, application_id, "screening", version=1).status_code == 303
    response = post_stage(client, application_id, "interview", version=1, next="/pipeline/healthcare-ai-engineer")
    assert response.status_code == 409
    assert 'href="/pipeline/healthcare-ai-engineer"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("stage", "reason"), [
    ("applied", ""),          # already there: the rules refuse it
    ("rejected", ""),         # rejecting without a reason
    ("no-such-stage", "x"),   # not a stage at all
    ("", ""),                 # no stage chosen
])
def test_a_stale_version_is_answered_before_any_other_check(client, signed_in, make_application, db_session,
                                                            stage, reason):
    application_id = make_application()
    assert post_stage(client, application_id, "screening", version=1).status_code == 303
    response = post_stage(client, application_id, stage, version=1, reason=reason)
    assert response.status_code == 409
    assert current(db_session, application_id).version == 2


@pytest.mark.parametrize(("stage", "reason", "message"), [
    ("applied", "", "The application is already in Applied."),
    ("rejected", "   ", "Rejecting needs a reason."),
    ("no-such-stage", "", "Choose the stage to move the application to."),
    ("", "", "Choose the stage to move the application to."),
])
def test_a_move_the_rules_forbid_is_422_with_the_error_by_the_control(client, signed_in, make_application,
                                                                      db_session, stage, reason, message):
    application_id = make_application()
    response = post_stage(client, application_id, stage, version=1, reason=reason)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'<select[^>]*aria-describedby="stage-to-error"[^>]*aria-invalid="true"', body) or \
        re.search(r'<select[^>]*aria-invalid="true"[^>]*aria-describedby="stage-to-error"', body)
    error = re.search(r'<p class="field__error" id="stage-to-error">(.*?)</p>', body, re.S).group(1)
    assert message in text_of(error)
    assert "<title>Error:" in body
    application = current(db_session, application_id)
    assert (application.stage, application.version, len(application.history)) == (Stage.APPLIED, 1, 1)
    assert audit_events(db_session, "stage.move") == []


def test_a_refused_move_keeps_the_typed_reason(client, signed_in, make_application, db_session):
    application_id = make_application(stage=Stage.SCREENING)
    # Back needs a reason; a move to the current stage is refused whatever the reason.
    response = post_stage(client, application_id, "screening", reason="Typed <i>carefully</i>\nover two lines")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Typed &lt;i&gt;carefully&lt;/i&gt;\nover two lines</textarea>" in body
    assert "already in Screening" in text_of(body)


def test_moving_back_needs_a_reason(client, signed_in, make_application, db_session):
    application_id = make_application(stage=Stage.SCREENING)
    response = post_stage(client, application_id, "applied")
    assert response.status_code == 422
    assert "Moving back from Screening to Applied needs a reason." in text_of(response.get_data(as_text=True))
    assert post_stage(client, application_id, "applied", reason="Screened too early").status_code == 303
    assert current(db_session, application_id).stage is Stage.APPLIED


@pytest.mark.parametrize("version", ["", "two", "1.0", "-1", "99999999999999999999"])
def test_a_missing_or_non_integer_version_is_422(client, signed_in, make_application, db_session, version):
    application_id = make_application()
    response = post_stage(client, application_id, "screening", version=version)
    assert response.status_code == 422
    assert "Reload the page" in text_of(response.get_data(as_text=True))
    assert current(db_session, application_id).version == 1


def test_a_stage_post_without_a_csrf_token_is_400(client, signed_in, make_application, db_session):
    application_id = make_application()
    response = client.post(f"{page_url(application_id)}/stage", data={"stage": "screening", "version": "1"})
    assert response.status_code == 400
    assert current(db_session, application_id).stage is Stage.APPLIED


def test_reopening_a_closed_application(client, signed_in, make_application, db_session):
    application_id = make_application(stage=Stage.INTERVIEW)
    assert post_stage(client, application_id, "withdrawn").status_code == 303
    assert post_stage(client, application_id, "interview", version=2).status_code == 422
    response = post_stage(client, application_id, "interview", version=2, reason="Candidate came back")
    assert response.status_code == 303
    application = current(db_session, application_id)
    assert (application.stage, application.version) == (Stage.INTERVIEW, 3)


def test_exactly_one_of_many_simultaneous_moves_wins(app, create_staff, make_application, db_session):
    application_id = make_application()
    count = 8
    clients = []
    for number in range(count):
        account = create_staff(name=f"Recruiter {number}")
        client = app.test_client()
        from tests.conftest import AuthActions

        assert AuthActions(client).login(account).status_code == 303
        clients.append(client)
    tokens = [token_for(c, application_id) for c in clients]
    barrier = threading.Barrier(count)
    statuses: list[int | None] = [None] * count
    targets = ["screening", "interview", "offer", "rejected", "withdrawn", "hired", "screening", "interview"]

    def submit(index: int) -> None:
        barrier.wait()
        statuses[index] = post_stage(clients[index], application_id, targets[index], version=1,
                                     reason="At the same moment", token=tokens[index]).status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] + [409] * (count - 1)
    application = current(db_session, application_id)
    assert application.version == 2
    assert len(application.history) == 2
    assert len(audit_events(db_session, "stage.move")) == 1


# --- Skill-match annotations ----------------------------------------------------


def test_annotating_saves_levels_and_notes_and_scores_without_raising_the_version(
        client, signed_in, make_application, db_session, skills):
    application_id = make_application()
    assert len(skills) == 8
    levels = ["strong", "strong", "strong", "partial", "partial", "none", "unknown", "unknown"]
    fields = {f"skill-{slug}": level for slug, level in zip(skills, levels)}
    fields[f"note-{skills[0]}"] = "Two imaging papers.\nOne on CT."
    token = token_for(client, application_id)
    response = client.post(f"{page_url(application_id)}/skills", data={"csrf_token": token, **fields})
    assert response.status_code == 303
    assert location(response) == page_url(application_id)

    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (3, 2, 6)
    assert application.skill_score(8) == 50.0
    assert application.version == 1  # annotating never makes a stage form stale
    annotations = {a.skill.slug: a for a in db_session.scalars(select(SkillAnnotation))}
    # "Not assessed" with no note is what no annotation means: nothing is stored for it.
    assert {slug: a.level.value for slug, a in annotations.items()} == dict(zip(skills[:6], levels[:6]))
    assert annotations[skills[0]].note == "Two imaging papers.\nOne on CT."
    assert {a.updated_by for a in annotations.values()} == {signed_in.id}

    [event_] = audit_events(db_session, "skills.annotate")
    assert event_.actor_id == signed_in.id
    assert event_.detail["skills"][skills[0]] == {"before": "unknown", "after": "strong", "note_changed": True}
    assert event_.detail["skills"][skills[3]] == {"before": "unknown", "after": "partial"}
    # "unknown" to "unknown" with no note is no change.
    assert set(event_.detail["skills"]) == set(skills[:6])

    body = client.get(page_url(application_id)).get_data(as_text=True)
    text = text_of(body)
    assert '<span class="score__number">50.0</span>' in body
    assert "3 strong, 2 partial, 6 of 8 skills assessed" in text
    assert f'id="skill-{skills[0]}-strong" name="skill-{skills[0]}" value="strong" checked' in body
    assert "Two imaging papers.\nOne on CT.</textarea>" in body
    assert "Saved: Strong · Rita Recruiter" in text

    # The stage form from before annotating still works: the version did not move.
    assert post_stage(client, application_id, "screening", version=1, token=token).status_code == 303


def test_a_second_annotation_updates_and_audits_only_what_changed(client, signed_in, make_application,
                                                                  db_session, skills):
    application_id = make_application()
    first, second = skills[0], skills[1]
    assert post_skills(client, application_id, **{f"skill_{first}": "strong", f"note_{first}": "Kept",
                                                 f"skill_{second}": "partial"}).status_code == 303
    # Only the second skill's level is sent now; the first stays as it was.
    assert post_skills(client, application_id, **{f"skill_{second}": "strong"}).status_code == 303
    annotations = {a.skill.slug: a for a in db_session.scalars(select(SkillAnnotation))}
    assert len(annotations) == 2
    assert (annotations[first].level, annotations[first].note) == (SkillLevel.STRONG, "Kept")
    assert annotations[second].level is SkillLevel.STRONG
    events = audit_events(db_session, "skills.annotate")
    assert len(events) == 2
    assert events[1].detail == {"skills": {second: {"before": "partial", "after": "strong"}}}
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (2, 0, 2)
    assert application.skill_score(8) == 25.0

    # Back to "not assessed": no longer counted.
    assert post_skills(client, application_id, **{f"skill_{first}": "unknown",
                                                 f"skill_{second}": "unknown"}).status_code == 303
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_assessed) == (0, 0)
    assert "Not scored yet" in text_of(client.get(page_url(application_id)).get_data(as_text=True))


def test_the_score_shows_one_decimal(client, signed_in, make_application, skills):
    application_id = make_application()
    fields = {f"skill_{slug}": "strong" for slug in skills[:5]}
    fields.update({f"skill_{slug}": "none" for slug in skills[5:]})
    assert post_skills(client, application_id, **fields).status_code == 303
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert '<span class="score__number">62.5</span>' in body
    assert "Skill match: 62.5 of 100" in text_of(body)


def test_a_linkedin_address_that_is_no_web_address_is_not_a_link(client, signed_in, make_application):
    application_id = make_application(linkedin_url="javascript:alert(1)")
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert 'href="javascript:' not in body
    assert "LinkedIn javascript:alert(1)" in text_of(body)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("skill", "excellent", "Choose Strong, Partial, None or Not assessed."),
    ("skill", "", "Choose Strong, Partial, None or Not assessed."),
    ("note", "x" * 2_001, "Keep the note to 2,000 characters"),
])
def test_a_bad_level_or_a_long_note_is_422_and_saves_nothing(client, signed_in, make_application, db_session,
                                                            skills, field, value, message):
    application_id = make_application()
    other = skills[1]
    name = f"{field}-{skills[0]}"
    token = token_for(client, application_id)
    response = client.post(f"{page_url(application_id)}/skills",
                           data={"csrf_token": token, name: value, f"skill-{other}": "strong",
                                 f"note-{other}": "Kept on the form"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(body)
    assert f'id="{name}-error"' in body
    if field == "skill":
        assert re.search(rf'<fieldset class="skill-row field--invalid" aria-describedby="{name}-error">', body)
    else:
        assert f'aria-invalid="true" aria-describedby="{name}-error"' in body
    assert 'id="error-summary"' in body
    # What was sent is shown again.
    assert f'id="skill-{other}-strong" name="skill-{other}" value="strong" checked' in body
    assert "Kept on the form</textarea>" in body
    assert db_session.scalar(select(func.count()).select_from(SkillAnnotation)) == 0
    assert audit_events(db_session, "skills.annotate") == []
    assert current(db_session, application_id).skills_strong == 0


def test_a_resent_unchanged_form_writes_nothing(client, signed_in, make_application, db_session, skills):
    application_id = make_application()
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong"}).status_code == 303
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong"}).status_code == 303
    assert len(audit_events(db_session, "skills.annotate")) == 1


def test_retired_skills_are_not_offered_or_counted(client, signed_in, make_application, db_session, skills, role):
    application_id = make_application()
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong",
                                                 f"skill_{skills[1]}": "strong"}).status_code == 303
    retired = db_session.scalars(select(type(role.skills[0])).filter_by(slug=skills[0])).one()
    retired.retired = True
    db_session.commit()
    assert post_skills(client, application_id, **{f"skill_{skills[2]}": "partial",
                                                 f"skill_{skills[0]}": "none"}).status_code == 303
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (1, 1, 2)
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert f'name="skill-{skills[0]}"' not in body
    assert '<span class="score__number">21.4</span>' in body  # (1 + ½) of 7 skills


# --- Evidence suggestions ---------------------------------------------------------


def evidence_block(body: str, slug: str) -> str:
    row = re.search(rf'<fieldset class="skill-row[^"]*"[^>]*>(?:(?!</fieldset>).)*name="skill-{slug}"', body, re.S)
    assert row, slug
    return row.group(0)


def test_suggestions_mark_keywords_in_the_profile_and_resume(client, signed_in, make_application, attach_resume,
                                                             db_session):
    application_id = make_application(profile=(
        "I built a Cox model for sepsis <risk> & outcomes.\n"
        "Ran HIPAA de-identification on clinical notes.\n"
        "Collecting projects in Connecticut is not CT."
    ))
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


def test_suggestions_read_word_resumes(client, signed_in, make_application, attach_resume):
    application_id = make_application(profile="Nothing relevant here.")
    attach_resume(application_id, docx_bytes("Calibrated a Bayesian ensemble with conformal prediction."),
                  DOCX, "cv.docx")
    body = client.get(page_url(application_id)).get_data(as_text=True)
    block = evidence_block(body, "uncertainty-calibration")
    assert "Calibrated a <mark>Bayesian</mark> ensemble with <mark>conformal</mark> prediction." in block


def test_a_malformed_resume_is_reported_and_the_page_still_works(client, signed_in, make_application,
                                                               attach_resume, caplog):
    application_id = make_application()
    attach_resume(application_id, b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\x00\xff", PDF)
    response = client.get(page_url(application_id))
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Resume text could not be read." in text
    # The profile still gives suggestions.
    assert "sepsis" in text


def test_a_resume_is_parsed_once_however_often_its_page_is_opened(client, signed_in, make_application,
                                                                  attach_resume, monkeypatch):
    parsed = []
    read_pdf = resume_text._pdf_text
    monkeypatch.setattr(resume_text, "_pdf_text", lambda path: parsed.append(path.name) or read_pdf(path))
    first, second = (make_application(profile="Nothing relevant here.") for _ in range(2))
    attach_resume(first, pdf_bytes("Integrated FHIR feeds."))
    attach_resume(second, pdf_bytes("Integrated HL7 feeds."))
    for application_id in (first, second, first, second, first):
        body = client.get(page_url(application_id)).get_data(as_text=True)
        assert "<mark>FHIR</mark>" in body if application_id == first else "<mark>HL7</mark>" in body
    assert len(parsed) == 2 and len(set(parsed)) == 2


def test_a_broken_word_file_is_reported(client, signed_in, make_application, attach_resume):
    application_id = make_application()
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


def test_the_page_escapes_the_text_around_and_inside_the_marks(client, signed_in, make_application, db_session, role):
    skill = next(skill for skill in role.active_skills if skill.slug == "ehr-fhir-hl7-integration")
    skill.keywords = ["<b>FHIR</b>", "HL7"]
    db_session.commit()
    application_id = make_application(profile='<script>alert(1)</script> HL7 "><img src=x onerror=alert(1)> <b>FHIR</b>')
    block = evidence_block(client.get(page_url(application_id)).get_data(as_text=True), "ehr-fhir-hl7-integration")
    assert "<script>" not in block and "<img" not in block
    assert "<mark>HL7</mark>" in block
    assert "<mark>&lt;b&gt;FHIR&lt;/b&gt;</mark>" in block


def test_resume_text_is_read_up_to_the_cap(app, make_application, attach_resume, db_session, monkeypatch):
    application_id = make_application()
    attach_resume(application_id, docx_bytes("FHIR " * 100), DOCX, "cv.docx")
    monkeypatch.setattr(resume_text, "MAX_RESUME_TEXT", 50)
    with app.app_context():
        text = resume_text.read_resume_text(db.session.get(Application, application_id))
    assert len(text.text) == 50 and text.truncated and text.problem is None


# --- Notes ----------------------------------------------------------------------------


def test_notes_are_saved_audited_and_shown_newest_first(client, signed_in, make_application, db_session):
    application_id = make_application()
    assert post_note(client, application_id, "First call went well.\nFollow up on FHIR work.").status_code == 303
    response = post_note(client, application_id, "Second note")
    assert response.status_code == 303
    assert location(response) == page_url(application_id)
    notes = db_session.scalars(select(ApplicationNote).order_by(ApplicationNote.id)).all()
    assert [n.body for n in notes] == ["First call went well.\nFollow up on FHIR work.", "Second note"]
    assert {n.author_id for n in notes} == {signed_in.id}
    events = audit_events(db_session, "note.add")
    assert [e.detail["note_id"] for e in events] == [n.id for n in notes]

    body = client.get(page_url(application_id)).get_data(as_text=True)
    listed = re.search(r'<ul class="notes">(.*?)</ul>', body, re.S).group(1)
    assert listed.index("Second note") < listed.index("First call went well.")
    assert "First call went well.<br>Follow up on FHIR work." in listed
    assert "Rita Recruiter" in text_of(listed) and "<time datetime=" in listed
    assert "Note added." in text_of(body)


@pytest.mark.parametrize(("note", "message"), [
    ("", "Write the note before saving it."),
    ("  \n ", "Write the note before saving it."),
    ("x" * 10_001, "Keep the note to 10,000 characters."),
])
def test_an_empty_or_long_note_is_422_and_saves_nothing(client, signed_in, make_application, db_session,
                                                       note, message):
    application_id = make_application()
    response = post_note(client, application_id, note)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(body)
    assert re.search(r'<textarea[^>]*aria-describedby="note-body-hint note-body-error"', body)
    assert db_session.scalar(select(func.count()).select_from(ApplicationNote)) == 0
    assert audit_events(db_session, "note.add") == []


def test_a_note_of_exactly_ten_thousand_characters_is_accepted(client, signed_in, make_application):
    application_id = make_application()
    assert post_note(client, application_id, "y" * 10_000).status_code == 303


# --- What the candidate sees ----------------------------------------------------------


def test_the_candidate_never_sees_reasons_notes_or_annotations(client, signed_in, make_application, db_session,
                                                               skills):
    application_id = make_application(stage=Stage.SCREENING)
    assert post_stage(client, application_id, "applied", reason="Secret reason about pay").status_code == 303
    assert post_note(client, application_id, "Secret recruiter note").status_code == 303
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "none",
                                                 f"note_{skills[0]}": "Secret annotation"}).status_code == 303
    token = current(db_session, application_id).status_token
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


# --- Escaping -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [SCRIPT, IMG])
def test_every_free_text_field_is_escaped(client, signed_in, make_application, attach_resume, skills, payload):
    application_id = make_application(
        full_name=f"Ada {payload}", location=payload, linkedin_url=payload, phone=payload[:40],
        profile=f"FHIR {payload}\nHIPAA {payload}",
    )
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
