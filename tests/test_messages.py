"""Messages to candidates (issue 16): templates and their placeholders, the
admins' pages, each moment's mail from its template, rejecting with a
message (now, later, none), the sweep sending what is due once, the status
page listing what was sent, and erasure."""
import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

import ats.jobs.tasks
import ats.notifications.messages
import ats.queries.messages
from ats.extensions import db
from ats.jobs import queue
from ats.jobs.tasks import sweep
from ats.models import (
    AuditEvent,
    CandidateMessage,
    JobFailure,
    MessageStatus,
    MessageTemplate,
    Stage,
    utcnow,
)
from ats.models.messages import REJECTION_FOR, TEMPLATES
from ats.notifications.messages import send_planned
from ats.notifications.placeholders import PLACEHOLDERS, fill, render, unknown_placeholders
from ats.operations.erasure import erase_candidate
from ats.operations.messages import MessageChoiceError, message_choice, next_morning
from ats.queries.messages import Template
from ats.timezones import ZoneInfo
from tests.applications import ada, current, post_stage
from tests.fixtures.factories import status_token
from tests.fixtures.staff import csrf_token_from
from tests.test_interviews import interview_id_from, schedule

pytestmark = pytest.mark.usefixtures("seeded")

UTC = timezone.utc


# --- Filling in ---------------------------------------------------------------------


def template(subject="Hi {first_name}", text="Dear {full_name}, about {role}.", html=None) -> Template:
    return Template("offer", "Offer", "", subject, text, html)


def test_placeholders_are_filled_in_plain_in_text_and_escaped_in_html():
    values = {"first_name": "<script>alert(1)</script>", "full_name": "Ada & Co", "role": "<b>AI</b> Engineer"}
    rendered = render(template(html="<p>Dear {first_name}, {role}</p>"), values)
    assert rendered.subject == "Hi <script>alert(1)</script>"
    assert rendered.text == "Dear Ada & Co, about <b>AI</b> Engineer."
    assert rendered.html == "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;, &lt;b&gt;AI&lt;/b&gt; Engineer</p>"


@pytest.mark.parametrize("written", ["{role.__class__}", "{role.__class__.__init__.__globals__}", "{role:>10}",
                                     "{role!r}", "{0}", "{}", "{ role }"])
def test_nothing_in_braces_but_a_placeholder_name_is_evaluated(written):
    values = {"role": "Engineer"}
    # Left exactly as written (str.format would evaluate or fail on these)...
    assert fill(f"x {written} y", values) == f"x {written} y"
    # ...and refused when a template is saved.
    assert unknown_placeholders(f"x {written} y") == [written[1:-1]]


def test_the_default_templates_use_only_known_placeholders():
    for key, default in TEMPLATES.items():
        for text in (default.subject, default.body_text, default.body_html or ""):
            assert unknown_placeholders(text) == [], key
    assert set(REJECTION_FOR) == {Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER}


def test_a_subject_stays_one_line_whatever_a_value_holds():
    assert render(template(subject="About {role}"), {"role": "A\nB\r\nC"}).subject == "About A B C"


# --- The admins' pages --------------------------------------------------------------


@pytest.fixture
def signed_in_as(admin):
    return admin


EDIT = "/admin/messages/rejection_interview"


def save(client, path=EDIT, **fields):
    data = {"csrf_token": csrf_token_from(client.get(path).get_data(as_text=True)),
            "subject": "About {role}", "body_text": "Hello {first_name},\n\nNo.\n", "body_html": ""}
    data.update(fields)
    return client.post(path, data=data)


def test_the_list_shows_every_template_and_the_admin_index_links_to_it(client, signed_in):
    body = client.get("/admin/messages").get_data(as_text=True)
    for default in TEMPLATES.values():
        assert default.name in body
    assert 'href="/admin/messages"' in client.get("/admin/").get_data(as_text=True)


def test_the_edit_page_lists_every_placeholder(client, signed_in):
    response = client.get(EDIT)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for name in PLACEHOLDERS:
        assert "{" + name + "}" in body
    assert client.get("/admin/messages/no-such-template").status_code == 404


