"""The pipeline CSV, to the letter of the contract."""
import csv
import html
import io
import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ats.models import (
    Access,
    AuditEvent,
    Company,
    Interview,
    InterviewKind,
    InterviewStatus,
    RoleSkill,
    SelfIdentification,
    Stage,
    utcnow,
)
from ats.queries.export import HEADER
from tests.fixtures import missing

HEADER_LINE = (
    "application_id,role,candidate_name,email,phone,location,stage,stage_entered_at,applied_at,"
    "updated_at,skill_match_score,skills_strong,skills_partial,skills_total,next_interview_at,"
    "next_interview_company,interviews_total,source"
)
BOM = b"\xef\xbb\xbf"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def parse(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body[3:].decode("utf-8"), newline="")))


@pytest.fixture
def signed_in_as(manager):
    """Exports are for managers: ``signed_in`` is one."""
    return manager


@pytest.fixture
def make(db_session, create_role, create_application):
    """Builders for a small hand-made data set."""

    class Make:
        def role(self, slug, title, skills=0, retired=0):
            role = create_role(slug, title)
            for number in range(skills + retired):
                db_session.add(RoleSkill(
                    role_id=role.id, slug=f"skill-{number}", name=f"Skill {number}", text="A skill.",
                    position=number, retired=number >= skills, keywords=[],
                ))
            db_session.commit()
            return role

        def application(self, role, name, stage=Stage.APPLIED, applied_at=None, **values):
            application = create_application(role, name, stage)
            if applied_at is not None:
                values.setdefault("applied_at", applied_at)
                values.setdefault("stage_entered_at", applied_at)
                values.setdefault("updated_at", applied_at)
            for key, value in values.items():
                setattr(application, key, value)
            db_session.commit()
            return application

        def company(self, slug, name):
            company = Company(slug=slug, name=name)
            db_session.add(company)
            db_session.commit()
            return company

        def interview(self, application, company, starts_at, status=InterviewStatus.SCHEDULED):
            interview = Interview(
                uid=f"{uuid.uuid4()}@test", application_id=application.id, company_id=company.id,
                kind=InterviewKind.VIDEO, status=status, starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1), timezone="UTC", duration_minutes=60,
            )
            db_session.add(interview)
            db_session.commit()
            return interview

    return Make()


# --- Access -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/reports/pipeline.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_recruiters_may_not_export(client, auth, create_staff):
    auth.login(create_staff(Access.RECRUITER))
    assert client.get("/reports/pipeline.csv").status_code == 403


@pytest.mark.parametrize("access", [Access.MANAGER, Access.ADMIN], ids=lambda a: a.value)
def test_managers_and_admins_export(client, auth, create_staff, access):
    auth.login(create_staff(access))
    assert client.get("/reports/pipeline.csv").status_code == 200


# --- The file's form ----------------------------------------------------------


def test_an_empty_export_is_the_bom_and_the_header(client, signed_in):
    response = client.get("/reports/pipeline.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="pipeline-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"]
    )
    assert response.get_data() == BOM + HEADER_LINE.encode() + b"\r\n"
    assert ",".join(HEADER) == HEADER_LINE


def test_rows_are_ordered_by_id_with_crlf_and_rfc4180_quoting(client, signed_in, make):
    role = make.role("ai-engineer", "AI Engineer")
    first = make.application(role, 'Ada "the Countess", Lovelace', location="London,\nUK")
    second = make.application(role, "Zoë Ñúñez", location="Line\r\nbreak")
    third = make.application(role, "李雷", location="Beijing")
    body = client.get("/reports/pipeline.csv").get_data()

    text = body[3:].decode("utf-8")
    # Every record ends in CRLF; the only bare LF is the one inside a quoted cell.
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 5  # header, three rows, and the CRLF inside a quoted cell
    assert f'{first.id},ai-engineer,"Ada ""the Countess"", Lovelace",' in text
    assert '"London,\nUK"' in text
    assert '"Line\r\nbreak"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(HEADER)
    assert [row[0] for row in rows[1:]] == [str(first.id), str(second.id), str(third.id)]
    assert [row[2] for row in rows[1:]] == ['Ada "the Countess", Lovelace', "Zoë Ñúñez", "李雷"]
    assert rows[1][5] == "London,\nUK"
    assert all(len(row) == len(HEADER) for row in rows)


