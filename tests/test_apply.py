"""Candidates apply on the role page and follow their application (contract: "Public pages")."""
import io
import re

import pytest
from sqlalchemy import func, select

from ats.infra.resumes import clean_filename
from ats.models import Application, Candidate, SelfIdentification, Stage, StageChange
from ats.operations.applications import PRIVACY_NOTICE_VERSION
from tests.files import EXE_BYTES, docx_bytes, pdf_bytes, plain_zip_bytes
from tests.fixtures.factories import status_token

ROLE_URL = "/roles/healthcare-ai-engineer"
APPLY_URL = ROLE_URL + "/apply"
STATUS = re.compile(r"^/applications/([A-Za-z0-9_-]{22,})$")

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")


def form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "full_name": "Ada Lovelace",
        "email": "ada@example.org",
        "phone": "+44 20 7946 0958",
        "location": "London, UK",
        "linkedin_url": "https://www.linkedin.com/in/ada",
        "profile": "Built a survival model for sepsis risk.\nLed HIPAA de-identification of 2M notes.",
        "skills": ["clinical-nlp", "survival-analysis-risk-stratification"],
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def stored(db_session) -> dict[str, int]:
    count = lambda model: db_session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "candidates": count(Candidate),
        "applications": count(Application),
        "history": count(StageChange),
        "self_ids": count(SelfIdentification),
    }


NOTHING = {"candidates": 0, "applications": 0, "history": 0, "self_ids": 0}


