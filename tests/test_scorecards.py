"""Interviewers' scorecards (issue 16): the links made when an interview ends,
the scorecard page behind them, the one reminder, the dashboard's lists, and
what erasure, rekeying and the candidate's export do to them. Time is moved
by giving the sweep its ``now``, never waited for."""
import json
import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ats import create_app
from ats.extensions import db
from ats.infra.logs import redact
from ats.jobs import queue, tasks
from ats.models import (
    Access,
    ApplicationNote,
    AuditEvent,
    Company,
    Interview,
    InterviewInterviewer,
    InterviewKind,
    Recommendation,
    Role,
    Scorecard,
    ScorecardRating,
    ScorecardVersion,
    SkillLevel,
    Stage,
    utcnow,
)
from ats.models.scorecards import LINK_VALID_FOR, REMIND_AFTER
from ats.operations.erasure import erase_candidate
from config import TestingConfig
from tests.fixtures.factories import set_columns
from tests.fixtures.staff import csrf_token_from
from tests.test_interviews import BEFORE_DST, NEW_YORK, interview_id_from, schedule, typed

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

ANA, LI = "ana@tempus.example", "li@tempus.example"
LINK = re.compile(r"http://localhost/scorecards/([A-Za-z0-9_-]{43})")


def sweep_at(app, now):
    """One sweep's scorecard step at ``now``: (links made, reminders sent)."""
    with app.app_context():
        try:
            return tasks.sweep_scorecards(queue(), now)
        finally:
            db.session.remove()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def links_in(outbox) -> dict[str, str]:
    """The scorecard link mailed to each address: {address: token}."""
    found = {}
    for message in outbox():
        match = LINK.search(text_of(message))
        if match:
            found[message["To"]] = match.group(1)
    return found


@pytest.fixture
def ended(app, client, auth, signed_in, application, db_session, outbox):
    """Grace Hopper's interview with Tempus (Ana and Li), scheduled through
    the form and swept just after it ended: {address: token}."""
    interview_id = interview_id_from(schedule(client, auth, application.id))
    interview = db_session.get(Interview, interview_id)
    assert sweep_at(app, interview.ends_at + timedelta(minutes=1)) == (2, 0)
    links = links_in(outbox)
    assert set(links) == {ANA, LI}
    return links


@pytest.fixture
def past_interview(db_session, application):
    return past_interviews(db_session, application)


def past_interviews(db_session, application):
    """A factory: an interview of Grace Hopper's (or ``application_id``'s) that
    ended ``ago`` ago, written straight to the database (the form takes only
    future times)."""
    company = db_session.scalars(select(Company).filter_by(slug="tempus")).one()

    def make(ago: timedelta, interviewers=(ANA,), application_id=None):
        ends_at = utcnow().replace(microsecond=0) - ago
        interview = Interview(
            uid=f"{uuid.uuid4()}@test", application_id=application_id or application.id, company_id=company.id,
            kind=InterviewKind.VIDEO, starts_at=ends_at - timedelta(hours=1), ends_at=ends_at,
            timezone=NEW_YORK, duration_minutes=60,
            interviewers=[InterviewInterviewer(email=email) for email in interviewers],
        )
        db_session.add(interview)
        db_session.commit()
        return interview

    return make


