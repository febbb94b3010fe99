"""Admins' data-rights pages: finding a candidate, their copy of everything
held (JSON and a zip of their files), and the erasure requests candidates
send from their status pages (contract: ``POST /applications/<token>/erasure-request``)."""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.models import AuditEvent, ErasureRequest, Stage, utcnow
from tests.files import pdf_bytes
from tests.fixtures.factories import status_token

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir", "outbox")


@pytest.fixture
def grace(create_application, role):
    return create_application(role, "Grace Hopper", email="Grace.Hopper@example.org", phone="+1 555 0100")


def ask_erasure(client, csrf, token):
    return client.post(f"/applications/{token}/erasure-request", data={"csrf_token": csrf()})


def test_a_candidate_asks_from_their_status_page_once(app, client, csrf, grace, db_session):
    token = status_token(app, grace)
    page = client.get(f"/applications/{token}").get_data(as_text=True)
    assert "Ask to have my data erased" in page
    response = ask_erasure(client, csrf, token)
    assert response.status_code == 303 and response.headers["Location"] == f"/applications/{token}"
    shown = client.get(f"/applications/{token}").get_data(as_text=True)
    assert "We have your request of" in shown and "You asked on" in shown
    assert "Ask to have my data erased" not in shown
    assert ask_erasure(client, csrf, token).status_code == 303
    [request] = db_session.scalars(select(ErasureRequest)).all()
    assert request.application_id == grace.id and request.handled_at is None
    [audit] = db_session.scalars(select(AuditEvent).filter_by(action="erasure.request")).all()
    assert audit.actor_id is None and audit.detail == {"request_id": request.id}


def test_an_erasure_request_needs_the_csrf_token_and_a_real_link(app, client, csrf, grace, db_session):
    token = status_token(app, grace)
    assert client.post(f"/applications/{token}/erasure-request", data={}).status_code == 400
    assert client.post("/applications/" + "A" * 43 + "/erasure-request",
                       data={"csrf_token": csrf(f"/applications/{token}")}).status_code == 404
    assert db_session.scalars(select(ErasureRequest)).all() == []


def test_requests_are_listed_oldest_first_and_flagged_after_30_days(app, client, csrf, auth, admin,
                                                                      create_application, role, db_session):
    late = create_application(role, "Lena Late", email="lena@example.org")
    fresh = create_application(role, "Fred Fresh", email="fred@example.org")
    for application in (fresh, late):
        assert ask_erasure(client, csrf, status_token(app, application)).status_code == 303
    requests = {r.application_id: r for r in db_session.scalars(select(ErasureRequest))}
    db_session.execute(ErasureRequest.__table__.update().where(ErasureRequest.id == requests[late.id].id)
                       .values(requested_at=utcnow() - timedelta(days=31)))
    db_session.commit()
    auth.login(admin)
    page = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert page.index("Lena Late") < page.index("Fred Fresh")
    assert page.count("Overdue") == 1 and "31 days" in page
    index = client.get("/admin/").get_data(as_text=True)
    assert "2 waiting" in index


def test_finding_a_candidate_by_address(client, auth, admin, grace):
    auth.login(admin)
    found = client.get("/admin/candidates?email=  GRACE.HOPPER@example.org ")
    assert found.status_code == 303 and found.headers["Location"] == f"/admin/candidates/{grace.candidate_id}"
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Grace Hopper" in page and "Grace.Hopper@example.org" in page and "Healthcare AI Engineer" in page
    missing = client.get("/admin/candidates?email=nobody@example.org")
    assert missing.status_code == 200 and "No candidate has the address" in missing.get_data(as_text=True)
    assert client.get("/admin/candidates?email=a%00b").status_code == 400
    assert client.get("/admin/candidates?email=" + "a" * 321).status_code == 400
    assert client.get("/admin/candidates/999999999").status_code == 404


def test_the_copy_of_everything_held_as_json_and_the_files_as_a_zip(client, auth, admin, grace, attach_resume,
                                                                      db_session):
    attach_resume(grace.id, pdf_bytes("Compilers and COBOL"), name="Grace CV.pdf")
    auth.login(admin)
    base = f"/admin/candidates/{grace.candidate_id}"
    response = client.get(f"{base}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f"candidate-{grace.candidate_id}.json" in response.headers["Content-Disposition"]
    held = json.loads(response.get_data())
    assert held["candidate"]["full_name"] == "Grace Hopper"
    assert [a["id"] for a in held["applications"]] == [grace.id]
    assert "Compilers and COBOL" in held["applications"][0]["resume"]["text_read_from_it"]

    archive = client.get(f"{base}/files.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as bundle:
        [name] = bundle.namelist()
        assert name == f"{grace.id}-Grace_CV.pdf" or name.startswith(f"{grace.id}-") and name.endswith(".pdf")
        assert bundle.read(name) == pdf_bytes("Compilers and COBOL")
    exports = db_session.scalars(select(AuditEvent).filter_by(action="candidate.export").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.detail) for e in exports] == [
        (admin.id, {"applications": [grace.id], "by": "admin"}),
        (admin.id, {"applications": [grace.id], "by": "admin", "files": True}),
    ]


def test_no_files_no_zip(client, auth, admin, grace):
    auth.login(admin)
    assert client.get(f"/admin/candidates/{grace.candidate_id}/files.zip").status_code == 404


def test_the_confirmation_says_what_goes_and_what_stays(client, auth, admin, grace):
    auth.login(admin)
    page = client.get(f"/admin/candidates/{grace.candidate_id}/erase").get_data(as_text=True)
    assert "Erase Grace Hopper?" in page and "This cannot be undone." in page
    assert "1 of their applications is open: it is withdrawn first" in page
    assert "What stays, with no name" in page


@pytest.mark.parametrize("path", ["/admin/candidates", "/admin/candidates/1", "/admin/candidates/1/export.json",
                                  "/admin/candidates/1/files.zip", "/admin/candidates/1/erase",
                                  "/admin/erasure-requests"])
def test_only_admins_reach_the_data_rights_pages(client, auth, recruiter, manager, path):
    assert client.get(path).status_code == 302
    for account in (recruiter, manager):
        auth.login(account)
        assert client.get(path).status_code == 403
        auth.logout()


def test_the_application_stage_is_kept_when_a_closed_candidate_is_erased(app, client, auth, admin,
                                                                          create_application, role, db_session):
    hired = create_application(role, "Hal Hired", Stage.HIRED, email="hal@example.org")
    auth.login(admin)
    response = client.post(f"/admin/candidates/{hired.candidate_id}/erase", data={"csrf_token": auth.token("/admin/")})
    assert response.status_code == 303
    assert "1 application kept as anonymous record; 0 files deleted." in client.get("/admin/erasure-requests").get_data(as_text=True)
    db_session.expire_all()
    from ats.models import Application
    assert db_session.get(Application, hired.id).stage == Stage.HIRED
