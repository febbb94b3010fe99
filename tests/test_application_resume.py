"""The resume on an application's staff page (issue 4, "One application"):
downloaded as an attachment under a cleaned name, audited, and 404 when
there is none."""
from ats.infra.resumes import DOCX, PDF
from tests.applications import ada, audit_events, page_url
from tests.files import docx_bytes, pdf_bytes
from tests.pages import text_of


def test_the_resume_downloads_as_an_attachment_and_is_audited(client, signed_in, create_application, role,
                                                             attach_resume, db_session):
    application_id = create_application(role, **ada()).id
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


def test_a_word_resume_keeps_its_type_and_a_cleaned_unicode_name(client, signed_in, create_application, role,
                                                                 attach_resume):
    application_id = create_application(role, **ada()).id
    attach_resume(application_id, docx_bytes(), DOCX, 'José "CV"/..\\résumé.docx')
    response = client.get(f"{page_url(application_id)}/resume")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.docx" in disposition
    assert '"' not in disposition.split("filename=", 1)[1].strip('"')


def test_no_resume_or_a_missing_file_is_404(client, signed_in, create_application, role, attach_resume, upload_dir,
                                            db_session):
    without = create_application(role, **ada(email="none@example.org")).id
    assert client.get(f"{page_url(without)}/resume").status_code == 404
    gone = create_application(role, **ada(email="gone@example.org")).id
    storage_name = attach_resume(gone, pdf_bytes())
    (upload_dir / storage_name).unlink()
    assert client.get(f"{page_url(gone)}/resume").status_code == 404
    assert "The resume file is missing." in text_of(client.get(page_url(gone)).get_data(as_text=True))
    assert audit_events(db_session, "resume.download") == []