def scorecard_form(client, token: str, **values):
    page = client.get(f"/scorecards/{token}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "recommendation": "yes", "summary": "Clear thinker."}
    data.update(values)
    return data


def rated(skills, level="strong", **notes):
    return {**{f"skill-{slug}": level for slug in skills}, **{f"note-{slug}": text for slug, text in notes.items()}}


# --- Links when an interview ends --------------------------------------------


def test_links_are_made_once_when_the_interview_ends(app, client, auth, signed_in, application, db_session, outbox):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    interview = db_session.get(Interview, interview_id)
    mails_before = len(outbox())
    assert sweep_at(app, interview.ends_at - timedelta(minutes=1)) == (0, 0)
    assert db_session.scalar(select(func.count()).select_from(Scorecard)) == 0
    assert sweep_at(app, interview.ends_at + timedelta(minutes=1)) == (2, 0)
    for minutes in (2, 10, 60):
        assert sweep_at(app, interview.ends_at + timedelta(minutes=minutes)) == (0, 0)
    cards = db_session.scalars(select(Scorecard).order_by(Scorecard.email)).all()
    assert [card.email for card in cards] == [ANA, LI]
    assert all(card.invited_at is not None and card.version == 0 for card in cards)
    mails = outbox()[mails_before:]
    assert sorted(message["To"] for message in mails) == [ANA, LI]
    assert len(set(links_in(outbox).values())) == 2


def test_the_mail_names_role_company_time_and_candidate_and_nothing_else(
        app, client, auth, signed_in, create_application, role, db_session, outbox):
    application = create_application(role, "Grace Hopper", email="grace@example.com", phone="+1 555 0100",
                                     location="Arlington", profile="Compilers and COBOL.")
    db_session.add(ApplicationNote(application_id=application.id, body="Private recruiter note"))
    db_session.commit()
    interview = db_session.get(Interview, interview_id_from(schedule(client, auth, application.id)))
    sweep_at(app, interview.ends_at + timedelta(minutes=1))
    message = next(message for message in outbox() if message["To"] == ANA)
    text = text_of(message)
    assert "Healthcare AI Engineer" in text and "Tempus" in text and "Grace Hopper" in text
    assert BEFORE_DST.strftime("%A %-d %B %Y, %H:%M") in text and NEW_YORK in text
    for private in ("grace@example.com", "555 0100", "Arlington", "Compilers", "Private recruiter note",
                    "/applications/", LI):
        assert private not in text
    assert "Tempus" in message["Subject"]
    assert not list(message.iter_attachments())


def test_a_reschedule_before_the_end_moves_when_links_are_made(app, client, auth, signed_in, application, db_session,
                                                              outbox):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    old_end = db_session.get(Interview, interview_id).ends_at
    response = client.post(f"/interviews/{interview_id}/reschedule", data={
        "csrf_token": auth.token(f"/interviews/{interview_id}"),
        "starts_at": typed(BEFORE_DST + timedelta(days=2)), "timezone": NEW_YORK, "duration_minutes": "45"})
    assert response.status_code == 303
    new_end = db_session.get(Interview, interview_id).ends_at
    assert sweep_at(app, old_end + timedelta(minutes=1)) == (0, 0)
    assert sweep_at(app, new_end + timedelta(minutes=1)) == (2, 0)


def test_a_cancelled_interview_gets_no_links(app, client, auth, signed_in, application, db_session, outbox):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    ends_at = db_session.get(Interview, interview_id).ends_at
    assert client.post(f"/interviews/{interview_id}/cancel", data={
        "csrf_token": auth.token(f"/interviews/{interview_id}"), "reason": "Paused"}).status_code == 303
    assert sweep_at(app, ends_at + timedelta(minutes=1)) == (0, 0)
    assert db_session.scalar(select(func.count()).select_from(Scorecard)) == 0


def test_links_of_an_interview_cancelled_later_stop_working(app, client, auth, ended, db_session):
    assert client.get(f"/scorecards/{ended[ANA]}").status_code == 200
    interview_id = db_session.scalar(select(Scorecard.interview_id).limit(1))
    with app.app_context():  # the form refuses an ended interview no more than the operation does
        from ats.operations.interviews import cancel
        cancel(interview_id, "Recorded by mistake", None)
        db.session.remove()
    assert client.get(f"/scorecards/{ended[ANA]}").status_code == 404
    assert client.post(f"/scorecards/{ended[ANA]}", data=scorecard_form(client, ended[LI])).status_code == 404


def test_an_interview_of_a_decided_application_gets_no_links(app, past_interview, application, db_session):
    past_interview(timedelta(hours=1))
    set_columns(db_session, application.id, stage=Stage.REJECTED, closed_from_stage=Stage.INTERVIEW)
    assert sweep_at(app, utcnow()) == (0, 0)


def test_two_sweeps_at_once_make_each_link_once(app, past_interview, db_session, outbox):
    for _ in range(5):
        past_interview(timedelta(hours=1), interviewers=(ANA, LI, "kim@tempus.example"))
    now = utcnow()
    results, errors = [], []

    def run():
        try:
            results.append(sweep_at(app, now))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(links for links, _ in results) == 15
    assert db_session.scalar(select(func.count()).select_from(Scorecard)) == 15
    assert len(outbox()) == 15


# --- The scorecard page -------------------------------------------------------


def test_the_page_shows_the_interview_and_the_skills_and_nothing_else(client, ended, application, role, db_session):
    db_session.add(ApplicationNote(application_id=application.id, body="Private recruiter note"))
    db_session.commit()
    client.post("/logout")  # interviewers are not signed in
    response = client.get(f"/scorecards/{ended[ANA]}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert "Grace Hopper" in page and "Healthcare AI Engineer" in page and "Tempus" in page
    assert "America/New York" in page and BEFORE_DST.strftime("%H:%M") in page
    for skill in role.active_skills:
        assert f'name="skill-{skill.slug}"' in page and f'name="note-{skill.slug}"' in page
    assert "Not assessed" in page
    for choice in Recommendation:
        assert f'value="{choice.value}"' in page
    for private in (application.email, "Private recruiter note", LI, "/applications/"):
        assert private not in page


def test_unknown_and_malformed_links_are_404(client, ended):
    assert client.get("/scorecards/" + "A" * 43).status_code == 404
    assert client.get("/scorecards/short").status_code == 404
    assert client.post("/scorecards/" + "A" * 43, data={}).status_code in (400, 404)


def test_submitting_saves_ratings_a_version_and_an_audit_entry(client, ended, skills, db_session):
    token = ended[ANA]
    data = scorecard_form(client, token, **rated(skills, "partial", **{skills[0]: "Built a <b>pipeline</b>"}))
    response = client.post(f"/scorecards/{token}", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/scorecards/{token}"
    card = db_session.scalars(select(Scorecard).filter_by(email=ANA)).one()
    assert card.version == 1 and card.recommendation is Recommendation.YES and card.summary == "Clear thinker."
    assert card.submitted_at is not None and card.updated_at == card.submitted_at
    ratings = db_session.scalars(select(ScorecardRating).filter_by(scorecard_id=card.id)).all()
    assert len(ratings) == len(skills) and {rating.level for rating in ratings} == {SkillLevel.PARTIAL}
    version = db_session.scalars(select(ScorecardVersion).filter_by(scorecard_id=card.id)).one()
    assert version.version == 1 and version.ratings[skills[0]] == {"level": "partial", "note": "Built a <b>pipeline</b>"}
    entry = db_session.scalars(select(AuditEvent).filter_by(action="scorecard.submit")).one()
    assert entry.actor_id is None and entry.detail == {"scorecard_id": card.id, "interview_id": card.interview_id,
                                                       "version": 1}
    page = client.get(f"/scorecards/{token}").get_data(as_text=True)
    assert "your scorecard is saved (version 1)" in page
    assert re.search(r"You submitted this on <time[^>]*>[^<]+</time> \(version 1\)", page)
    assert "Built a &lt;b&gt;pipeline&lt;/b&gt;" in page and "<b>pipeline" not in page


def test_a_second_submission_updates_and_keeps_both_versions(client, ended, skills, db_session):
    token = ended[LI]
    assert client.post(f"/scorecards/{token}", data=scorecard_form(client, token, **rated(skills, "none"))).status_code == 303
    first = db_session.scalars(select(Scorecard).filter_by(email=LI)).one()
    first_submitted = first.submitted_at
    data = scorecard_form(client, token, recommendation="strong_yes", summary="Better on reflection.",
                          **rated(skills, "strong"))
    assert client.post(f"/scorecards/{token}", data=data).status_code == 303
    card = db_session.scalars(select(Scorecard).filter_by(email=LI)).one()
    assert card.version == 2 and card.recommendation is Recommendation.STRONG_YES
    assert card.submitted_at == first_submitted and card.updated_at >= first_submitted
    versions = db_session.scalars(select(ScorecardVersion).filter_by(scorecard_id=card.id)
                                  .order_by(ScorecardVersion.version)).all()
    assert [(v.version, v.recommendation) for v in versions] == [(1, Recommendation.YES), (2, Recommendation.STRONG_YES)]
    assert {r["level"] for r in versions[0].ratings.values()} == {"none"}
    assert {r["level"] for r in versions[1].ratings.values()} == {"strong"}
    page = client.get(f"/scorecards/{token}").get_data(as_text=True)
    assert "(version 2)" in page and "Update scorecard" in page


def test_a_skill_left_unchosen_is_not_assessed(client, ended, skills, db_session):
    token = ended[ANA]
    assert client.post(f"/scorecards/{token}", data=scorecard_form(client, token)).status_code == 303
    version = db_session.scalars(select(ScorecardVersion)).one()
    assert set(version.ratings) == set(skills)
    assert {rating["level"] for rating in version.ratings.values()} == {"unknown"}


@pytest.mark.parametrize("bad", [
    {"recommendation": ""},
    {"recommendation": "maybe"},
    {"skill-FIRST": "excellent"},
    {"note-FIRST": "x" * 2_001},
    {"summary": "y" * 5_001},
], ids=["no recommendation", "bad recommendation", "bad level", "long note", "long summary"])
def test_bad_values_are_422_and_nothing_is_written(client, ended, skills, db_session, bad):
    token = ended[ANA]
    bad = {key.replace("FIRST", skills[0]): value for key, value in bad.items()}
    response = client.post(f"/scorecards/{token}", data=scorecard_form(client, token, **bad))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please correct 1 thing below" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert db_session.scalar(select(func.count()).select_from(ScorecardVersion)) == 0
    assert db_session.scalar(select(func.count()).select_from(ScorecardRating)) == 0
    assert db_session.scalars(select(Scorecard).filter_by(email=ANA)).one().version == 0


def test_a_post_without_its_csrf_token_is_400(client, ended, db_session):
    token = ended[ANA]
    data = scorecard_form(client, token)
    del data["csrf_token"]
    assert client.post(f"/scorecards/{token}", data=data).status_code == 400
    assert client.post(f"/scorecards/{token}", data={**data, "csrf_token": "forged"}).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ScorecardVersion)) == 0


@pytest.mark.parametrize("stage", [Stage.OFFER, Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN])
def test_once_decided_the_page_is_read_only_and_a_post_is_409(client, ended, skills, application, db_session, stage):
    token = ended[ANA]
    assert client.post(f"/scorecards/{token}", data=scorecard_form(client, token, **rated(skills))).status_code == 303
    data = scorecard_form(client, token, recommendation="strong_no", **rated(skills, "none"))
    set_columns(db_session, application.id, stage=stage, closed_from_stage=Stage.INTERVIEW)
    page = client.get(f"/scorecards/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "can no longer be changed" in text and "<form class=\"scorecard-form\"" not in text
    assert "Strong" in text and "(version 1)" in text
    response = client.post(f"/scorecards/{token}", data=data)
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)
    card = db_session.scalars(select(Scorecard).filter_by(email=ANA)).one()
    assert card.version == 1 and card.recommendation is Recommendation.YES
    assert db_session.scalar(select(func.count()).select_from(ScorecardVersion)) == 1


def test_an_expired_link_is_410_with_a_message(app, client, past_interview, db_session, outbox):
    past_interview(LINK_VALID_FOR + timedelta(hours=1))
    # Made while the link still worked (the sweep was late, not this late)...
    interview = db_session.scalars(select(Interview)).one()
    assert sweep_at(app, interview.ends_at + timedelta(minutes=1)) == (1, 0)
    # Its mail is not sent: the link had run out by then.
    assert outbox() == []
    with app.app_context():
        token = db.session.scalars(select(Scorecard)).one().token
        db.session.remove()
    # ...and opened after its time.
    response = client.get(f"/scorecards/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post(f"/scorecards/{token}", data={"csrf_token": csrf_token_from(
        client.get("/roles/healthcare-ai-engineer").get_data(as_text=True)), "recommendation": "yes"}).status_code == 410
    # And the sweep makes no link that would be born expired.
    past_interview(LINK_VALID_FOR + timedelta(hours=1), interviewers=(LI,))
    assert sweep_at(app, utcnow()) == (0, 0)


