"""A resume's text is read once, when it arrives, by a child process with
CPU, memory and wall-clock limits, and stored with the application; pages
read the stored text (security issue 12, item 2).

The hostile files are made here: a PDF of a few KB whose three pages share
one content stream of 1.8 million tokens (pypdf spends about 20 s of CPU on
each page), and a .docx of 300 KB whose directory says word/document.xml is
1,000 bytes when it inflates to 256 MB (python-docx, given it, takes the
process's memory up by about 700 MB).
"""
import functools
import io
import logging
import os
import resource
import struct
import time
import zipfile
import zlib

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from ats.extensions import db
from ats.infra import resume_text, resume_text_worker
from ats.infra.resume_text import Limits, extract
from ats.infra.resumes import DOCX, PDF
from ats.models import Application, ResumeTextStatus
from tests.applications import ada, page_url
from tests.files import docx_bytes, pdf_bytes, pdf_of
from tests.fixtures import ROOT
from tests.fixtures.staff import csrf_token_from
from tests.pages import text_of

ROLE_URL = "/roles/healthcare-ai-engineer"
UNREADABLE = "Resume text could not be read."
# What the web process may grow by while a hostile resume is read.
MAX_GROWTH_MB = 100
# A page that reads stored text answers in milliseconds; this is generous.
PAGE_SECONDS = 2


def pdf_with(content: bytes, pages: int = 1) -> bytes:
    """A PDF whose ``pages`` pages all draw the same Flate-compressed content stream."""
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages)).encode()
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources "
            b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ] + [page] * pages
    return pdf_of(objects)


@functools.cache
def slow_pdf() -> bytes:
    """Three pages sharing one stream of 900,000 "(a) Tj": 1.8 million tokens."""
    return pdf_with(b"BT /F1 12 Tf " + b"(a) Tj " * 900_000 + b"ET", pages=3)


DOCUMENT_START = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                  b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')