def test_an_admin_edits_a_template_audited_and_it_is_used_from_then_on(client, signed_in, db_session):
    response = save(client, subject="After your interview for {role}", body_html="<p>Hello {first_name}</p>")
    assert response.status_code == 303
    row = db_session.get(MessageTemplate, "rejection_interview")
    assert (row.subject, row.body_text, row.body_html, row.updated_by_id) == (
        "After your interview for {role}", "Hello {first_name},\n\nNo.\n", "<p>Hello {first_name}</p>", signed_in.id)
    [entry] = db_session.scalars(select(AuditEvent).filter_by(action="message_template.update")).all()
    assert entry.detail == {"template": "rejection_interview", "changed": ["subject", "body_text", "body_html"]}
    assert "After your interview for {role}" in client.get("/admin/messages").get_data(as_text=True)
    # The same again changes nothing and writes nothing.
    assert save(client, subject="After your interview for {role}", body_html="<p>Hello {first_name}</p>").status_code == 303
    assert len(db_session.scalars(select(AuditEvent).filter_by(action="message_template.update")).all()) == 1


@pytest.mark.parametrize("field, value, named", [
    ("body_text", "Hello {firstname} {role.__class__}", "{firstname}, {role.__class__}"),
    ("subject", "About {role:>10}", "{role:>10}"),
    ("body_html", "<p>{__import__}</p>", "{__import__}"),
])
def test_an_unknown_placeholder_is_422_naming_it_and_nothing_is_saved(client, signed_in, db_session, field, value,
                                                                      named):
    response = save(client, **{field: value})
    assert response.status_code == 422
    assert f"Not a placeholder: {named}." in html.unescape(response.get_data(as_text=True))
    assert db_session.get(MessageTemplate, "rejection_interview") is None


@pytest.mark.parametrize("fields", [{"subject": ""}, {"body_text": "  "}, {"subject": "x" * 201},
                                    {"subject": "two\nlines"}])
def test_a_template_without_subject_or_text_is_422(client, signed_in, db_session, fields):
    assert save(client, **fields).status_code == 422
    assert db_session.get(MessageTemplate, "rejection_interview") is None


def test_saving_needs_the_csrf_token(client, signed_in, db_session):
    response = client.post(EDIT, data={"subject": "x", "body_text": "y"})
    assert response.status_code == 400
    assert db_session.get(MessageTemplate, "rejection_interview") is None


def test_resetting_goes_back_to_the_default_audited(client, signed_in, db_session):
    assert save(client).status_code == 303
    token = csrf_token_from(client.get(EDIT).get_data(as_text=True))
    assert client.post(f"{EDIT}/reset", data={"csrf_token": token}).status_code == 303
    assert db_session.get(MessageTemplate, "rejection_interview") is None
    assert db_session.scalars(select(AuditEvent).filter_by(action="message_template.reset")).one().detail == {
        "template": "rejection_interview"}
    assert TEMPLATES["rejection_interview"].subject in client.get(EDIT).get_data(as_text=True)
    assert client.post("/admin/messages/nope/reset", data={"csrf_token": token}).status_code == 404


def test_the_preview_fills_in_a_real_application_and_frames_the_html(client, signed_in, create_application, role):
    first = create_application(role, **ada(name="<script>alert(1)</script> Lovelace"))
    create_application(role, **ada(name="Grace Hopper"))
    assert save(client, body_html="<p>Dear {first_name}</p><script>alert(2)</script>").status_code == 303

    latest = client.get(f"{EDIT}/preview").get_data(as_text=True)
    assert "Hello Grace," in latest

    response = client.get(f"{EDIT}/preview", query_string={"application": first.id})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # Text: shown escaped on the staff page; HTML: inside a sandboxed frame, the
    # template's own script and the escaped name both only in its srcdoc attribute.
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in body
    assert "<script>alert" not in body
    frame = re.search(r'<iframe[^>]*sandbox[^>]*srcdoc="([^"]*)"', body)
    assert frame and "&lt;script&gt;alert(2)&lt;/script&gt;" in frame.group(1)
    assert "&amp;lt;script&amp;gt;alert(1)" in frame.group(1)  # escaped in the HTML, then as an attribute
    # The private status link is not shown.
    assert status_token(client.application, first) not in body


@pytest.mark.parametrize("asked, status", [("99999999", 404), ("abc", 400), ("-1", 400)])
def test_a_preview_of_an_application_that_is_not_there_is_refused(client, signed_in, application, asked, status):
    assert client.get(f"{EDIT}/preview", query_string={"application": asked}).status_code == status
    assert client.get("/admin/messages/nope/preview").status_code == 404