def test_the_request_log_shows_the_key_as_token():
    assert redact("/scorecards/AbC_-123456789012345678901234") == "/scorecards/[token]"


# --- The reminder ------------------------------------------------------------


def test_the_reminder_is_sent_once_and_not_for_a_submitted_scorecard(app, client, ended, skills, db_session, outbox):
    assert client.post(f"/scorecards/{ended[LI]}", data=scorecard_form(client, ended[LI])).status_code == 303
    ends_at = db_session.scalars(select(Interview)).one().ends_at
    mails = len(outbox())
    assert sweep_at(app, ends_at + REMIND_AFTER - timedelta(minutes=1)) == (0, 0)
    assert sweep_at(app, ends_at + REMIND_AFTER + timedelta(minutes=2)) == (0, 1)
    for later in (timedelta(hours=25), timedelta(hours=30), timedelta(days=3), timedelta(days=13)):
        assert sweep_at(app, ends_at + later) == (0, 0)
    reminders = outbox()[mails:]
    assert [message["To"] for message in reminders] == [ANA]
    assert "Reminder" in reminders[0]["Subject"] and ended[ANA] in text_of(reminders[0])
    assert db_session.scalars(select(Scorecard).filter_by(email=ANA)).one().reminded_at is not None
    assert db_session.scalars(select(Scorecard).filter_by(email=LI)).one().reminded_at is None