def test_every_cell_is_written_as_the_csv_module_writes_it(client, signed_in, make):
    """The database writes most cells itself (ats/queries/export.py): read back
    and written again by Python's csv module, the file is the same, byte for byte."""
    role = make.role("ai-engineer", "AI Engineer")
    company = make.company("acme", "Acme")
    tricky = ['a "quoted", name', "=1+1, with a comma", "-\nbreak", "tab\tinside", "' apostrophe", "Zoë, 李雷",
              "line\rreturn", '"', ","]
    for number, text in enumerate(tricky):
        application = make.application(role, text, email=f"e{number}@example.org", phone=text, location=text,
                                       source=text, skills_strong=number % 3, skills_partial=1,
                                       skills_assessed=2)
        make.interview(application, company, utcnow() + timedelta(days=number + 1))
    make.application(role, "No phone", phone="", location="")
    body = client.get("/reports/pipeline.csv").get_data()
    assert body.startswith(BOM)
    text = body[3:].decode("utf-8")
    again = io.StringIO()
    csv.writer(again, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(text, newline=""))
    )
    assert again.getvalue() == text
    assert len(text.split("\r\n")) > len(tricky)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"], ids=repr)
def test_formula_cells_are_written_as_text(client, signed_in, make, start):
    role = make.role("ai-engineer", "AI Engineer")
    make.application(role, f"{start}HYPERLINK(\"http://evil.example\")", phone=f"{start}1 555 0100",
                     location=f"{start}cmd|' /C calc'!A0", source=f"{start}SUM(A1)")
    row = parse(client.get("/reports/pipeline.csv"))[0]
    assert row["candidate_name"] == f"'{start}HYPERLINK(\"http://evil.example\")"
    assert row["phone"] == f"'{start}1 555 0100"
    assert row["location"] == f"'{start}cmd|' /C calc'!A0"
    assert row["source"] == f"'{start}SUM(A1)"


def test_timestamps_stage_and_role_are_machine_readable(client, signed_in, make):
    role = make.role("ai-engineer", "AI Engineer")
    make.application(
        role, "Grace Hopper", Stage.SCREENING, applied_at=utc(2026, 11, 27, 21, 30),
        stage_entered_at=utc(2026, 11, 28, 8, 5, 9), updated_at=utc(2026, 11, 28, 8, 5, 9, 123456),
    )
    row = parse(client.get("/reports/pipeline.csv"))[0]
    assert row["role"] == "ai-engineer"
    assert row["stage"] == "screening"
    assert row["applied_at"] == "2026-11-27T21:30:00Z"
    assert row["stage_entered_at"] == "2026-11-28T08:05:09Z"
    assert row["updated_at"] == "2026-11-28T08:05:09Z"