def docx_with_document(size: int) -> bytes:
    """A .docx whose word/document.xml is ``size`` bytes (mostly one long word), deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as base, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, base.read(info))
        end = b"</w:t></w:r></w:p></w:body></w:document>"
        with archive.open("word/document.xml", "w") as part:
            part.write(DOCUMENT_START)
            left, chunk = size - len(DOCUMENT_START) - len(end), b"a" * (1024 * 1024)
            while left > 0:
                part.write(chunk[:left])
                left -= len(chunk)
            part.write(end)
    return out.getvalue()


@functools.cache
def lying_docx(unpacked: int = 256 * 1024 * 1024, declared: int = 1_000) -> bytes:
    """A .docx whose word/document.xml inflates to ``unpacked`` bytes while its
    local header and central directory say ``declared`` bytes (with the CRC of
    the first ``declared`` bytes, so a reader that stops there finds no error)."""
    data = bytearray(docx_with_document(unpacked))
    name = b"word/document.xml"
    crc = zlib.crc32(DOCUMENT_START + b"a" * (declared - len(DOCUMENT_START)))
    # (signature, offset of the name's length, of the name, of the CRC, of the uncompressed size)
    for signature, name_length, name_at, crc_at, size_at in ((b"PK\x03\x04", 26, 30, 14, 22),
                                                             (b"PK\x01\x02", 28, 46, 16, 24)):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_length)[0]
            if data[at + name_at:at + name_at + length] == name:
                struct.pack_into("<I", data, at + crc_at, crc)
                struct.pack_into("<I", data, at + size_at, declared)
            at = data.find(signature, at + 4)
    return bytes(data)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def apply_with(app, content: bytes, name: str):
    """A candidate, in a client of their own, applies with ``content`` as resume."""
    candidate = app.test_client()
    token = csrf_token_from(candidate.get(ROLE_URL).get_data(as_text=True))
    return candidate.post(ROLE_URL + "/apply", data={
        "csrf_token": token, "full_name": "Ada Lovelace", "email": "ada@example.org", "phone": "", "location": "",
        "linkedin_url": "", "profile": "Built a survival model for sepsis risk.", "consent": "y",
        "resume": (io.BytesIO(content), name),
    }, content_type="multipart/form-data")


# --- Applying with a hostile resume --------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_hostile_resume_is_stopped_and_the_page_answers_at_once(kind, app, client, signed_in, seeded, upload_dir,
                                                                  db_session, caplog):
    content, name = (slow_pdf(), "Ada CV.pdf") if kind == "pdf" else (lying_docx(), "Ada CV.docx")
    assert len(content) < 400 * 1024
    limit = app.config["ATS_RESUME_TEXT_TIMEOUT_SECONDS"]
    memory_before = max_rss_mb()
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="ats.infra.resume_text"):
        response = apply_with(app, content, name)
    applying = time.perf_counter() - started
    grown = max_rss_mb() - memory_before
    print(f"\n{kind}: {len(content)} bytes, applying took {applying:.2f} s, the web process grew {grown:.0f} MB")

    assert response.status_code == 303
    assert applying < limit + 5
    assert grown < MAX_GROWTH_MB
    application = db_session.scalars(select(Application)).one()
    assert application.resume_text_status == ResumeTextStatus.UNREADABLE
    assert application.resume_text is None
    # The file is kept for download; the text is not there.
    assert (upload_dir / application.resume_storage_name).read_bytes() == content
    # Why, in the log, with nothing of the candidate's: no file name, no text.
    [record] = [r for r in caplog.records if r.name == "ats.infra.resume_text"]
    reason = record.getMessage()
    if kind == "pdf":
        assert f"used more than {app.config['ATS_RESUME_TEXT_CPU_SECONDS']} s of CPU" in reason
    else:
        assert "XMLSyntaxError" in reason  # cut at the size it declared: no gigabytes unpacked
    assert "Ada" not in reason and application.resume_storage_name not in reason and "aaaa" not in reason

    started = time.perf_counter()
    page = client.get(page_url(application.id))
    showing = time.perf_counter() - started
    print(f"{kind}: the application page took {showing:.3f} s")
    assert page.status_code == 200
    assert showing < PAGE_SECONDS
    text = text_of(page.get_data(as_text=True))
    assert f"{UNREADABLE} Suggestions below come from the profile only." in text
    assert "sepsis" in text  # the profile still gives suggestions


def test_a_normal_resume_is_read_when_it_arrives(app, client, signed_in, seeded, upload_dir, db_session):
    response = apply_with(app, pdf_bytes("Integrated FHIR and HL7 feeds into the Epic EHR."), "cv.pdf")
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert application.resume_text_status == ResumeTextStatus.READ
    assert application.resume_text == "Integrated FHIR and HL7 feeds into the Epic EHR."
    assert not application.resume_text_truncated
    assert "<mark>FHIR</mark>" in client.get(page_url(application.id)).get_data(as_text=True)


def test_applying_without_a_resume_stores_no_text(app, seeded, upload_dir, db_session):
    candidate = app.test_client()
    token = csrf_token_from(candidate.get(ROLE_URL).get_data(as_text=True))
    response = candidate.post(ROLE_URL + "/apply", data={
        "csrf_token": token, "full_name": "Ada Lovelace", "email": "ada@example.org", "profile": "Sepsis risk.",
        "consent": "y",
    })
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert (application.resume_text_status, application.resume_text) == (ResumeTextStatus.NONE, None)


def test_a_second_application_keeps_no_file_and_reads_nothing(app, seeded, upload_dir, db_session, monkeypatch):
    assert apply_with(app, pdf_bytes(), "cv.pdf").status_code == 303
    monkeypatch.setattr(resume_text.subprocess, "run", lambda *a, **k: pytest.fail("a duplicate's resume was read"))
    assert apply_with(app, pdf_bytes("Another"), "cv.pdf").status_code == 409
    assert len(list(upload_dir.iterdir())) == 1


def test_with_every_reader_busy_the_resume_is_stored_pending(app, seeded, upload_dir, db_session, monkeypatch):
    from ats.operations.resume_text import reader_slots

    monkeypatch.setitem(app.config, "ATS_RESUME_TEXT_AT_ONCE", 1)
    monkeypatch.setitem(app.config, "ATS_RESUME_TEXT_TIMEOUT_SECONDS", 0.2)
    busy = reader_slots(1)
    assert busy.acquire(timeout=5)  # another upload is being read
    try:
        started = time.perf_counter()
        assert apply_with(app, pdf_bytes("Integrated FHIR feeds."), "cv.pdf").status_code == 303
        waited = time.perf_counter() - started
    finally:
        busy.release()
    application = db_session.scalars(select(Application)).one()
    assert (application.resume_text_status, application.resume_text) == (ResumeTextStatus.PENDING, None)
    assert waited < 5


# --- The reader and its limits -------------------------------------------------------


def test_the_reader_reads_pdf_and_word_files(tmp_path):
    (tmp_path / "cv.pdf").write_bytes(pdf_bytes("Integrated FHIR feeds."))
    (tmp_path / "cv.docx").write_bytes(docx_bytes("Calibrated a Bayesian ensemble."))
    assert extract(tmp_path / "cv.pdf", PDF) == resume_text.ResumeText("Integrated FHIR feeds.")
    assert extract(tmp_path / "cv.docx", DOCX) == resume_text.ResumeText("Calibrated a Bayesian ensemble.")
    assert extract(tmp_path / "cv.pdf", "text/plain").problem == UNREADABLE


def test_text_past_the_cap_is_cut_and_marked_truncated(tmp_path):
    path = tmp_path / "long.docx"
    path.write_bytes(docx_bytes("FHIR " * 50_000))
    text = extract(path, DOCX)
    assert len(text.text) == resume_text.MAX_RESUME_TEXT and text.truncated and text.problem is None


def test_a_reader_that_hangs_is_killed_at_the_wall_clock_limit(tmp_path, caplog):
    # Opening a FIFO nobody writes to blocks without using any CPU.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="ats.infra.resume_text"):
        text = extract(fifo, PDF, Limits(timeout_seconds=1))
    assert time.perf_counter() - started < 3
    assert text.problem == UNREADABLE
    assert "took longer than 1 s and was stopped" in caplog.text


def test_a_reader_that_needs_too_much_memory_is_stopped(tmp_path, caplog):
    # 70 MB of spaces in a content stream of 68 KB.
    path = tmp_path / "big.pdf"
    path.write_bytes(pdf_with(b" " * 70_000_000))
    with caplog.at_level(logging.WARNING, logger="ats.infra.resume_text"):
        text = extract(path, PDF, Limits(memory_mb=128))
    assert text.problem == UNREADABLE
    assert "needed more than 128 MiB" in caplog.text


def test_a_word_file_is_unpacked_counting_the_bytes_that_come_out(tmp_path):
    # A part that declares less than it holds is cut at what it declares.
    lying = tmp_path / "lying.docx"
    lying.write_bytes(lying_docx(unpacked=8 * 1024 * 1024))
    with zipfile.ZipFile(io.BytesIO(resume_text_worker.unpacked_copy(str(lying)))) as copy:
        assert copy.getinfo("word/document.xml").file_size == 1_000
    # One that declares the truth is refused once the count passes the limit.
    honest = tmp_path / "honest.docx"
    honest.write_bytes(docx_with_document(8 * 1024 * 1024))
    with pytest.raises(resume_text_worker.ResumeTextError):
        resume_text_worker.unpacked_copy(str(honest), limit=4 * 1024 * 1024)
    assert len(resume_text_worker.unpacked_copy(str(honest), limit=9 * 1024 * 1024)) > 8 * 1024 * 1024


def test_a_word_file_compressed_otherwise_than_by_deflate_is_not_read(tmp_path):
    path = tmp_path / "bzip2.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes("FHIR"))) as base, zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as copy:
        for info in base.infolist():
            copy.writestr(info.filename, base.read(info))
    path.write_bytes(out.getvalue())
    assert extract(path, DOCX).problem == UNREADABLE


# --- Resumes from before: 'pending' until read ---------------------------------------


def test_a_pending_resume_says_so_and_the_page_reads_no_file(client, signed_in, create_application, role,
                                                           attach_resume, monkeypatch):
    application_id = create_application(role, **ada()).id
    attach_resume(application_id, pdf_bytes("Integrated FHIR feeds."), read=False)
    monkeypatch.setattr(resume_text.subprocess, "run", lambda *a, **k: pytest.fail("the page read a file"))
    text = text_of(client.get(page_url(application_id)).get_data(as_text=True))
    assert "The resume's text has not been read yet. Suggestions below come from the profile only." in text


def test_the_migration_marks_resumes_pending_and_read_resumes_reads_them(app, client, auth, signed_in,
                                                                        create_application, role, attach_resume,
                                                                        db_session):
    with_pdf = create_application(role, **ada(profile="Nothing relevant here.")).id
    attach_resume(with_pdf, pdf_bytes("Integrated FHIR feeds."))
    broken = create_application(role, **ada()).id
    attach_resume(broken, b"%PDF-1.4\ngarbage", PDF)
    without = create_application(role, **ada()).id
    # The schema before 0013, with these rows in it, and then 0013.
    with app.app_context():
        db.session.remove()
        downgrade(directory=str(ROOT / "migrations"), revision="0012")
        upgrade(directory=str(ROOT / "migrations"))
    # Going back past 0014 dropped the staff sessions: sign in again.
    assert auth.login(signed_in).status_code == 303

    def statuses():
        rows = db_session.execute(select(Application.id, Application.resume_text_status, Application.resume_text))
        return {row.id: (row.resume_text_status, row.resume_text) for row in rows}

    assert statuses() == {with_pdf: ("pending", None), broken: ("pending", None), without: ("none", None)}
    assert "has not been read yet" in text_of(client.get(page_url(with_pdf)).get_data(as_text=True))

    result = app.test_cli_runner().invoke(args=["ats", "read-resumes"])
    assert result.exit_code == 0, result.output
    assert "resume text: 1 read, 1 could not be read" in result.output
    assert statuses() == {with_pdf: ("read", "Integrated FHIR feeds."), broken: ("unreadable", None),
                          without: ("none", None)}
    assert "<mark>FHIR</mark>" in client.get(page_url(with_pdf)).get_data(as_text=True)
    # Nothing is left to read.
    again = app.test_cli_runner().invoke(args=["ats", "read-resumes"])
    assert "resume text: 0 read, 0 could not be read" in again.output