def test_no_reminder_once_decided_or_expired(app, ended, application, db_session, outbox):
    ends_at = db_session.scalars(select(Interview)).one().ends_at
    assert sweep_at(app, ends_at + LINK_VALID_FOR + timedelta(minutes=1)) == (0, 0)
    set_columns(db_session, application.id, stage=Stage.REJECTED, closed_from_stage=Stage.INTERVIEW)
    assert sweep_at(app, ends_at + REMIND_AFTER + timedelta(hours=1)) == (0, 0)


def test_the_sweep_command_reports_scorecards(app, past_interview, outbox):
    past_interview(timedelta(minutes=5), interviewers=(ANA, LI))
    result = app.test_cli_runner().invoke(args=["ats", "sweep"])
    assert result.exit_code == 0, result.output
    assert "2 scorecard links and 0 reminders sent" in result.output
    assert sorted(message["To"] for message in outbox()) == [ANA, LI]


# --- Dashboards --------------------------------------------------------------


def test_an_interviewer_on_the_staff_sees_their_scorecards(app, client, auth, create_staff, past_interview, outbox,
                                                         create_application, role):
    other = create_application(role, "Alan Turing")
    past_interview(timedelta(hours=2), interviewers=(ANA,))
    past_interview(timedelta(hours=3), interviewers=(LI,), application_id=other.id)
    sweep_at(app, utcnow())
    ana_link = links_in(outbox)[ANA]
    auth.login(create_staff(Access.RECRUITER, email="Ana@Tempus.example", name="Ana"))
    page = client.get("/pipeline/").get_data(as_text=True)
    assert "Your scorecards" in page
    assert f"/scorecards/{ana_link}" in page and "Grace Hopper" in page and "To fill in" in page
    assert links_in(outbox)[LI] not in page, page
    token = csrf_token_from(client.get(f"/scorecards/{ana_link}").get_data(as_text=True))
    assert client.post(f"/scorecards/{ana_link}", data={"csrf_token": token, "recommendation": "no"}).status_code == 303
    assert "Submitted" in client.get("/pipeline/").get_data(as_text=True)