def test_the_preview_of_an_erased_candidate_names_no_one(client, signed_in, create_application, role, app):
    erased = create_application(role, **ada(name="Erin Erased"))
    with app.app_context():
        erase_candidate(erased.candidate_id, None, "admin")
        db.session.remove()
    body = client.get(f"{EDIT}/preview", query_string={"application": erased.id}).get_data(as_text=True)
    assert "Erin" not in body and "Hello [erased]," in body and "data was erased" in body


@pytest.mark.parametrize("access", ["recruiter", "manager"])
def test_only_admins_reach_the_message_pages(app, create_staff, auth, access):
    from ats.models import Access
    client = app.test_client()
    assert auth.using(client).login(create_staff(access=Access(access))).status_code == 303
    for path in ("/admin/messages", EDIT, f"{EDIT}/preview"):
        assert client.get(path).status_code == 403
    assert client.post(EDIT, data={}).status_code in (400, 403)


# --- Each moment's mail from its template ---------------------------------------------


@pytest.fixture
def edited(app):
    """A factory: ``edited(key, subject, text, html=None)`` stores an admin's wording."""
    def edit(key, subject, text, html=None):
        with app.app_context():
            db.session.merge(MessageTemplate(key=key, subject=subject, body_text=text, body_html=html))
            db.session.commit()
            db.session.remove()
    return edit


def messages_of(db_session, application_id):
    db_session.expire_all()
    return db_session.scalars(select(CandidateMessage).where(CandidateMessage.application_id == application_id)
                              .order_by(CandidateMessage.id)).all()


def test_the_received_mail_uses_its_template_multipart_with_html(client, csrf, outbox, edited, db_session):
    edited("application_received", "Thanks, {first_name}", "Got it: {role}. {status_link}",
           "<p>Got it: <a href=\"{status_link}\">{role}</a></p>")
    from tests.test_apply import form
    response = client.post("/roles/healthcare-ai-engineer/apply", data=form(csrf(), full_name="Zoë <b>Z</b>"),
                           content_type="multipart/form-data")
    assert response.status_code == 303
    [message] = outbox()
    assert message["Subject"] == "Thanks, Zoë"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    body_html = message.get_body(("html",)).get_content()
    assert "Got it: Healthcare AI Engineer. http://localhost/applications/" in text
    assert '<a href="http://localhost/applications/' in body_html
    [record] = db_session.scalars(select(CandidateMessage)).all()
    assert (record.template_key, record.status, record.subject) == ("application_received", MessageStatus.SENT,
                                                                    "Thanks, Zoë")


def test_the_interview_mails_use_their_templates(client, auth, signed_in_recruiter, application, outbox, edited,
                                                 db_session):
    edited("interview_scheduled", "Booked: {company}", "When: {interview_time}\nKind: {interview_kind}")
    edited("interview_rescheduled", "Moved: {company}", "Now: {interview_time}")
    edited("interview_cancelled", "Off: {company}", "Was: {interview_time}")
    response = schedule(client, auth, application.id)
    assert response.status_code == 303
    interview_id = interview_id_from(response)
    token = auth.token(f"/interviews/{interview_id}")
    from tests.test_interviews import later
    assert client.post(f"/interviews/{interview_id}/reschedule", data={
        "csrf_token": token, "starts_at": later(days=1), "timezone": "America/New_York",
        "duration_minutes": "45"}).status_code == 303
    assert client.post(f"/interviews/{interview_id}/cancel", data={"csrf_token": token, "reason": "x"}).status_code == 303
    subjects = [m["Subject"] for m in outbox()]
    assert subjects == ["Booked: Tempus", "Moved: Tempus", "Off: Tempus"]
    first = outbox()[0]
    assert "America/New_York (UTC-0500)" in first.get_body(("plain",)).get_content()
    assert "Kind: Video call" in first.get_body(("plain",)).get_content()
    assert [p.get_content_type() for p in first.iter_attachments()] == ["text/calendar"]
    assert [m.template_key for m in messages_of(db_session, application.id)] == [
        "interview_scheduled", "interview_rescheduled", "interview_cancelled"]


