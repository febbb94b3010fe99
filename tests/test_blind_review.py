"""Blind review (issue 14; contract: POST /admin/roles/<slug>/blind-review):
while a role's switch is on, recruiters' pages, searches and calendar files
hold no name, e-mail, phone, location, LinkedIn address or resume of a
candidate whose skill match has not been saved; managers see everything;
saving the skill match reveals the application, once, in the audit trail."""
import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select, update

from ats.models import Application, AuditEvent, Role, utcnow
from ats.timezones import ZoneInfo
from tests.applications import ada, audit_events, current, page_url, post_skills
from tests.files import pdf_bytes
from tests.fixtures.staff import staff_csrf_token

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

BOARD = "/pipeline/healthcare-ai-engineer"
EMAIL = "ada.lovelace@analytical.example"
LINKEDIN = "https://www.linkedin.com/in/ada-lovelace"
RESUME_NAME = "lovelace-notes.pdf"
RESUME_WORD = "Jacquardloom"  # only in the resume's text
PROFILE = "Ada Lovelace here (ada.lovelace@analytical.example). Built a survival model for sepsis risk."
# What no recruiter page may show while the application is hidden.
IDENTITY = ["Ada Lovelace", "Lovelace", EMAIL, "+44 20 7946 0000", "Marylebone", "ada-lovelace", RESUME_NAME,
            "/resume", RESUME_WORD]


def set_blind(db_session, on: bool = True, slug: str = "healthcare-ai-engineer") -> None:
    db_session.execute(update(Role).where(Role.slug == slug).values(blind_review=on))
    db_session.commit()


@pytest.fixture
def hidden(role, create_application, attach_resume, db_session):
    """Ada's application, with a resume, to the seed role under blind review."""
    application = create_application(role, **ada(email=EMAIL, location="Marylebone", linkedin_url=LINKEDIN,
                                                  profile=PROFILE))
    attach_resume(application.id, pdf_bytes(f"Ada's resume: {RESUME_WORD} patterns"), name=RESUME_NAME)
    set_blind(db_session)
    return application


@pytest.fixture
def manager_client(app, auth, manager):
    other = app.test_client()
    assert auth.using(other).login(manager).status_code == 303
    return other