def test_applying_stores_everything_and_sends_the_status_link(app, client, csrf, db_session, outbox, upload_dir):
    response = client.post(
        APPLY_URL,
        data=form(
            csrf(),
            email="Ada@Example.org",
            resume=(io.BytesIO(pdf_bytes()), "Ada CV.pdf", "application/pdf"),
            eeo_gender="female",
            eeo_veteran="not-veteran",
        ),
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    token = STATUS.match(response.headers["Location"]).group(1)
    assert len(token) >= 43
    assert stored(db_session) == {"candidates": 1, "applications": 1, "history": 1, "self_ids": 1}

    application = db_session.scalars(select(Application)).one()
    assert status_token(app, application) == token
    assert token not in str(db_session.execute(select(Application.__table__)).all())  # only its digest is kept
    assert application.stage == Stage.APPLIED
    assert (application.full_name, application.email, application.phone) == ("Ada Lovelace", "Ada@example.org", "+44 20 7946 0958")
    assert application.candidate.email_key == "ada@example.org"
    assert application.profile.startswith("Built a survival model")
    assert [s.slug for s in application.claimed_skills] == ["clinical-nlp", "survival-analysis-risk-stratification"]
    assert application.consent_version == PRIVACY_NOTICE_VERSION
    assert application.consent_at is not None
    assert application.history[0].from_stage is None and application.history[0].to_stage == Stage.APPLIED

    assert application.resume_original_name == "Ada CV.pdf"
    assert application.resume_content_type == "application/pdf"
    stored_files = list(upload_dir.iterdir())
    assert [f.name for f in stored_files] == [application.resume_storage_name]
    assert re.fullmatch(r"[0-9a-f]{32}", application.resume_storage_name)
    assert stored_files[0].read_bytes() == pdf_bytes()

    self_id = db_session.scalars(select(SelfIdentification)).one()
    assert (self_id.gender, self_id.race_ethnicity, self_id.veteran, self_id.disability) == (
        "female", "decline", "not-veteran", "decline",
    )

    [message] = outbox()
    assert message["To"] == "Ada@example.org"
    assert f"http://localhost/applications/{token}" in message.get_content()


def test_status_page_shows_role_stage_and_timeline(client, csrf, db_session):
    location = client.post(APPLY_URL, data=form(csrf())).headers["Location"]
    response = client.get(location)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Healthcare AI Engineer" in body
    assert "Applied" in body
    assert "Application received" in body
    assert "Thank you: your application is in." in body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="robots" content="noindex, nofollow"' in body


@pytest.mark.parametrize("token", ["x" * 22, "short", "a" * 22 + "!", "../../etc/passwd"])
def test_unknown_status_token_is_404(client, token):
    assert client.get(f"/applications/{token}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter your full name."),
        ({"full_name": "   "}, "full_name", "Enter your full name."),
        ({"full_name": "x" * 201}, "full_name", "200 characters"),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"email": "ada@@example.org"}, "email", "Enter a valid email address"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"phone": "12"}, "phone", "Enter a phone number"),
        ({"linkedin_url": "javascript:alert(1)"}, "linkedin_url", "starting with https://"),
        ({"linkedin_url": "ftp://linkedin.com/in/ada"}, "linkedin_url", "starting with https://"),
        ({"linkedin_url": "linkedin.com/in/ada"}, "linkedin_url", "starting with https://"),
        ({"profile": ""}, "profile", "Tell us about what you have done."),
        ({"profile": "x" * 20_001}, "profile", "20000 characters"),
        ({"skills": ["time-travel"]}, "skills", "not a valid choice"),
        ({"consent": None}, "consent", "Please agree to the privacy notice"),
        ({"eeo_gender": "robot"}, "eeo_gender", "Not a valid choice"),
        ({"eeo_race_ethnicity": "martian"}, "eeo_race_ethnicity", "Not a valid choice"),
        ({"eeo_veteran": "yes"}, "eeo_veteran", "Not a valid choice"),
        ({"eeo_disability": "maybe"}, "eeo_disability", "Not a valid choice"),
        ({"homepage": "http://spam.example"}, "homepage", "Leave this field empty."),
    ],
)
def test_bad_input_is_422_with_the_error_by_its_field(client, csrf, db_session, outbox, upload_dir, overrides, field, message):
    response = client.post(APPLY_URL, data=form(csrf(), **overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    assert f'href="#{field}"' in summary
    if field != "homepage":  # the bot trap is hidden; its error shows in the summary only
        error = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', body, re.S)
        assert error, f"no error shown for {field}"
        assert message.lower() in error.group(1).lower()
        assert re.search(rf'aria-describedby="[^"]*{field}-error', body)
    else:
        assert message in summary
    assert stored(db_session) == NOTHING
    assert outbox() == []
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_typed_values_are_kept_after_an_error(client, csrf):
    response = client.post(APPLY_URL, data=form(csrf(), email="nope", location="Zürich <HQ>"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Ada Lovelace"' in body
    assert 'value="Zürich &lt;HQ&gt;"' in body
    assert "Built a survival model for sepsis risk." in body
    assert re.search(r'value="clinical-nlp"[^>]*checked|checked[^>]*value="clinical-nlp"', body)
    assert 'role="alert"' in body  # the error summary is announced


def test_missing_or_wrong_csrf_token_is_400(client, db_session):
    assert client.post(APPLY_URL, data=form("")).status_code == 400
    assert client.post(APPLY_URL, data=form("forged")).status_code == 400
    assert stored(db_session) == NOTHING


def test_unknown_role_is_404(client, csrf):
    assert client.post("/roles/no-such-role/apply", data=form(csrf())).status_code == 404


@pytest.mark.parametrize(
    ("content", "filename", "mimetype", "message"),
    [
        (EXE_BYTES, "resume.pdf", "application/pdf", "must be a PDF or a Word"),
        (plain_zip_bytes(), "resume.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "must be a PDF or a Word"),
        (b"Just some text, honestly a resume", "resume.pdf", "application/pdf", "must be a PDF or a Word"),
        (b"", "resume.pdf", "application/pdf", "empty"),
        (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "big.pdf", "application/pdf", "larger than 5 MB"),
    ],
)
def test_bad_resumes_are_refused(client, csrf, db_session, upload_dir, content, filename, mimetype, message):
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(content), filename, mimetype)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    error = re.search(r'id="resume-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert stored(db_session) == NOTHING
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_a_body_over_the_limit_is_413_with_a_friendly_page(client, csrf, db_session):
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(b"%PDF-" + b"0" * (7 * 1024 * 1024)), "huge.pdf", "application/pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
    assert stored(db_session) == NOTHING


def test_a_word_document_is_accepted_by_its_content(client, csrf, db_session):
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(docx_bytes()), "cv.bin", "application/octet-stream")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert application.resume_content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert application.resume_original_name == "cv.bin.docx"


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("résumé.PDF", "résumé.pdf"),
        ("\x00\x1f.pdf", "resume.pdf"),
    ],
)
def test_the_original_file_name_is_cleaned_for_display(client, csrf, db_session, filename, kept):
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(pdf_bytes()), filename, "application/pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert db_session.scalars(select(Application)).one().resume_original_name == kept


@pytest.mark.parametrize(
    ("filename", "extension", "kept"),
    [
        ("C:\\Users\\ada\\My CV.pdf", ".pdf", "My CV.pdf"),
        ("cv.PDF", ".pdf", "cv.pdf"),
        ("cv.pdf", ".docx", "cv.pdf.docx"),
        ("", ".pdf", "resume.pdf"),
        (None, ".docx", "resume.docx"),
        ("a" * 300 + ".pdf", ".pdf", "a" * 200 + ".pdf"),
        ('we"ird:*?|name.pdf', ".pdf", "we_ird_name.pdf"),
    ],
)
def test_clean_filename(filename, extension, kept):
    assert clean_filename(filename, extension) == kept


def test_free_text_is_stored_as_typed_and_shown_escaped(client, csrf, db_session):
    name = '<script>alert("x")</script> & =HYPERLINK("http://evil")'
    location = client.post(APPLY_URL, data=form(csrf(), full_name=name, location="=1+2")).headers["Location"]
    application = db_session.scalars(select(Application)).one()
    assert application.full_name == name
    assert application.location == "=1+2"
    body = client.get(location).get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; =HYPERLINK" in body


def test_control_characters_are_dropped_from_the_profile(client, csrf, db_session):
    response = client.post(APPLY_URL, data=form(csrf(), full_name="Ada\tLovelace ", profile="Line one\r\nLine\x00 two"))
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert application.full_name == "Ada Lovelace"
    assert application.profile == "Line one\nLine two"


@pytest.mark.parametrize("field", ["full_name", "email", "phone", "location", "linkedin_url"])
def test_a_line_break_or_control_character_in_a_one_line_field_is_422(client, csrf, db_session, field):
    value = {"email": "ada@example.org\r\nBcc: x@example.org", "linkedin_url": "https://x.org/\nin"}.get(field, "Ada\x07 Lovelace")
    response = client.post(APPLY_URL, data=form(csrf(), **{field: value}))
    assert response.status_code == 422
    assert "must be one line of text" in response.get_data(as_text=True)
    assert stored(db_session) == NOTHING


def test_second_open_application_is_409_and_mails_the_link_again(client, csrf, db_session, outbox):
    first = client.post(APPLY_URL, data=form(csrf()))
    token = STATUS.match(first.headers["Location"]).group(1)
    before = stored(db_session)

    again = client.post(APPLY_URL, data=form(csrf(), email="ADA@example.ORG", full_name="Someone Else"))

    assert again.status_code == 409
    body = again.get_data(as_text=True)
    assert token not in body
    assert "already has an open application" in body
    assert stored(db_session) == before
    first_mail, second_mail = outbox()
    assert second_mail["To"] == "ada@example.org"
    assert f"/applications/{token}" in second_mail.get_content()
    assert "nothing new was stored" in second_mail.get_content()


def test_one_candidate_across_roles_each_application_keeps_its_profile(client, csrf, db_session, second_role):
    assert client.post(APPLY_URL, data=form(csrf(), profile="First profile")).status_code == 303
    other = f"/roles/{second_role}/apply"
    response = client.post(other, data=form(csrf(f"/roles/{second_role}"), email="ADA@example.org", profile="Second profile", skills=[]))
    assert response.status_code == 303
    assert stored(db_session)["candidates"] == 1
    profiles = db_session.scalars(select(Application.profile).order_by(Application.id)).all()
    assert profiles == ["First profile", "Second profile"]


def test_applying_again_after_withdrawing_is_allowed(client, csrf, db_session):
    location = client.post(APPLY_URL, data=form(csrf())).headers["Location"]
    token = STATUS.match(location).group(1)
    assert client.post(f"/applications/{token}/withdraw", data={"csrf_token": csrf()}).status_code == 303
    again = client.post(APPLY_URL, data=form(csrf()))
    assert again.status_code == 303
    assert again.headers["Location"] != location
    assert stored(db_session)["applications"] == 2


def test_withdrawing_asks_first_then_records_it(client, csrf, db_session):
    location = client.post(APPLY_URL, data=form(csrf())).headers["Location"]
    token = STATUS.match(location).group(1)

    confirm = client.get(f"{location}/withdraw")
    assert confirm.status_code == 200
    assert "Withdraw your application?" in confirm.get_data(as_text=True)
    assert client.post(f"{location}/withdraw", data={}).status_code == 400

    response = client.post(f"{location}/withdraw", data={"csrf_token": csrf_token_of(confirm)})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    application = db_session.scalars(select(Application)).one()
    assert application.stage == Stage.WITHDRAWN
    assert application.closed_from_stage == Stage.APPLIED
    last = application.history[-1]
    assert (last.from_stage, last.to_stage, last.actor_kind) == (Stage.APPLIED, Stage.WITHDRAWN, "candidate")
    page = client.get(location).get_data(as_text=True)
    assert "Withdrawn" in page and "You withdrew your application" in page
    assert "Withdraw my application" not in page

    again = client.post(f"/applications/{token}/withdraw", data={"csrf_token": csrf()})
    assert again.status_code == 409


def csrf_token_of(response) -> str:
    from tests.fixtures.staff import csrf_token_from

    return csrf_token_from(response.get_data(as_text=True))


def test_a_failure_while_saving_leaves_no_application_and_no_file(app, client, csrf, db_session, upload_dir, monkeypatch):
    import ats.operations.applications as service

    real_insert = service._insert

    def insert_then_fail(*args, **kwargs):
        real_insert(*args, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_insert", insert_then_fail)
    monkeypatch.setattr(app, "testing", False)  # let the 500 handler answer
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(pdf_bytes()), "cv.pdf", "application/pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    assert stored(db_session) == NOTHING
    assert list(upload_dir.iterdir()) == []


def test_a_failing_file_write_stores_nothing(app, client, csrf, db_session, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the upload folder should be")
    monkeypatch.setitem(app.config, "ATS_UPLOAD_DIR", str(blocker))
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(
        APPLY_URL,
        data=form(csrf(), resume=(io.BytesIO(pdf_bytes()), "cv.pdf", "application/pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    assert stored(db_session) == NOTHING


def test_applications_are_rate_limited_per_address(app, client, csrf, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_APPLY_LIMIT", "2 per hour")
    # Forms sent back with errors do not count.
    for _ in range(3):
        assert client.post(APPLY_URL, data=form(csrf(), email="bad")).status_code == 422
    assert client.post(APPLY_URL, data=form(csrf(), email="one@example.org")).status_code == 303
    assert client.post(APPLY_URL, data=form(csrf(), email="two@example.org")).status_code == 303
    limited = client.post(APPLY_URL, data=form(csrf(), email="three@example.org"))
    assert limited.status_code == 429
    assert "Too many requests" in limited.get_data(as_text=True)
    assert stored(db_session)["applications"] == 2
    # Another address is not affected.
    other = client.post(
        APPLY_URL, data=form(csrf(), email="four@example.org"), environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert other.status_code == 303


def test_privacy_notice_says_what_how_long_who_and_how_to_erase(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for words in ["What we keep", "How long we keep it", "Who can see it", "erased", PRIVACY_NOTICE_VERSION]:
        assert words in body


def test_role_page_links_the_consent_box_to_the_privacy_notice(client):
    body = client.get(ROLE_URL).get_data(as_text=True)
    consent = body[body.index('id="consent"'):]
    assert 'href="/privacy"' in consent[:600]


def test_status_page_never_shows_self_identification(client, csrf, db_session):
    response = client.post(APPLY_URL, data=form(csrf(), eeo_race_ethnicity="asian", eeo_disability="yes"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    # The candidate's own page, with what it should show...
    assert "Healthcare AI Engineer" in body and "Ada Lovelace" in body and "Current stage" in body
    # ...and nothing of what they said about themselves.
    assert "Asian" not in body and "disability" not in body.lower()