def test_staff_who_interview_nobody_see_no_scorecards_section(client, auth, signed_in):
    page = client.get("/pipeline/").get_data(as_text=True)
    assert "Your scorecards" not in page
    assert "Waiting for feedback" in page and "every scorecard due is in" in page


def test_waiting_for_feedback_names_the_missing_interviewers(app, client, auth, create_staff, past_interview,
                                                           application, db_session, outbox):
    past_interview(timedelta(hours=30), interviewers=(ANA, LI))
    past_interview(timedelta(hours=3), interviewers=("kim@tempus.example",))  # not overdue yet
    sweep_at(app, utcnow() - timedelta(hours=29))
    sweep_at(app, utcnow())
    token = links_in(outbox)[LI]
    csrf = csrf_token_from(client.get(f"/scorecards/{token}").get_data(as_text=True))
    assert client.post(f"/scorecards/{token}", data={"csrf_token": csrf, "recommendation": "yes"}).status_code == 303
    auth.login(create_staff(Access.MANAGER))
    page = client.get("/pipeline/").get_data(as_text=True)
    section = page.split("Waiting for feedback", 1)[1].split("</section>", 1)[0]
    assert ANA in section and LI not in section and "kim@tempus.example" not in section
    assert "Grace Hopper" in section and "Tempus" in section and "6 hours" in section
    assert f"/pipeline/applications/{application.id}" in section