def schedule_interview(client, auth, application_id, hours_from_now=3):
    soon = (utcnow() + timedelta(hours=hours_from_now)).astimezone(ZoneInfo("Asia/Tokyo"))
    response = client.post(f"/pipeline/applications/{application_id}/interviews", data={
        "csrf_token": auth.token(f"/pipeline/applications/{application_id}/interviews/new"),
        "company": "tempus", "starts_at": soon.strftime("%Y-%m-%dT%H:%M"), "timezone": "Asia/Tokyo",
        "duration_minutes": "45", "kind": "video", "location": "https://meet.example/abc",
        "interviewers": "ana@tempus.example",
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.fullmatch(r"/interviews/(\d+)", response.headers["Location"]).group(1))


def recruiter_pages(application_id: int, interview_id: int | None = None) -> list[str]:
    pages = ["/pipeline/", BOARD, page_url(application_id), f"{page_url(application_id)}/stage",
             f"{page_url(application_id)}/interviews/new", f"{page_url(application_id)}/offers/new",
             "/interviews/"]
    if interview_id is not None:
        pages.append(f"/interviews/{interview_id}")
    return pages


def assert_hidden(html: str, where: str) -> None:
    folded = html.casefold()
    for value in IDENTITY:
        assert value.casefold() not in folded, f"{value!r} on {where}"


def test_recruiters_see_no_identity_on_any_page_and_managers_see_it(client, auth, signed_in, hidden, db_session,
                                                                    manager_client):
    set_blind(db_session, False)
    interview_id = schedule_interview(client, auth, hidden.id)
    set_blind(db_session, True)
    for path in recruiter_pages(hidden.id, interview_id):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert_hidden(html, path)
        assert f"Candidate #{hidden.id}" in html, path
    # The profile stays, as evidence, with the candidate's own name and address masked.
    page = client.get(page_url(hidden.id)).get_data(as_text=True)
    assert "[hidden] here ([hidden])" in page and "sepsis risk" in page
    # A manager oversees the process: everything, as before.
    for path in (BOARD, page_url(hidden.id), f"/interviews/{interview_id}"):
        assert "Ada Lovelace" in manager_client.get(path).get_data(as_text=True), path
    page = manager_client.get(page_url(hidden.id)).get_data(as_text=True)
    for value in (EMAIL, "+44 20 7946 0000", "Marylebone", LINKEDIN, RESUME_NAME, f"{page_url(hidden.id)}/resume",
                  "Ada Lovelace here"):
        assert value in page


def test_the_switch_off_shows_everything_again(client, signed_in, hidden, db_session):
    set_blind(db_session, False)
    page = client.get(page_url(hidden.id)).get_data(as_text=True)
    assert "Ada Lovelace" in page and EMAIL in page and RESUME_NAME in page
    assert "Ada Lovelace" in client.get(BOARD).get_data(as_text=True)


def test_another_role_is_not_blinded(client, signed_in, hidden, second_role, create_application, db_session):
    other_role = db_session.scalars(select(Role).filter_by(slug=second_role)).one()
    other = create_application(other_role, "Grace Hopper", location="Arlington")
    board = client.get(f"/pipeline/{second_role}").get_data(as_text=True)
    assert "Grace Hopper" in board and "Arlington" in board
    assert "Grace Hopper" in client.get(page_url(other.id)).get_data(as_text=True)


def test_the_resume_route_refuses_and_writes_no_download(client, signed_in, hidden, db_session, manager_client):
    response = client.get(f"{page_url(hidden.id)}/resume")
    assert response.status_code == 403
    assert RESUME_WORD.encode() not in response.data
    assert audit_events(db_session, "resume.download") == []
    assert manager_client.get(f"{page_url(hidden.id)}/resume").status_code == 200


@pytest.mark.parametrize("query", ["Lovelace", "ada lovelace", "analytical.example", "Marylebone", RESUME_WORD,
                                   "7946", "lovelace here"])
def test_search_does_not_match_hidden_identity_or_resume(client, signed_in, hidden, query, manager_client):
    board = client.get(BOARD, query_string={"q": query}).get_data(as_text=True)
    assert f"Candidate #{hidden.id}" not in board
    assert "0 applications match" in board
    # The words of the profile still find it, under its pseudonym.
    found = client.get(BOARD, query_string={"q": "sepsis risk"}).get_data(as_text=True)
    assert f"Candidate #{hidden.id}" in found and "1 application matches" in found
    assert_hidden(found, "the search results")
    # A manager's search is the contract's, whatever the switch.
    if query not in ("7946", "lovelace here"):  # phone is not searched; the masked text is the recruiter's
        assert "Ada Lovelace" in manager_client.get(BOARD, query_string={"q": query}).get_data(as_text=True)


def test_search_finds_revealed_applications_by_name(client, auth, signed_in, hidden, skills, db_session):
    assert post_skills(client, hidden.id, **{f"skill-{skills[0]}": "strong"}).status_code == 303
    board = client.get(BOARD, query_string={"q": "lovelace"}).get_data(as_text=True)
    assert "Ada Lovelace" in board and "1 application matches" in board


def test_saving_the_skill_match_reveals_once_and_audits_it(client, signed_in, recruiter, hidden, skills, db_session):
    assert current(db_session, hidden.id).identity_revealed_at is None
    version = current(db_session, hidden.id).version
    assert post_skills(client, hidden.id, **{f"skill-{skills[0]}": "partial"}).status_code == 303
    revealed = current(db_session, hidden.id)
    assert revealed.identity_revealed_at is not None
    assert revealed.version == version  # a reveal does not make anyone's stage form stale
    [entry] = audit_events(db_session, "application.identity_revealed")
    assert (entry.actor_id, entry.application_id) == (recruiter.id, hidden.id)
    page = client.get(page_url(hidden.id)).get_data(as_text=True)
    for value in ("Ada Lovelace", EMAIL, "+44 20 7946 0000", "Marylebone", LINKEDIN, RESUME_NAME):
        assert value in page
    assert client.get(f"{page_url(hidden.id)}/resume").status_code == 200
    # Saved again: no second reveal.
    assert post_skills(client, hidden.id, **{f"skill-{skills[0]}": "strong"}).status_code == 303
    assert len(audit_events(db_session, "application.identity_revealed")) == 1
    # Turned off and on again, the revealed application stays revealed.
    set_blind(db_session, False)
    set_blind(db_session, True)
    assert "Ada Lovelace" in client.get(BOARD).get_data(as_text=True)


def test_a_skill_match_saved_without_blind_review_is_not_a_reveal_in_the_trail(client, signed_in, hidden, skills,
                                                                               db_session):
    set_blind(db_session, False)
    assert post_skills(client, hidden.id, **{f"skill-{skills[0]}": "strong"}).status_code == 303
    assert current(db_session, hidden.id).identity_revealed_at is not None
    assert audit_events(db_session, "application.identity_revealed") == []
    set_blind(db_session, True)
    assert "Ada Lovelace" in client.get(BOARD).get_data(as_text=True)


def test_the_calendar_file_and_feed_name_no_hidden_candidate(client, auth, signed_in, hidden, db_session,
                                                             manager_client):
    set_blind(db_session, False)
    interview_id = schedule_interview(client, auth, hidden.id)
    set_blind(db_session, True)
    calendar = icalendar.Calendar.from_ical(client.get(f"/interviews/{interview_id}.ics").data)
    [event] = calendar.walk("VEVENT")
    text = event.to_ical().decode()
    unfolded = text.replace("\r\n ", "")
    assert EMAIL not in unfolded and "Lovelace" not in unfolded
    assert f"Candidate #{hidden.id}" in unfolded
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ana@tempus.example"]
    # The organiser's private feed (a recruiter's) is blinded the same way.
    client.post("/interviews/feed", data={"csrf_token": auth.token("/interviews/")})
    url = re.search(r"<code>http://localhost(/calendar/[A-Za-z0-9_-]+\.ics)</code>",
                    client.get("/interviews/").get_data(as_text=True)).group(1)
    feed = client.get(url).data.decode().replace("\r\n ", "")
    assert EMAIL not in feed and "Lovelace" not in feed and f"Candidate #{hidden.id}" in feed
    # A manager's calendar file names the candidate as the contract says.
    manager_ics = manager_client.get(f"/interviews/{interview_id}.ics").data.decode().replace("\r\n ", "")
    assert f"mailto:{EMAIL}" in manager_ics and "Ada Lovelace" in manager_ics


def test_the_candidates_own_mail_still_names_them(client, auth, signed_in, hidden, db_session, outbox):
    """Mail about interviews goes to the candidate alone (``ats.notifications``):
    blind review is about what recruiters see, not what the candidate is told."""
    schedule_interview(client, auth, hidden.id)
    [invitation] = [message for message in outbox() if message["To"] and EMAIL in message["To"]]
    assert "Ada Lovelace" in invitation.get_body(("plain",)).get_content()


# --- The switch (contract: POST /admin/roles/<slug>/blind-review) -----------------------


@pytest.fixture
def admin_client(app, auth, admin):
    other = app.test_client()
    assert auth.using(other).login(admin).status_code == 303
    return other


def switch(client, enabled, slug="healthcare-ai-engineer", token=None):
    data = {"enabled": enabled}
    if token is not False:
        data["csrf_token"] = token or staff_csrf_token(client, "/admin/blind-review")
    return client.post(f"/admin/roles/{slug}/blind-review", data=data)


def test_the_switch_turns_it_on_and_off_and_is_audited(admin_client, admin, role, db_session):
    response = switch(admin_client, "y")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/blind-review")
    db_session.expire_all()
    assert db_session.get(Role, role.id).blind_review is True
    page = admin_client.get("/admin/blind-review").get_data(as_text=True)
    assert "Blind review is <strong>on</strong>" in page and 'name="enabled" value="n"' in page
    assert switch(admin_client, "n").status_code == 303
    db_session.expire_all()
    assert db_session.get(Role, role.id).blind_review is False
    entries = audit_events(db_session, "role.blind_review")
    assert [(e.actor_id, e.detail) for e in entries] == [
        (admin.id, {"role": "healthcare-ai-engineer", "before": False, "after": True}),
        (admin.id, {"role": "healthcare-ai-engineer", "before": True, "after": False}),
    ]
    # Setting it as it is: 303, nothing recorded.
    assert switch(admin_client, "n").status_code == 303
    assert len(audit_events(db_session, "role.blind_review")) == 2


@pytest.mark.parametrize("value", ["", "yes", "Y", "1", "on"])
def test_a_bad_value_is_422_and_changes_nothing(admin_client, role, db_session, value):
    response = switch(admin_client, value)
    assert response.status_code == 422
    assert "Choose whether blind review is on" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Role, role.id).blind_review is False
    assert db_session.scalars(select(AuditEvent)).all() == []


