"""Resumes in an object store (issue 13): with ATS_STORAGE_URL=s3://bucket/prefix
applying writes the file to the bucket before the transaction commits and
removes it if the transaction rolls back, the recruiter's download streams it
from there, and its text is read from a temporary copy. Against a real S3 API
server on loopback (tests/fixtures/storage.py)."""
import io
import logging
import socket
import tempfile

import pytest
from sqlalchemy import select

from ats import create_app
from ats.infra import storage
from ats.infra.resumes import MAX_RESUME_BYTES, PDF
from ats.infra.storage import LocalStore, S3Store, parse_storage_url
from ats.models import Application, ResumeTextStatus
from ats.operations.resume_text import read_stored_resume
from config import TestingConfig
from tests.applications import ada, audit_events, page_url
from tests.files import pdf_bytes
from tests.pages import text_of
from tests.test_apply import APPLY_URL, NOTHING, form, stored

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


def apply(client, csrf, content: bytes, email: str = "ada@example.org"):
    return client.post(
        APPLY_URL,
        data=form(csrf(), email=email, resume=(io.BytesIO(content), "Ada CV.pdf", "application/pdf")),
        content_type="multipart/form-data",
    )


def test_applying_puts_one_object_under_the_prefix_and_reads_its_text(client, csrf, db_session, s3_bucket,
                                                                       upload_dir, tmp_path, monkeypatch):
    copies = tmp_path / "copies"
    copies.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(copies))
    content = pdf_bytes("Integrated FHIR and HL7 feeds into the Epic EHR.")
    assert apply(client, csrf, content).status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert s3_bucket.names() == [application.resume_storage_name]
    assert s3_bucket.read(application.resume_storage_name) == content
    assert (application.resume_size, application.resume_content_type) == (len(content), PDF)
    # The text was read from a temporary copy of the object, which is gone.
    assert application.resume_text_status == ResumeTextStatus.READ
    assert application.resume_text == "Integrated FHIR and HL7 feeds into the Epic EHR."
    assert list(copies.iterdir()) == []
    assert not upload_dir.exists()