def test_waiting_for_feedback_respects_blind_review(app, client, auth, signed_in, past_interview, application,
                                                  role, db_session):
    db_session.execute(Role.__table__.update().values(blind_review=True))
    past_interview(timedelta(hours=30))
    sweep_at(app, utcnow())
    page = client.get("/pipeline/").get_data(as_text=True)
    section = page.split("Waiting for feedback", 1)[1].split("</section>", 1)[0]
    assert f"Candidate #{application.id}" in section and "Grace Hopper" not in section


def test_waiting_for_feedback_leaves_out_decided_applications(app, client, auth, signed_in, past_interview,
                                                            application, db_session):
    past_interview(timedelta(hours=30))
    sweep_at(app, utcnow())
    set_columns(db_session, application.id, stage=Stage.REJECTED, closed_from_stage=Stage.INTERVIEW)
    assert "every scorecard due is in" in client.get("/pipeline/").get_data(as_text=True)


# --- Data rights and keys ----------------------------------------------------


def test_erasure_blanks_interviewers_words_keeps_levels_and_ends_the_links(app, client, ended, skills, application,
                                                                          db_session):
    token = ended[ANA]
    data = scorecard_form(client, token, summary="Grace explained her compiler.",
                          **rated(skills, "strong", **{skills[0]: "Talked about Grace's COBOL"}))
    assert client.post(f"/scorecards/{token}", data=data).status_code == 303
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
    assert client.get(f"/scorecards/{token}").status_code == 404
    assert client.get(f"/scorecards/{ended[LI]}").status_code == 404
    card = db_session.scalars(select(Scorecard).filter_by(email=ANA)).one()
    assert card.summary == "" and card.recommendation is Recommendation.YES
    assert {(r.level, r.note) for r in db_session.scalars(select(ScorecardRating))} == {(SkillLevel.STRONG, "")}
    version = db_session.scalars(select(ScorecardVersion)).one()
    assert version.summary == "" and {r["note"] for r in version.ratings.values()} == {""}
    assert {r["level"] for r in version.ratings.values()} == {"strong"}
    entry = db_session.scalars(select(AuditEvent).filter_by(action="scorecard.submit")).one()
    assert entry.detail["scorecard_id"] == card.id and entry.detail["version"] == 1
    # Rekeying the links leaves the erased candidate's dead.
    result = app.test_cli_runner().invoke(args=["ats", "rekey-links"])
    assert "scorecard links: 0" in result.output
    assert client.get(f"/scorecards/{token}").status_code == 404