def test_a_move_to_offer_sends_the_offer_and_the_candidate_withdrawing_the_confirmation(
        client, signed_in_recruiter, create_application, role, outbox, db_session):
    application = create_application(role, **ada(), stage=Stage.INTERVIEW)
    assert post_stage(client, application.id, "offer").status_code == 303
    [offer] = outbox()
    assert offer["Subject"] == "Good news about your application for Healthcare AI Engineer"
    assert "Hello Ada," in offer.get_content()

    other = create_application(role, **ada(name="Wendy Withdraws"))
    token = status_token(client.application, other)
    page = client.get(f"/applications/{token}/withdraw").get_data(as_text=True)
    assert client.post(f"/applications/{token}/withdraw",
                       data={"csrf_token": csrf_token_from(page)}).status_code == 303
    confirmation = outbox()[-1]
    assert confirmation["Subject"] == "You withdrew your application for Healthcare AI Engineer"
    assert confirmation["To"] == other.email


# --- Rejecting with a message -----------------------------------------------------------


@pytest.fixture
def signed_in_recruiter(auth, recruiter):
    assert auth.login(recruiter).status_code == 303
    return recruiter


@pytest.mark.parametrize("stage", [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER])
def test_the_contract_form_rejects_with_the_stages_rejection_sent_now(client, signed_in_recruiter,
                                                                     create_application, role, outbox, db_session,
                                                                     stage):
    application = create_application(role, **ada(), stage=stage)
    response = post_stage(client, application.id, "rejected", reason="Not this time")
    assert response.status_code == 303
    key = REJECTION_FOR[stage]
    [message] = outbox()
    assert message["Subject"] == TEMPLATES[key].subject.replace("{role}", "Healthcare AI Engineer")
    assert message["To"] == application.email
    [record] = messages_of(db_session, application.id)
    assert (record.template_key, record.status, record.created_by_id) == (key, MessageStatus.SENT,
                                                                          signed_in_recruiter.id)
    assert record.body_text == message.get_content().replace("\r\n", "\n")


def test_a_chosen_template_is_sent_and_none_sends_nothing(client, signed_in_recruiter, create_application, role,
                                                          outbox, db_session):
    chosen = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, chosen.id, "rejected", reason="r", message="rejection_interview").status_code == 303
    assert [m.template_key for m in messages_of(db_session, chosen.id)] == ["rejection_interview"]
    assert len(outbox()) == 1

    silent = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, silent.id, "rejected", reason="r", message="none", send_at="next-morning").status_code == 303
    assert current(db_session, silent.id).stage == Stage.REJECTED
    assert messages_of(db_session, silent.id) == [] and len(outbox()) == 1


@pytest.mark.parametrize("fields", [
    {"message": "offer"},  # not a rejection
    {"message": "no-such-template"},
    {"message": "rejection_applied", "send_at": "tomorrow-ish"},
    {"send_at": "next-morning", "send_zone": "Mars/Olympus_Mons"},
    {"send_at": "at", "send_time": ""},
    {"send_at": "2020-01-01T09:00"},  # passed
    {"send_at": "at", "send_time": "2999-01-01T09:00"},  # too far
])
def test_a_bad_message_choice_is_422_and_changes_nothing(client, signed_in_recruiter, create_application, role,
                                                         outbox, db_session, fields):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r", **fields).status_code == 422
    stored = current(db_session, application.id)
    assert (stored.stage, stored.version) == (Stage.SCREENING, 1)
    assert messages_of(db_session, application.id) == [] and outbox() == []


def test_a_message_with_a_move_that_sends_none_is_422(client, signed_in_recruiter, create_application, role,
                                                      db_session):
    application = create_application(role, **ada())
    assert post_stage(client, application.id, "screening", message="rejection_applied").status_code == 422
    assert post_stage(client, application.id, "screening", message="none").status_code == 303


def test_the_api_and_bulk_moves_send_no_message(client, signed_in_recruiter, create_application, role, outbox,
                                                db_session, app):
    from ats.operations.pipeline import bulk_move
    application = create_application(role, **ada())
    with app.app_context():
        result = bulk_move(role.id, [(application.id, 1)], Stage.REJECTED, "Bulk", signed_in_recruiter.id)
        db.session.remove()
    assert result.moved and messages_of(db_session, application.id) == [] and outbox() == []