def test_an_unknown_role_is_404(admin_client, role):
    assert switch(admin_client, "y", slug="no-such-role").status_code == 404
    assert switch(admin_client, "maybe", slug="no-such-role").status_code == 404


def test_no_csrf_token_is_400(admin_client, role, db_session):
    assert switch(admin_client, "y", token=False).status_code == 400
    db_session.expire_all()
    assert db_session.get(Role, role.id).blind_review is False


def test_only_admins_switch(client, signed_in, role, manager_client, db_session):
    token = staff_csrf_token(client, "/pipeline/")
    assert client.post("/admin/roles/healthcare-ai-engineer/blind-review",
                       data={"csrf_token": token, "enabled": "y"}).status_code == 403
    token = staff_csrf_token(manager_client, "/pipeline/")
    assert manager_client.post("/admin/roles/healthcare-ai-engineer/blind-review",
                               data={"csrf_token": token, "enabled": "y"}).status_code == 403
    db_session.expire_all()
    assert db_session.get(Role, role.id).blind_review is False


def test_the_board_reads_the_switch_without_a_query_per_card(app, client, signed_in, role, create_application,
                                                             db_session):
    from ats.extensions import db
    from tests.pages import recorded_statements, selects

    with app.app_context():
        engine = db.engine
    set_blind(db_session)
    for number in range(12):
        create_application(role, f"Person {number}")
    client.get(BOARD)
    with recorded_statements(engine) as statements:
        html = client.get(BOARD).get_data(as_text=True)
    assert "Person" not in html
    few = selects(statements)
    for number in range(12, 40):
        create_application(role, f"Person {number}")
    with recorded_statements(engine) as statements:
        client.get(BOARD)
    assert selects(statements) == few