def test_an_erased_candidates_interviews_get_no_links(app, past_interview, application, db_session):
    past_interview(timedelta(hours=1))
    with app.app_context():
        erase_candidate(application.candidate_id, None, "command line")
    assert sweep_at(app, utcnow()) == (0, 0)


def test_rekey_links_rekeys_scorecard_links(app, client, ended, db_session, monkeypatch):
    before = ended[ANA]
    monkeypatch.setitem(app.config, "ATS_LINK_KEY", "another-secret-for-links-only-0123456789")
    result = app.test_cli_runner().invoke(args=["ats", "rekey-links"])
    assert result.exit_code == 0 and "scorecard links: 2" in result.output
    with app.app_context():
        after = db.session.scalars(select(Scorecard).filter_by(email=ANA)).one().token
        db.session.remove()
    assert after != before
    assert client.get(f"/scorecards/{after}").status_code == 200
    assert client.get(f"/scorecards/{before}").status_code == 404


def test_the_candidates_export_holds_submitted_scorecards_without_interviewers(app, client, ended, skills,
                                                                               application):
    token = ended[ANA]
    data = scorecard_form(client, token, **rated(skills, "partial", **{skills[0]: "Solid evidence"}))
    assert client.post(f"/scorecards/{token}", data=data).status_code == 303
    result = app.test_cli_runner().invoke(args=["ats", "export-candidate", application.email])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    (card,) = record["applications"][0]["scorecards"]  # Li's, never submitted, holds nothing
    assert card["recommendation"] == "yes" and card["summary"] == "Clear thinker."
    assert card["interview"]["company"] == "Tempus"
    assert {"skill": skills[0], "level": "partial", "note": "Solid evidence"} in card["ratings"]
    assert [version["version"] for version in card["versions"]] == [1]
    assert ANA not in result.output and LI not in result.output


# --- The embedded clock ------------------------------------------------------


def clock_app(app, on: bool):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        ATS_EMBEDDED_CLOCK = on
        ATS_CLOCK_SECONDS = 3600
        ATS_MAIL_OUTBOX = app.config["ATS_MAIL_OUTBOX"]

    return create_app(Config)


def test_without_the_setting_no_clock_starts(app):
    other = clock_app(app, on=False)
    assert other.test_client().get("/healthz").status_code == 200
    assert "ats.clock" not in other.extensions
    assert "ats.clock" not in app.extensions
    assert not [thread for thread in threading.enumerate() if thread.name == "ats-clock"]


def test_with_the_setting_the_clock_sweeps_from_the_first_request(app, past_interview, db_session, outbox):
    past_interview(timedelta(minutes=5), interviewers=(ANA,))
    other = clock_app(app, on=True)
    clock = other.extensions["ats.clock"]
    assert clock.thread is None  # built, not started: a reloader's parent never sweeps
    swept = threading.Event()
    tick = clock.tick
    clock.tick = lambda: (tick(), swept.set())
    try:
        assert other.test_client().get("/healthz").status_code == 200
        assert clock.thread is not None and clock.thread.daemon
        assert swept.wait(timeout=30), "the clock's first sweep did not finish"
        other.test_client().get("/healthz")
        assert [thread for thread in threading.enumerate() if thread.name == "ats-clock"] == [clock.thread]
    finally:
        clock.stop()
        clock.thread.join(timeout=30)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert db_session.scalars(select(Scorecard.email)).all() == [ANA]
    assert [message["To"] for message in outbox()] == [ANA]


def test_the_sweeps_bound_on_start_times_is_the_longest_interview():
    from ats.operations.interviews import MAX_DURATION
    from ats.queries.scorecard_due import LONGEST_INTERVIEW

    assert LONGEST_INTERVIEW == timedelta(minutes=MAX_DURATION)