# Next-morning timing, by hand: 09:00 on the zone's wall clock.
@pytest.mark.parametrize("now, zone, expected", [
    (datetime(2027, 3, 9, 23, 30, tzinfo=UTC), "Europe/Berlin", datetime(2027, 3, 10, 8, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 7, 59, tzinfo=UTC), "Europe/Berlin", datetime(2027, 3, 10, 8, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 8, 0, tzinfo=UTC), "Europe/Berlin", datetime(2027, 3, 11, 8, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 12, 0, tzinfo=UTC), "Asia/Tokyo", datetime(2027, 3, 11, 0, 0, tzinfo=UTC)),
    # Over the spring change in New York (14 March 2027): 09:00 EDT is 13:00 UTC.
    (datetime(2027, 3, 13, 20, 0, tzinfo=UTC), "America/New_York", datetime(2027, 3, 14, 13, 0, tzinfo=UTC)),
])
def test_next_morning(now, zone, expected):
    assert next_morning(zone, now) == expected


@pytest.fixture
def clock(monkeypatch):
    """The messages' clock (sending, the sweep), moved by hand: ``clock.at(moment)``."""
    class Clock:
        moment = None

        def at(self, moment):
            self.moment = moment

        def now(self):
            return self.moment or utcnow()

    moved = Clock()
    for module in (ats.notifications.messages, ats.queries.messages, ats.jobs.tasks):
        monkeypatch.setattr(module, "utcnow", moved.now)
    return moved


def run_sweep(app):
    with app.app_context():
        sweep(queue())
        db.session.remove()


def test_a_next_morning_rejection_waits_and_is_sent_by_the_sweep_once(client, signed_in_recruiter,
                                                                      create_application, role, outbox, db_session,
                                                                      app, clock):
    application = create_application(role, **ada(), stage=Stage.INTERVIEW)
    before = utcnow()
    response = post_stage(client, application.id, "rejected", reason="r", send_at="next-morning",
                          send_zone="Asia/Tokyo")
    assert response.status_code == 303
    [waiting] = messages_of(db_session, application.id)
    assert (waiting.status, waiting.template_key, waiting.send_zone) == (
        MessageStatus.SCHEDULED, "rejection_interview", "Asia/Tokyo")
    local = waiting.send_after.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (9, 0) and before < waiting.send_after <= before + timedelta(days=1)
    assert outbox() == []
    # The staff page says it is waiting; the candidate's page lists nothing yet.
    assert "Waiting to be sent to the candidate" in client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert "Messages we sent you" not in client.get(f"/applications/{status_token(app, application)}").get_data(as_text=True)

    clock.at(waiting.send_after - timedelta(minutes=1))
    run_sweep(app)
    assert outbox() == []
    clock.at(waiting.send_after + timedelta(minutes=1))
    run_sweep(app)
    run_sweep(app)  # a second sweep (another worker) finds nothing to send
    with app.app_context():
        assert send_planned(waiting.id) is False
        db.session.remove()
    [message] = outbox()
    assert message["Subject"] == "Your interview for Healthcare AI Engineer"
    assert message["Message-ID"].startswith(f"<ats-message-{waiting.id}@")
    [sent] = messages_of(db_session, application.id)
    assert (sent.status, sent.sent_at, sent.claimed_until) == (MessageStatus.SENT, clock.moment, None)
    assert sent.subject == message["Subject"] and sent.body_text == message.get_content().replace("\r\n", "\n")


def test_a_message_being_sent_by_another_worker_is_left_alone(client, signed_in_recruiter, create_application,
                                                               role, outbox, db_session, app, clock):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r", send_at="next-morning").status_code == 303
    [waiting] = messages_of(db_session, application.id)
    clock.at(waiting.send_after + timedelta(minutes=1))
    db_session.execute(update(CandidateMessage).values(claimed_until=clock.moment + timedelta(minutes=4)))
    db_session.commit()
    run_sweep(app)
    assert outbox() == []
    # Its claim lapsed (that worker died): sent, once.
    clock.at(waiting.send_after + timedelta(minutes=6))
    run_sweep(app)
    run_sweep(app)
    assert len(outbox()) == 1


def test_reopening_before_it_is_sent_cancels_the_message(client, signed_in_recruiter, create_application, role,
                                                         outbox, db_session, app, clock):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r", send_at="at",
                      send_time=(datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                      send_zone="UTC").status_code == 303
    assert post_stage(client, application.id, "screening", version=2, reason="Rejected by mistake").status_code == 303
    [cancelled] = messages_of(db_session, application.id)
    assert cancelled.status == MessageStatus.CANCELLED and cancelled.cancelled_at is not None
    clock.at(cancelled.send_after + timedelta(hours=1))
    run_sweep(app)
    assert outbox() == []