def test_a_refused_bulk_move_names_the_pseudonym(client, signed_in, hidden):
    token = staff_csrf_token(client, BOARD)
    response = client.post(f"{BOARD}/bulk", data={"csrf_token": token, "application": f"{hidden.id}:1",
                                                  "stage": "rejected", "reason": "", "next": BOARD})
    assert response.status_code == 303
    board = client.get(BOARD).get_data(as_text=True)
    assert f"Not moved (1): Candidate #{hidden.id}:" in board
    assert_hidden(board, "the board after a bulk move")


def test_the_stale_move_page_names_the_pseudonym(client, signed_in, hidden):
    from tests.applications import post_stage

    response = post_stage(client, hidden.id, "screening", version=hidden.version + 5)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f"Candidate #{hidden.id}" in html
    assert_hidden(html, "the stale page")


def test_a_hidden_application_is_loaded_without_its_identity(app, hidden, db_session):
    """The page's data holds no identity for a hidden application: the
    columns are not read, and reaching for one raises instead of showing it."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import InvalidRequestError

    from ats.extensions import db
    from ats.queries.application_page import load_page

    with app.app_context():
        page = load_page(hidden.id, blinded=True)
        state = inspect(page.application)
        for column in ("full_name", "email", "phone", "location", "linkedin_url", "resume_storage_name",
                       "resume_original_name", "resume_text"):
            assert column in state.unloaded, column
        with pytest.raises(InvalidRequestError):
            page.application.full_name  # noqa: B018
        assert page.candidate.hidden and page.candidate.email == "" and not page.candidate.has_resume
        assert not page.evidence.resume.text
        db.session.remove()
        shown = load_page(hidden.id, blinded=False)
        assert shown.application.full_name == "Ada Lovelace" and shown.candidate.email == EMAIL
        db.session.remove()


def test_the_profile_is_masked_by_whole_words(app, role, create_application, db_session):
    from ats.extensions import db
    from ats.queries.identity import masked_profile

    application = create_application(role, "Ada Li", email="ADA@x.example", phone="555-0100",
                                     profile="x")
    with app.app_context():
        text = masked_profile(application.id, "Ada from Canada; ada@X.example or 555-0100. Li Wei helped. ADA LI.")
        db.session.remove()
    # "Li" is under three letters: as a word alone it stays; the whole name goes.
    assert text == "[hidden] from Canada; [hidden] or [hidden]. Li Wei helped. [hidden]."


def test_the_switch_on_the_role_edit_page_returns_there(admin_client, role, db_session):
    edit = "/admin/roles/healthcare-ai-engineer/edit"
    page = admin_client.get(edit).get_data(as_text=True)
    assert "Blind review is <strong>off</strong>" in page and f'name="next" value="{edit}"' in page
    token = staff_csrf_token(admin_client, edit)
    response = admin_client.post("/admin/roles/healthcare-ai-engineer/blind-review",
                                 data={"csrf_token": token, "enabled": "y", "next": edit})
    assert response.status_code == 303 and response.headers["Location"] == edit
    # Only a same-site path is followed.
    response = admin_client.post("/admin/roles/healthcare-ai-engineer/blind-review",
                                 data={"csrf_token": token, "enabled": "n", "next": "//evil.example/"})
    assert response.headers["Location"].startswith("/admin/blind-review")
