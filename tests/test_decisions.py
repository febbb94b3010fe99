"""Decisions after an interview (issue 16): a move to offer or rejected once a
non-cancelled interview has ended needs a short decision summary, on the
page's form, the move page, the API and bulk moves alike; the history keeps
it with the evidence as it stood, and erasure blanks both."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.models import AuditEvent, Recommendation, Scorecard, Stage, StageChange, utcnow
from tests.api import Api, make_token
from tests.applications import ada, current, page_url, post_stage, token_for
from tests.pages import text_of
from tests.scorecard_factories import add_company, add_interview, add_scorecard, rate_again

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

NEEDS = "after an interview needs a short decision summary"


def changes(db_session, application_id) -> list[StageChange]:
    db_session.expire_all()
    return db_session.scalars(
        select(StageChange).where(StageChange.application_id == application_id).order_by(StageChange.id)
    ).all()


@pytest.fixture
def interviewed(db_session, create_application, role, skills):
    """Ada, in Interview, after an interview with three interviewers of whom
    two submitted: five of eight skills strong from both, one yes, one no:
    evidence score 62.5."""
    application = create_application(role, **ada(stage=Stage.INTERVIEW))
    interview = add_interview(db_session, application, add_company(db_session, "Acme Health"),
                              interviewers=["a@acme.example", "b@acme.example", "c@acme.example"])
    strong = {slug: "strong" for slug in skills[:5]}
    add_scorecard(db_session, interview, "a@acme.example", strong, recommendation=Recommendation.YES,
                  summary="Solid.")
    add_scorecard(db_session, interview, "b@acme.example", strong, recommendation=Recommendation.NO)
    add_scorecard(db_session, interview, "c@acme.example", submitted=False)
    return application


def test_an_offer_after_an_interview_without_summary_or_reason_is_422_and_changes_nothing(
        client, signed_in, interviewed, db_session):
    before = changes(db_session, interviewed.id)
    response = post_stage(client, interviewed.id, "offer", version=1, reason="", decision_summary="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f"Moving to Offer {NEEDS}" in text_of(body)
    # The message is tied to the summary field, for screen readers too.
    assert re.search(r'id="stage-decision-summary"[^>]*aria-invalid="true"', body) or re.search(
        r'aria-invalid="true"[^>]*id="stage-decision-summary"', body)
    application = current(db_session, interviewed.id)
    assert application.stage == Stage.INTERVIEW and application.version == 1
    assert len(changes(db_session, interviewed.id)) == len(before)


def test_the_reason_is_taken_as_the_summary(client, signed_in, interviewed, db_session):
    response = post_stage(client, interviewed.id, "offer", version=1, reason="Strong on every core skill.")
    assert response.status_code == 303
    change = changes(db_session, interviewed.id)[-1]
    assert change.to_stage == Stage.OFFER
    assert change.reason == change.decision_summary == "Strong on every core skill."
    assert change.evidence["score"] == 62.5
    assert [c["interviewer"] for c in change.evidence["scorecards"]] == ["a@acme.example", "b@acme.example"]
    assert (change.evidence["submitted"], change.evidence["expected"]) == (2, 3)
    audit = db_session.scalars(select(AuditEvent).filter_by(action="stage.move")).all()[-1]
    assert audit.detail["decision_summary"] == "Strong on every core skill."


def test_a_summary_of_its_own_is_kept_beside_the_reason(client, signed_in, interviewed, db_session):
    response = post_stage(client, interviewed.id, "rejected", version=1, reason="Not enough depth",
                          decision_summary="Both interviewers doubted the NLP depth.")
    assert response.status_code == 303
    change = changes(db_session, interviewed.id)[-1]
    assert change.reason == "Not enough depth"
    assert change.decision_summary == "Both interviewers doubted the NLP depth."
    assert change.evidence["score"] == 62.5


def test_a_summary_too_long_is_422(client, signed_in, interviewed, db_session):
    response = post_stage(client, interviewed.id, "offer", version=1, decision_summary="x" * 2001)
    assert response.status_code == 422
    assert "Keep the decision summary to 2,000 characters." in text_of(response.get_data(as_text=True))
    assert current(db_session, interviewed.id).stage == Stage.INTERVIEW


def test_a_stale_version_is_409_before_the_summary_is_asked_for(client, signed_in, interviewed, db_session):
    token = token_for(client, interviewed.id)
    assert post_stage(client, interviewed.id, "screening", version=1, reason="Back", token=token).status_code == 303
    response = post_stage(client, interviewed.id, "offer", version=1, reason="", token=token)
    assert response.status_code == 409
    assert current(db_session, interviewed.id).stage == Stage.SCREENING


@pytest.mark.parametrize("interview", ["none", "cancelled", "still to come"])
def test_without_an_interview_behind_it_an_offer_needs_nothing_new(client, signed_in, db_session,
                                                                   create_application, role, interview):
    application = create_application(role, **ada(stage=Stage.INTERVIEW))
    if interview == "cancelled":
        add_interview(db_session, application, add_company(db_session), cancelled=True)
    elif interview == "still to come":
        add_interview(db_session, application, add_company(db_session), ends_at=utcnow() + timedelta(days=1))
    response = post_stage(client, application.id, "offer", version=1, reason="")
    assert response.status_code == 303
    change = changes(db_session, application.id)[-1]
    assert change.to_stage == Stage.OFFER and change.decision_summary is None and change.evidence is None


def test_other_moves_after_an_interview_are_unchanged(client, signed_in, interviewed, db_session):
    assert post_stage(client, interviewed.id, "withdrawn", version=1).status_code == 303
    change = changes(db_session, interviewed.id)[-1]
    assert change.decision_summary is None and change.evidence is None


def test_the_page_and_the_move_page_offer_the_field_only_when_it_is_needed(client, signed_in, interviewed,
                                                                          create_application, role):
    for path in (page_url(interviewed.id), f"{page_url(interviewed.id)}/stage"):
        body = client.get(path).get_data(as_text=True)
        assert 'name="decision_summary"' in body, path
        assert "Needed to move to Offer or Rejected after an interview" in text_of(body)
    fresh = create_application(role, **ada(email="fresh@example.org"))
    for path in (page_url(fresh.id), f"{page_url(fresh.id)}/stage"):
        assert 'name="decision_summary"' not in client.get(path).get_data(as_text=True), path


def test_the_move_page_sends_the_summary(client, signed_in, interviewed, db_session):
    token = token_for(client, interviewed.id)
    response = client.post(f"{page_url(interviewed.id)}/stage", data={
        "csrf_token": token, "stage": "offer", "reason": "", "version": "1",
        "decision_summary": "Offer: two of three scorecards in, both strong on five skills.",
        "next": "/pipeline/healthcare-ai-engineer"})
    assert response.status_code == 303
    assert changes(db_session, interviewed.id)[-1].decision_summary.startswith("Offer: two of three")


# --- The API and bulk moves ------------------------------------------------------------


def test_the_api_takes_the_reason_as_the_summary(app, client, manager, interviewed, db_session):
    api = Api(client, make_token(app, manager))
    path = f"/api/v1/applications/{interviewed.id}/stage"
    refused = api.post(path, json={"stage": "offer", "version": 1})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert NEEDS in refused.get_json()["detail"]
    assert current(db_session, interviewed.id).stage == Stage.INTERVIEW
    assert api.post(path, json={"stage": "offer", "reason": "", "version": 2}).status_code == 409
    moved = api.post(path, json={"stage": "offer", "reason": "Both strong on five skills.", "version": 1})
    assert moved.status_code == 200
    assert moved.get_json()["history"][-1]["reason"] == "Both strong on five skills."
    change = changes(db_session, interviewed.id)[-1]
    assert change.decision_summary == "Both strong on five skills." and change.evidence["score"] == 62.5


def test_bulk_moves_follow_the_same_rule(client, signed_in, interviewed, create_application, role, db_session):
    other = create_application(role, **ada(stage=Stage.INTERVIEW, email="other@example.org", name="Grace Hopper"))
    board = "/pipeline/healthcare-ai-engineer"
    response = client.post(f"{board}/bulk", data={
        "csrf_token": token_for(client, interviewed.id), "stage": "offer", "reason": "",
        "application": [f"{interviewed.id}:1", f"{other.id}:1"]})
    assert response.status_code == 303
    assert current(db_session, interviewed.id).stage == Stage.INTERVIEW
    assert current(db_session, other.id).stage == Stage.OFFER
    flashes = text_of(client.get(board).get_data(as_text=True))
    assert f"Not moved (1): Ada Lovelace: Moving to Offer {NEEDS}" in flashes


# --- The history -------------------------------------------------------------------------


def history_text(client, application_id) -> str:
    body = client.get(page_url(application_id)).get_data(as_text=True)
    return text_of(re.search(r'<ol class="history">.*?</ol>', body, re.S).group(0))


def test_the_history_shows_the_summary_and_the_evidence_as_it_stood(client, signed_in, interviewed, db_session,
                                                                    skills):
    assert post_stage(client, interviewed.id, "offer", version=1, reason="",
                      decision_summary="Both strong where it matters.").status_code == 303
    body = client.get(page_url(interviewed.id)).get_data(as_text=True)
    assert re.search(r'<details class="history__evidence">\s*<summary>Evidence as it stood: '
                     r'2 of 3 scorecards in; evidence score 62.5; recommendations: Yes, No</summary>', body)
    text = history_text(client, interviewed.id)
    assert "Decision summary: Both strong where it matters." in text
    assert "Yes (a@acme.example, Acme Health)" in text and "No (b@acme.example, Acme Health)" in text
    assert re.search(r": recruiter Not assessed; interviewers Strong, Strong; score 100\.0; agree", text)

    # A scorecard changed afterwards changes the evidence section, not what the decision kept.
    card = db_session.scalars(select(Scorecard).filter_by(email="b@acme.example")).one()
    rate_again(db_session, card, {slug: "none" for slug in skills[:5]}, recommendation=Recommendation.STRONG_NO)
    assert history_text(client, interviewed.id) == text
    evidence = text_of(re.search(r'<section[^>]*evidence-panel.*?</section>',
                                 client.get(page_url(interviewed.id)).get_data(as_text=True), re.S).group(0))
    assert "Evidence score (interviewers) 31.2 of 100" in evidence
    assert changes(db_session, interviewed.id)[-1].evidence["score"] == 62.5


def test_erasure_blanks_the_summary_and_the_texts_of_the_evidence(app, client, signed_in, interviewed,
                                                                  db_session):
    assert post_stage(client, interviewed.id, "rejected", version=1, reason="Not enough depth",
                      decision_summary="Ada Lovelace lacked depth.").status_code == 303
    from ats.operations.erasure import erase_candidate

    with app.app_context():
        erase_candidate(interviewed.candidate_id, None, "admin")
    decision = [change for change in changes(db_session, interviewed.id) if change.evidence][0]
    assert decision.decision_summary == "" and decision.reason == ""
    assert [c["interviewer"] for c in decision.evidence["scorecards"]] == ["", ""]
    assert [c["recommendation"] for c in decision.evidence["scorecards"]] == ["yes", "no"]
    assert decision.evidence["score"] == 62.5
    text = history_text(client, interviewed.id)
    assert "Ada Lovelace" not in text and "a@acme.example" not in text
    assert "2 of 3 scorecards in; evidence score 62.5; recommendations: Yes, No" in text
