"""The right to erasure (contract, "Data rights"): after a candidate is
erased, nothing finds them (the database, the upload folder, the mail not
sent yet, every staff page, search, the CSV, the export command), their
status link is dead, and their applications stay as anonymous rows, so the
funnel, time in stage, the fairness report and the CSV's row count stay."""
import csv
import io
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from ats import events
from ats.extensions import db
from ats.models import (
    Application,
    AuditEvent,
    Candidate,
    ErasureRequest,
    Event,
    EventType,
    FairnessTally,
    Interview,
    InterviewStatus,
    SelfIdentification,
    Stage,
    utcnow,
)
from ats.operations.erasure import erase_candidate
from ats.queries.filters import Filters
from ats.queries.reports import build_report
from tests.files import pdf_bytes
from tests.fixtures.factories import status_token
from tests.test_apply import APPLY_URL, form
from tests.test_reports import A, H, I, O, R, S, W, make, utc  # noqa: F401  (make: a fixture)

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")

NAME = "Ada Quillfeather"
EMAIL = "Ada.Quillfeather@example.org"
PHONE = "+44 20 7946 0123"
# A word no one else's data holds, in the profile, the resume, notes and reasons.
WORD = "xylocarpine"
TRACES = [NAME.split()[1], EMAIL.split("@")[0], PHONE, WORD, "quillfeather"]