def test_the_download_streams_the_object_with_the_usual_headers(client, signed_in, create_application, role,
                                                               attach_resume, db_session, s3_bucket):
    application_id = create_application(role, **ada()).id
    # Larger than any one chunk, so that it can only come in several.
    content = pdf_bytes("Ada " * 200_000)
    assert 3 * storage.CHUNK_BYTES < len(content) < MAX_RESUME_BYTES
    storage_name = attach_resume(application_id, content, PDF, "Ada Lovelace CV.pdf", read=False)
    assert s3_bucket.names() == [storage_name]
    response = client.get(f"{page_url(application_id)}/resume", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 1 and max(map(len, chunks)) <= storage.CHUNK_BYTES
    assert b"".join(chunks) == content
    assert response.content_length == len(content)
    assert response.mimetype == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="Ada Lovelace CV.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    [event_] = audit_events(db_session, "resume.download")
    assert (event_.actor_id, event_.application_id) == (signed_in.id, application_id)


def test_a_failing_insert_leaves_no_object(app, client, csrf, db_session, s3_bucket, monkeypatch):
    import ats.operations.applications as service

    real_insert = service._insert
    written = []

    def insert_then_fail(*args, **kwargs):
        written.extend(s3_bucket.names())  # the file is in the bucket before the commit
        real_insert(*args, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_insert", insert_then_fail)
    monkeypatch.setattr(app, "testing", False)  # let the 500 handler answer
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert apply(client, csrf, pdf_bytes()).status_code == 500
    assert len(written) == 1
    assert stored(db_session) == NOTHING
    assert s3_bucket.keys() == []


def test_a_duplicate_application_writes_nothing(client, csrf, db_session, s3_bucket):
    assert apply(client, csrf, pdf_bytes("first")).status_code == 303
    first = s3_bucket.names()
    assert apply(client, csrf, pdf_bytes("second")).status_code == 409
    assert s3_bucket.names() == first
    assert len(db_session.scalars(select(Application)).all()) == 1


def test_the_sweep_removes_an_object_no_application_names(app, client, csrf, db_session, s3_bucket, monkeypatch):
    from datetime import timedelta

    from ats.infra import resumes
    from ats.jobs import queue, tasks

    assert apply(client, csrf, pdf_bytes("kept")).status_code == 303
    [kept] = s3_bucket.names()
    with app.app_context():
        orphan = resumes.store(resumes.Resume(pdf_bytes("orphan"), PDF, "cv.pdf"))
        assert tasks.sweep(queue()).orphan_files == 0  # not an hour old
        # An hour from now, as the sweep will see them.
        monkeypatch.setattr(tasks, "ORPHAN_FILE_AFTER", timedelta(hours=-1))
        assert sorted(resumes.stored_before(2e9)) == sorted([kept, orphan])
        assert tasks.sweep(queue()).orphan_files == 1
    assert s3_bucket.names() == [kept]


def test_a_missing_object_is_404_and_the_page_says_so(client, signed_in, create_application, role, attach_resume,
                                                      db_session, s3_bucket):
    application_id = create_application(role, **ada()).id
    storage_name = attach_resume(application_id, pdf_bytes())
    s3_bucket.delete(storage_name)
    assert client.get(f"{page_url(application_id)}/resume").status_code == 404
    page = client.get(page_url(application_id))
    assert page.status_code == 200
    assert "The resume file is missing." in text_of(page.get_data(as_text=True))
    assert audit_events(db_session, "resume.download") == []


def unreachable(app, monkeypatch) -> None:
    """Point the app at an S3 endpoint where nothing listens (a port just freed)."""
    import boto3
    from botocore.config import Config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = boto3.session.Session().client(
        "s3", endpoint_url=f"http://127.0.0.1:{port}", config=Config(connect_timeout=1, retries={"max_attempts": 1})
    )
    url = "s3://unreachable/resumes"
    monkeypatch.setitem(app.config, "ATS_STORAGE_URL", url)
    monkeypatch.setitem(app.extensions["ats.storage"], url, S3Store("unreachable", "resumes/", client))


def test_an_unreachable_store_refuses_the_application_and_stores_nothing(app, client, csrf, db_session, s3_bucket,
                                                                         monkeypatch, caplog):
    unreachable(app, monkeypatch)
    with caplog.at_level(logging.WARNING):
        response = apply(client, csrf, pdf_bytes())
    assert response.status_code == 503
    assert "Stored files cannot be reached right now" in text_of(response.get_data(as_text=True))
    assert stored(db_session) == NOTHING
    assert "S3 could not be reached: EndpointConnectionError" in caplog.text


def test_with_the_bucket_unreachable_the_page_shows_and_the_download_is_503(app, client, signed_in,
                                                                           create_application, role, attach_resume,
                                                                           db_session, s3_bucket, monkeypatch):
    application_id = create_application(role, **ada(profile="Nothing relevant here.")).id
    attach_resume(application_id, pdf_bytes("Integrated FHIR feeds."))
    unreachable(app, monkeypatch)
    page = client.get(page_url(application_id))
    assert page.status_code == 200
    assert "<mark>FHIR</mark>" in page.get_data(as_text=True)  # the text stored with the application
    assert client.get(f"{page_url(application_id)}/resume").status_code == 503
    assert audit_events(db_session, "resume.download") == []


def test_an_unreachable_store_leaves_the_text_pending(app, s3_bucket, monkeypatch):
    unreachable(app, monkeypatch)
    with app.app_context():
        assert read_stored_resume("0" * 32, PDF) is None


def test_an_object_larger_than_a_resume_is_not_read(app, s3_bucket, tmp_path, monkeypatch):
    copies = tmp_path / "copies"
    copies.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(copies))
    s3_bucket.put("a" * 32, pdf_bytes() + b" " * MAX_RESUME_BYTES)
    with app.app_context():
        assert read_stored_resume("a" * 32, PDF).problem
    assert list(copies.iterdir()) == []


@pytest.mark.parametrize(("url", "bucket", "prefix"), [
    ("s3://resumes", "resumes", ""),
    ("s3://resumes/", "resumes", ""),
    ("s3://my.resumes-2026/prod/ats", "my.resumes-2026", "prod/ats/"),
    ("s3://resumes/prod/", "resumes", "prod/"),
])
def test_storage_urls_name_a_bucket_and_a_prefix(url, bucket, prefix):
    assert parse_storage_url(url) == (bucket, prefix)


@pytest.mark.parametrize(("url", "says"), [
    ("https://resumes.s3.amazonaws.com/prod", "only s3://"),
    ("/var/lib/ats/uploads", "only s3://"),
    ("s3:resumes", "bucket name"),
    ("s3://", "bucket name"),
    ("s3://Resumes/prod", "bucket name"),
    ("s3://ab", "bucket name"),
    ("s3://re..sumes", "bucket name"),
    ("s3://key:secret@resumes/prod", "no credentials"),
    ("s3://resumes:9000/prod", "no credentials or port"),
    ("s3://resumes/prod?region=eu", "no query"),
    ("s3://resumes/prod//ats", "the prefix"),
    ("s3://resumes/../prod", "the prefix"),
    ("s3://resumes/pr od", "the prefix"),
])
def test_a_bad_storage_url_is_refused_at_start_up(url, says, tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
        ATS_STORAGE_URL = url

    with pytest.raises(RuntimeError) as refused:
        create_app(Config)
    message = str(refused.value)
    assert message.startswith(f"ATS_STORAGE_URL={url!r} is not a storage address (")
    assert says in message
    assert "s3://bucket or s3://bucket/prefix" in message


def test_the_configured_store_is_chosen(app, s3_bucket, upload_dir, monkeypatch):
    with app.app_context():
        chosen = storage.current()
        assert isinstance(chosen, S3Store)
        assert (chosen.bucket, chosen.prefix) == ("ats-test-resumes", s3_bucket.prefix)
        assert storage.current() is chosen  # one client per address, made once
        monkeypatch.setitem(app.config, "ATS_STORAGE_URL", "")
        local = storage.current()
        assert isinstance(local, LocalStore) and local.directory == upload_dir


def test_erasing_a_candidate_deletes_their_object_from_the_bucket(app, client, csrf, db_session, s3_bucket):
    from ats.operations.erasure import erase_candidate

    content = pdf_bytes("Survival models")
    assert client.post(APPLY_URL, data=form(csrf(), resume=(io.BytesIO(content), "Ada CV.pdf", PDF)),
                       content_type="multipart/form-data").status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert s3_bucket.names() == [application.resume_storage_name]
    with app.app_context():
        erased = erase_candidate(application.candidate_id, None, "command line")
    assert (erased.files_deleted, erased.files_left) == (1, [])
    assert s3_bucket.names() == []