def test_scores_and_interviews_on_a_hand_built_set(client, signed_in, make):
    # Eight active skills (and one retired one, which does not count).
    role = make.role("ai-engineer", "AI Engineer", skills=8, retired=1)
    pathai = make.company("pathai", "PathAI")
    tempus = make.company("tempus", "Tempus")
    unassessed = make.application(role, "Not Assessed")
    scored = make.application(role, "Scored", Stage.INTERVIEW, skills_strong=3, skills_partial=3, skills_assessed=7)
    all_none = make.application(role, "All None", Stage.INTERVIEW, skills_assessed=8)
    now = utcnow()
    make.interview(scored, tempus, now + timedelta(days=9))
    make.interview(scored, pathai, now + timedelta(days=2, hours=3))
    make.interview(scored, pathai, now - timedelta(days=1))  # past: counted, not next
    make.interview(scored, tempus, now + timedelta(days=1), InterviewStatus.CANCELLED)  # not counted
    make.interview(all_none, tempus, now - timedelta(days=3))

    rows = {int(row["application_id"]): row for row in parse(client.get("/reports/pipeline.csv"))}
    assert rows[unassessed.id]["skill_match_score"] == ""
    assert rows[unassessed.id]["skills_total"] == "8"
    assert rows[unassessed.id]["interviews_total"] == "0"
    assert rows[unassessed.id]["next_interview_at"] == ""
    # (3 + 3 × ½) / 8 = 56.25 %
    assert rows[scored.id]["skill_match_score"] == "56.2"  # as Application.skill_score rounds
    assert (rows[scored.id]["skills_strong"], rows[scored.id]["skills_partial"]) == ("3", "3")
    assert rows[scored.id]["interviews_total"] == "3"
    expected = (now + timedelta(days=2, hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rows[scored.id]["next_interview_at"] == expected
    assert rows[scored.id]["next_interview_company"] == "pathai"
    assert rows[all_none.id]["skill_match_score"] == "0.0"
    assert rows[all_none.id]["interviews_total"] == "1"
    assert rows[all_none.id]["next_interview_at"] == rows[all_none.id]["next_interview_company"] == ""


def test_rows_come_in_batches_in_order(app, app_session, make):
    from ats.queries.export import pipeline_csv
    from ats.queries.filters import Filters

    role = make.role("ai-engineer", "AI Engineer")
    ids = [make.application(role, f"Person {n}").id for n in range(7)]
    chunks = list(pipeline_csv(Filters(), batch=3))
    assert len(chunks) == 1 + 3  # header, then 3 + 3 + 1 rows
    rows = list(csv.reader(io.StringIO(b"".join(chunks)[3:].decode(), newline="")))
    assert [int(row[0]) for row in rows[1:]] == ids


def test_self_identification_never_appears(client, signed_in, make, db_session):
    role = make.role("ai-engineer", "AI Engineer")
    application = make.application(role, "Hedy Lamarr")
    db_session.add(SelfIdentification(
        application_id=application.id, gender="nonbinary", race_ethnicity="native-hawaiian-pacific-islander",
        veteran="protected-veteran", disability="yes",
    ))
    db_session.commit()
    response = client.get("/reports/pipeline.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    # The application is in the export, with its name...
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline="")))
    assert [(row["application_id"], row["candidate_name"]) for row in rows] == [(str(application.id), "Hedy Lamarr")]
    # ...and nothing of what the candidate said about themselves, in any column.
    for word in ("nonbinary", "native-hawaiian", "protected-veteran", "gender", "disability", "veteran"):
        assert word not in body


def test_the_deidentified_export_keeps_ids_and_drops_contact_details(client, signed_in, make):
    role = make.role("ai-engineer", "AI Engineer")
    application = make.application(role, "Katherine Johnson", phone="+1 555 0100", location="Hampton, VA")
    response = client.get("/reports/pipeline.csv?deidentified=1")
    assert 'filename="pipeline-deidentified-' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(BOM + HEADER_LINE.encode() + b"\r\n")
    row = parse(response)[0]
    assert row["application_id"] == str(application.id)
    assert row["role"] == "ai-engineer"
    assert row["candidate_name"] == row["email"] == row["phone"] == row["location"] == ""
    assert b"Katherine" not in body and application.email.encode() not in body


def test_every_export_is_recorded(client, signed_in, make, db_session):
    make.role("ai-engineer", "AI Engineer")
    client.get("/reports/pipeline.csv?role=ai-engineer&stage=applied&from=2026-01-01&to=2026-12-31&deidentified=1")
    client.get("/reports/pipeline.csv")
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.application_id) for e in events] == [
        ("pipeline.export", signed_in.id, None), ("pipeline.export", signed_in.id, None)
    ]
    assert events[0].detail == {
        "filters": {"role": "ai-engineer", "stage": "applied", "from": "2026-01-01", "to": "2026-12-31"},
        "deidentified": True,
    }
    assert events[1].detail == {"filters": {}, "deidentified": False}