def database_dump(app) -> str:
    """Every byte of the database as text: SQLite's own dump, or pg_dump."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                return "\n".join(raw.driver_connection.iterdump())
            finally:
                raw.close()
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", "--data-only", plain], check=True, capture_output=True, text=True).stdout


def traces_in(text: str) -> list[str]:
    lowered = text.lower()
    return [trace for trace in TRACES if trace.lower() in lowered]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data()[3:].decode(), newline="")))


@pytest.fixture
def ada(app, client, csrf, auth, recruiter, db_session, upload_dir):
    """Ada applies with a resume and self-identification; a recruiter notes,
    assesses, moves and schedules her; she asks to be erased."""
    response = client.post(APPLY_URL, data=form(
        csrf(), full_name=NAME, email=EMAIL, phone=PHONE, location="Quillfeather Lane, Leeds",
        linkedin_url="https://www.linkedin.com/in/quillfeather",
        profile=f"Built {WORD} survival models for sepsis.", eeo_gender="female", eeo_race_ethnicity="asian",
        resume=(io.BytesIO(pdf_bytes(f"{WORD} FHIR pipelines")), "Quillfeather CV.pdf", "application/pdf"),
    ), content_type="multipart/form-data")
    assert response.status_code == 303
    application = db_session.scalars(select(Application)).one()
    page = f"/pipeline/applications/{application.id}"
    auth.login(recruiter)
    assert client.post(f"{page}/notes", data={"csrf_token": auth.token(page), "body": f"{NAME} knows {WORD}."}).status_code == 303
    skill = application.role.active_skills[0].slug
    assert client.post(f"{page}/skills", data={
        "csrf_token": auth.token(page), f"skill-{skill}": "strong", f"note-{skill}": f"{WORD} paper",
    }).status_code == 303
    assert client.post(f"{page}/stage", data={
        "csrf_token": auth.token(page), "stage": "screening", "reason": f"{NAME} looks right", "version": "1",
    }).status_code == 303
    starts = utcnow() + timedelta(days=30)
    assert client.post(f"{page}/interviews", data={
        "csrf_token": auth.token(f"{page}/interviews/new"), "company": "tempus",
        "starts_at": starts.strftime("%Y-%m-%dT10:00"), "timezone": "Europe/London", "duration_minutes": "45",
        "kind": "onsite", "location": "Quillfeather house", "interviewers": "ines@tempus.example",
    }).status_code == 303
    auth.logout()
    token = status_token(app, application)
    status_page = f"/applications/{token}"
    assert client.post(f"{status_page}/erasure-request", data={"csrf_token": csrf(status_page)}).status_code == 303
    return application, token


def test_erasure_leaves_no_trace_of_the_person(app, client, auth, admin, manager, recruiter, db_session, ada,
                                               upload_dir, outbox):
    application, token = ada
    assert traces_in(database_dump(app)), "the journey left the traces the test looks for"
    assert list(upload_dir.iterdir())
    auth.login(manager)
    rows_before = csv_rows(client.get("/reports/pipeline.csv"))
    auth.logout()
    mails_before = len(outbox())

    auth.login(admin)
    requests_page = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert NAME in requests_page and "1 day" not in requests_page and "0 days" in requests_page
    candidate_id = application.candidate_id
    assert client.get(f"/admin/candidates/{candidate_id}/erase").status_code == 200
    response = client.post(f"/admin/candidates/{candidate_id}/erase",
                           data={"csrf_token": auth.token(f"/admin/candidates/{candidate_id}/erase")})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/erasure-requests"
    answered = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert "None: every request has been answered." in answered and "Erased" in answered

    # The database, the files, the mail.
    assert traces_in(database_dump(app)) == []
    assert list(upload_dir.iterdir()) == []
    assert len(outbox()) == mails_before

    # The status link is dead; every page and search is blind to her.
    assert client.get(f"/applications/{token}").status_code == 404
    assert client.post(f"/applications/{token}/erasure-request", data={"csrf_token": auth.token("/admin/")}).status_code == 404
    pages = ["/pipeline/", "/pipeline/healthcare-ai-engineer", f"/pipeline/applications/{application.id}",
             "/pipeline/healthcare-ai-engineer?q=Quillfeather", f"/pipeline/healthcare-ai-engineer?q={WORD}",
             "/interviews/", "/reports/", "/admin/erasure-requests", "/admin/audit" if "admin.audit" in
             app.view_functions else "/admin/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        if "?q=" in path:  # the search box shows what was asked
            body = body.replace(path.split("?q=")[1], "")
        assert traces_in(body) == [], path
    search = client.get(f"/pipeline/healthcare-ai-engineer?q={NAME.split()[1]}").get_data(as_text=True)
    assert f"/pipeline/applications/{application.id}" not in search
    assert client.get(f"/admin/candidates/{candidate_id}").status_code == 404
    assert client.get(f"/admin/candidates?email={EMAIL}").status_code == 200
    assert client.get(f"/pipeline/applications/{application.id}/resume").status_code == 404
    result = app.test_cli_runner().invoke(args=["ats", "export-candidate", EMAIL])
    assert result.exit_code == 1

    # The CSV: the same rows, her identity columns empty.
    rows_after = csv_rows(client.get("/reports/pipeline.csv"))
    assert len(rows_after) == len(rows_before) == 1
    [row] = rows_after
    assert traces_in(",".join(row.values())) == []
    assert {row[c] for c in ("candidate_name", "email", "phone", "location")} == {""}
    assert (row["application_id"], row["role"], row["stage"], row["applied_at"], row["skills_strong"], row["source"]) == (
        rows_before[0]["application_id"], "healthcare-ai-engineer", "withdrawn", rows_before[0]["applied_at"], "1",
        rows_before[0]["source"])

    # What stays: the anonymous row, its history times and skill level; the
    # interview still to come is cancelled; the audit says who erased, not whom.
    stored = db_session.get(Application, application.id)
    assert stored.erased_at is not None and stored.stage == Stage.WITHDRAWN and stored.skills_strong == 1
    assert [change.to_stage for change in stored.history] == [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.WITHDRAWN]
    assert {change.reason for change in stored.history} == {""}
    [interview] = db_session.scalars(select(Interview)).all()
    assert interview.status == InterviewStatus.CANCELLED and interview.location == ""
    [erase] = db_session.scalars(select(AuditEvent).filter_by(action="candidate.erase")).all()
    assert erase.actor_id == admin.id and erase.detail == {"applications": [application.id], "by": "admin"}
    assert db_session.scalar(select(func.count()).select_from(SelfIdentification)) == 0
    [tally] = db_session.scalars(select(FairnessTally)).all()
    assert (tally.gender, tally.race_ethnicity, tally.applications) == ("female", "asian", 1)
    assert db_session.scalar(select(ErasureRequest.handled_at)) is not None


def test_mail_not_sent_yet_is_dropped(app, create_application, role, db_session, outbox):
    application = create_application(role, NAME, email=EMAIL)
    event = Event(type=EventType.APPLICATION_CREATED, application_id=application.id, data={"resume": False})
    db_session.add(event)
    db_session.commit()
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
        assert events.deliver(event.id) is False
    assert outbox() == []


def test_a_claimed_event_of_an_erased_candidate_sends_nothing(app, create_application, role, db_session, outbox):
    """A job that claimed the mail before the erasure committed finds no one to write to."""
    application = create_application(role, NAME, email=EMAIL)
    event = Event(type=EventType.APPLICATION_CREATED, application_id=application.id, data={"resume": False})
    db_session.add(event)
    db_session.commit()
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
        db.session.execute(Event.__table__.update().values(dispatched_at=None))
        db.session.commit()
        assert events.deliver(event.id) is True
    assert outbox() == []


def test_an_erased_application_never_moves_again(app, client, auth, recruiter, create_application, role, db_session):
    application = create_application(role, NAME, stage=Stage.REJECTED, closed_from_stage=Stage.SCREENING)
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
    auth.login(recruiter)
    page = f"/pipeline/applications/{application.id}"
    version = db_session.get(Application, application.id).version
    response = client.post(f"{page}/stage", data={
        "csrf_token": auth.token(page), "stage": "screening", "reason": "Reopen", "version": str(version),
    })
    assert response.status_code == 422
    assert db_session.get(Application, application.id).stage == Stage.REJECTED


def test_the_same_person_applying_again_after_erasure_is_a_new_candidate(app, client, csrf, create_application,
                                                                         role, db_session):
    old = create_application(role, NAME, stage=Stage.WITHDRAWN, email=EMAIL.lower(), closed_from_stage=Stage.APPLIED)
    with app.app_context():
        erase_candidate(old.candidate_id, None, "command line")
    assert client.post(APPLY_URL, data=form(csrf(), full_name=NAME, email=EMAIL)).status_code == 303
    candidates = db_session.scalars(select(Candidate).order_by(Candidate.id)).all()
    assert [c.email_key for c in candidates] == [f"erased-{old.candidate_id}", EMAIL.lower()]


def test_erasing_twice_or_no_one_is_refused(app, client, auth, admin, create_application, role):
    application = create_application(role, NAME, stage=Stage.HIRED)
    auth.login(admin)
    path = f"/admin/candidates/{application.candidate_id}/erase"
    assert client.post(path, data={"csrf_token": auth.token("/admin/")}).status_code == 303
    assert client.post(path, data={"csrf_token": auth.token("/admin/")}).status_code == 404
    assert client.post("/admin/candidates/999999999/erase", data={"csrf_token": auth.token("/admin/")}).status_code == 404
    assert client.post(path, data={}).status_code == 400  # no CSRF token


# --- The reports do not change -------------------------------------------------------


def snapshot(filters: Filters):
    report = build_report(filters)
    return report.total, report.funnel, report.fairness, report.stage_times, report.weeks


def test_the_funnel_time_in_stage_and_fairness_report_do_not_change(app_session, make):
    role = make.role("ai-engineer", "AI Engineer")
    other = make.role("data-analyst", "Data Analyst")
    march = utc(2026, 3, 2, 9)
    women = [make.application(role, path, march + i * timedelta(days=1), ident={"gender": "female", "veteran": "not-veteran"})
             for i, path in enumerate([[A, S, R], [A, S, I, R], [A, R], [A, S, I, O, H], [A, S], [A, S, I, W]])]
    men = [make.application(role, path, march + i * timedelta(days=2), ident={"gender": "male"})
           for i, path in enumerate([[A, S, I, O, H], [A, S, I, R], [A, S, R], [A, S, I], [A, R], [A]])]
    make.application(other, [A, S, R], march, ident={"gender": "female"})
    role_only, march_week = Filters(role=role), Filters(applied_from=march.date(), applied_to=(march + timedelta(days=6)).date())
    rejected = Filters(stage=Stage.REJECTED)
    scopes = [Filters(), role_only, march_week, rejected]
    before = [snapshot(scope) for scope in scopes]
    # The female group must be shown (five or more) for the test to mean anything.
    gender = next(q for q in before[0][2] if q.key == "gender")
    assert next(row for row in gender.rows if row.value == "female").steps[0].shown

    for application in (women[0], women[1], women[2], men[1]):  # closed: rejected
        erase_candidate(application.candidate_id, None, "retention")
    app_session.expire_all()
    assert [snapshot(scope) for scope in scopes] == before
    assert app_session.scalar(select(func.sum(FairnessTally.applications))) == 4


def test_an_open_application_is_withdrawn_then_erased_as_its_candidate_withdrawing_would(app_session, make):
    """Two roles with the same applications: on one, a candidate withdraws;
    on the other, the same candidate is erased. The reports read alike."""
    from ats.operations.applications import withdraw

    roles = [make.role("ai-engineer", "AI Engineer"), make.role("ml-engineer", "ML Engineer")]
    people = {role.slug: [make.application(role, [A, S], utc(2026, 3, 2 + i, 9), ident={"gender": "female"})
                          for i in range(6)] for role in roles}
    withdraw(people["ai-engineer"][0].id)
    erase_candidate(people["ml-engineer"][0].candidate_id, None, "admin")
    app_session.expire_all()
    erased = app_session.get(Application, people["ml-engineer"][0].id)
    assert erased.stage == Stage.WITHDRAWN and erased.erased_at is not None
    withdrawn, gone = (build_report(Filters(role=role)) for role in roles)
    assert withdrawn.funnel == gone.funnel and withdrawn.fairness == gone.fairness
    assert [t.stays for t in withdrawn.stage_times] == [t.stays for t in gone.stage_times]


def test_on_sqlite_the_erased_words_are_gone_from_the_file_itself(app, ada, db_session):
    """Not only from what SQL reads: deleted content is zeroed (secure_delete),
    and a checkpoint moves the log's pages into the file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's own file")
    application, _ = ada
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    content = open(url.database, "rb").read()
    assert WORD.encode() not in content and b"Quillfeather" not in content


def test_an_erased_application_takes_no_note_or_skill_level(app, client, auth, recruiter, create_application, role,
                                                            db_session):
    application = create_application(role, NAME, stage=Stage.REJECTED, closed_from_stage=Stage.SCREENING)
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
    auth.login(recruiter)
    page = f"/pipeline/applications/{application.id}"
    shown = client.get(page).get_data(as_text=True)
    assert f"Erased candidate #{application.id}" in shown and "data was erased on" in shown
    assert 'class="note-form"' not in shown and 'class="skills-form"' not in shown
    skill = role.active_skills[0].slug
    for path, data in ((f"{page}/notes", {"body": "A note"}), (f"{page}/skills", {f"skill-{skill}": "strong"})):
        response = client.post(path, data={"csrf_token": auth.token(page), **data})
        assert response.status_code == 422, path
        assert "Nothing was saved: this candidate’s data was erased" in response.get_data(as_text=True)
    stored = db_session.get(Application, application.id)
    assert stored.skills_assessed == 0
    board = client.get("/pipeline/healthcare-ai-engineer?stage=rejected").get_data(as_text=True)
    assert f"Erased candidate #{application.id}" in board