def test_a_local_time_in_the_spring_gap_is_refused(app, create_application, role):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    with app.app_context(), pytest.raises(MessageChoiceError) as refused:
        message_choice(db.session.merge(application), Stage.REJECTED, "", "2027-03-14T02:30", "America/New_York",
                       now=now)
    assert refused.value.field == "send_time"
    with app.app_context():
        choice = message_choice(db.session.merge(application), Stage.REJECTED, "", "2027-03-14T03:30",
                                "America/New_York", now=now)
    assert choice.send_after == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # EDT, UTC-4


def test_the_default_zone_is_the_latest_interviews(client, auth, signed_in_recruiter, application, db_session):
    assert schedule(client, auth, application.id).status_code == 303
    body = client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="America/New_York">|<option value="America/New_York" selected>', body)


# --- The candidate's page, and erasure ------------------------------------------------


def test_the_status_page_lists_the_messages_sent_escaped(client, signed_in_recruiter, create_application, role,
                                                         outbox, app, db_session):
    application = create_application(role, **ada(name="<i>Ada</i> Lovelace"), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r").status_code == 303
    body = client.get(f"/applications/{status_token(app, application)}").get_data(as_text=True)
    assert "Messages we sent you" in body
    assert "Your application for Healthcare AI Engineer" in body
    assert "Hello &lt;i&gt;Ada&lt;/i&gt;," in body and "<i>Ada</i>" not in body


def test_the_candidates_export_holds_the_messages_sent(client, signed_in_recruiter, create_application, role,
                                                       outbox, app):
    from ats.models import Candidate
    from ats.queries.data_rights import export_of
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r").status_code == 303
    with app.app_context():
        exported = export_of(db.session.get(Candidate, application.candidate_id))
        db.session.remove()
    [sent] = exported["applications"][0]["messages_sent"]
    assert (sent["template"], sent["subject"]) == ("rejection_screening", "Your application for Healthcare AI Engineer")
    assert sent["text"].startswith("Hello Ada,")


def test_erasure_deletes_the_texts_sent_and_cancels_what_waits(client, signed_in_recruiter, create_application,
                                                               role, outbox, app, db_session):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r").status_code == 303
    other = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, other.id, "rejected", reason="r", send_at="next-morning").status_code == 303
    with app.app_context():
        erase_candidate(application.candidate_id, None, "admin")
        erase_candidate(other.candidate_id, None, "admin")
        db.session.remove()
    [sent] = messages_of(db_session, application.id)
    assert (sent.status, sent.subject, sent.body_text) == (MessageStatus.SENT, "", "")
    [waiting] = messages_of(db_session, other.id)
    assert waiting.status == MessageStatus.CANCELLED


def test_a_message_the_mail_server_refuses_waits_and_is_tried_again_by_the_sweep(
        client, signed_in_recruiter, create_application, role, outbox, db_session, app, clock, monkeypatch):
    application = create_application(role, **ada(), stage=Stage.SCREENING)
    assert post_stage(client, application.id, "rejected", reason="r", send_at="next-morning").status_code == 303
    [waiting] = messages_of(db_session, application.id)
    due = waiting.send_after + timedelta(minutes=1)
    clock.at(due)
    # A mail server that is down: nothing listens on port 1.
    for key, value in {"ATS_MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
                       "MAIL_USE_TLS": False}.items():
        monkeypatch.setitem(app.config, key, value)
    run_sweep(app)  # the try fails: no failure card, no retry pile
    [held] = messages_of(db_session, application.id)
    assert (held.status, held.sent_at) == (MessageStatus.SCHEDULED, None)
    assert held.claimed_until == due + ats.notifications.messages.RETRY_AFTER
    assert db_session.scalars(select(JobFailure)).all() == []
    # Sweeps before then leave it alone, even with the server back.
    monkeypatch.setitem(app.config, "ATS_MAIL_BACKEND", "outbox")
    clock.at(due + timedelta(minutes=4))
    run_sweep(app)
    assert outbox() == []
    clock.at(due + timedelta(minutes=6))
    run_sweep(app)
    [message] = outbox()
    assert message["Message-ID"].startswith(f"<ats-message-{waiting.id}@")
    assert messages_of(db_session, application.id)[0].status == MessageStatus.SENT