# --- Filters --------------------------------------------------------------------


@pytest.fixture
def filter_set(make):
    engineer = make.role("ai-engineer", "AI Engineer")
    analyst = make.role("data-analyst", "Data Analyst")
    return {
        "early": make.application(engineer, "Early", applied_at=utc(2026, 3, 31, 23, 59, 59)).id,
        "first_day": make.application(engineer, "First Day", Stage.SCREENING, applied_at=utc(2026, 4, 1, 0, 0)).id,
        "last_day": make.application(analyst, "Last Day", applied_at=utc(2026, 4, 30, 23, 59, 59)).id,
        "late": make.application(analyst, "Late", Stage.SCREENING, applied_at=utc(2026, 5, 1, 0, 0)).id,
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["early", "first_day", "last_day", "late"]),
        ("role=ai-engineer", ["early", "first_day"]),
        ("stage=screening", ["first_day", "late"]),
        ("from=2026-04-01", ["first_day", "last_day", "late"]),
        ("to=2026-04-30", ["early", "first_day", "last_day"]),
        ("from=2026-04-01&to=2026-04-30", ["first_day", "last_day"]),
        ("from=2026-04-30&to=2026-04-30", ["last_day"]),
        ("role=data-analyst&stage=screening&from=2026-04-01", ["late"]),
        ("role=&stage=&from=&to=", ["early", "first_day", "last_day", "late"]),
    ],
)
def test_filters(client, signed_in, filter_set, query, expected):
    rows = parse(client.get(f"/reports/pipeline.csv?{query}"))
    assert [int(row["application_id"]) for row in rows] == [filter_set[name] for name in expected]


@pytest.mark.parametrize(
    "query",
    [
        "stage=archived",
        "stage=Applied",
        "role=no-such-role",
        "from=2026-13-01",
        "from=2026-04-1",
        "to=yesterday",
        "from=2026-05-01&to=2026-04-01",
        "deidentified=maybe",
    ],
)
def test_bad_filters_are_refused_with_400(client, signed_in, filter_set, db_session, query):
    response = client.get(f"/reports/pipeline.csv?{query}")
    assert response.status_code == 400
    assert "text/html" in response.headers["Content-Type"]
    assert "Those filters cannot be used" in response.get_data(as_text=True)
    assert db_session.scalars(select(AuditEvent)).all() == []


# --- A spreadsheet opens it as text ---------------------------------------------


def test_libreoffice_reads_formula_cells_as_text(client, signed_in, make, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        missing("LibreOffice is not installed (apt-get install libreoffice-calc)")
    role = make.role("ai-engineer", "AI Engineer")
    for start in ["=", "+", "-", "@"]:
        make.application(role, f"{start}1+1", phone=f"{start}2*3", location=f"{start}SUM(1,2)")
    make.application(role, "=HYPERLINK(\"http://evil.example\",\"click\")")
    source = tmp_path / "pipeline.csv"
    source.write_bytes(client.get("/reports/pipeline.csv").get_data())

    # The control: the same cells without the apostrophe are formulas to LibreOffice.
    unsafe = tmp_path / "unsafe.csv"
    unsafe.write_bytes(source.read_bytes().replace(b"'=", b"=").replace(b"'+", b"+"))

    def cells_of(path) -> str:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
             "--convert-to", "ods", "--infilter=CSV:44,34,76,1", "--outdir", str(tmp_path / "out"), str(path)],
            check=True, capture_output=True, timeout=180,
        )
        with zipfile.ZipFile(tmp_path / "out" / f"{path.stem}.ods") as ods:
            return html.unescape(ods.read("content.xml").decode("utf-8"))

    assert "table:formula" in cells_of(unsafe)
    content = cells_of(source)
    assert "table:formula" not in content
    # The neutralised cells are there, as text, with their leading apostrophe.
    for text in ("'=1+1", "'=HYPERLINK", "'+2*3", "'-SUM(1,2)", "'@SUM(1,2)"):
        assert f"<text:p>{text}" in content
