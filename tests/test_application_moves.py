"""Stage moves on an application's staff page (issue 4, "One application"):
the 303, 409 and 422 answers, where the browser goes next, history and
audit, and concurrent moves."""
import re
import threading

import pytest

from ats.models import Stage
from tests.applications import ada, audit_events, current, location, page_url, post_stage, token_for
from tests.pages import text_of


def test_a_move_is_303_to_the_page_with_history_audit_and_a_message(client, signed_in, create_application, role,
                                                                     db_session):
    application_id = create_application(role, **ada()).id
    response = post_stage(client, application_id, "screening", version=1, reason="Strong NLP background")
    assert response.status_code == 303
    assert location(response) == page_url(application_id)
    application = current(db_session, application_id)
    assert (application.stage, application.version) == (Stage.SCREENING, 2)
    change = application.history[-1]
    assert (change.from_stage, change.to_stage, change.actor_kind, change.actor_id, change.reason) == (
        Stage.APPLIED, Stage.SCREENING, "staff", signed_in.id, "Strong NLP background")
    [event_] = audit_events(db_session, "stage.move")
    assert event_.detail == {"from": "applied", "to": "screening", "reason": "Strong NLP background"}
    assert (event_.actor_id, event_.application_id) == (signed_in.id, application_id)

    body = client.get(page_url(application_id)).get_data(as_text=True)
    text = text_of(body)
    assert "Moved to Screening." in text
    assert "Applied → to Screening" in text  # "to" for screen readers, the arrow for the eye
    assert "Rita Recruiter" in text and "Reason: Strong NLP background" in text


@pytest.mark.parametrize("next_path", ["/pipeline/healthcare-ai-engineer?stage=applied&page=2", "/pipeline/"])
def test_next_sends_the_browser_back_to_a_same_site_page(client, signed_in, create_application, role, next_path):
    application_id = create_application(role, **ada()).id
    response = post_stage(client, application_id, "screening", next=next_path)
    assert response.status_code == 303
    assert location(response) == next_path


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                       "javascript:alert(1)", "/\t/evil.example"])
def test_next_elsewhere_is_ignored(client, signed_in, create_application, role, next_path):
    application_id = create_application(role, **ada()).id
    response = post_stage(client, application_id, "screening", next=next_path)
    assert response.status_code == 303
    assert location(response) == page_url(application_id)


def test_a_stale_version_is_409_showing_what_changed_and_changes_nothing(client, signed_in, create_application,
                                                                         role, create_staff, auth, db_session):
    application_id = create_application(role, **ada()).id
    token = token_for(client, application_id)
    # Someone else moves it first, with a reason.
    other = create_staff(name="Otto Other")
    other_client = client.application.test_client()
    assert auth.using(other_client).login(other).status_code == 303
    assert post_stage(other_client, application_id, "screening", version=1).status_code == 303
    assert post_stage(other_client, application_id, "rejected", version=2,
                      reason="Withdrew <b>interest</b> by phone").status_code == 303

    response = post_stage(client, application_id, "interview", version=1, token=token)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    text = text_of(body)
    assert "Nothing was changed" in text
    assert "Applied → to Screening" in text and "Screening → to Rejected" in text
    assert "Otto Other" in text and "Reason: Withdrew <b>interest</b> by phone" in text
    assert "Withdrew &lt;b&gt;interest&lt;/b&gt; by phone" in body
    assert "Stage now Rejected" in text and "Version now 3" in text and "your page showed 1" in text
    assert f'href="{page_url(application_id)}"' in body
    assert "<time datetime=" in body
    application = current(db_session, application_id)
    assert (application.stage, application.version, len(application.history)) == (Stage.REJECTED, 3, 3)
    assert len(audit_events(db_session, "stage.move")) == 2


def test_the_stale_page_links_back_to_a_same_site_next(client, signed_in, create_application, role):
    application_id = create_application(role, **ada()).id
    assert post_stage(client, application_id, "screening", version=1).status_code == 303
    response = post_stage(client, application_id, "interview", version=1, next="/pipeline/healthcare-ai-engineer")
    assert response.status_code == 409
    assert 'href="/pipeline/healthcare-ai-engineer"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("stage", "reason"), [
    ("applied", ""),          # already there: the rules refuse it
    ("rejected", ""),         # rejecting without a reason
    ("no-such-stage", "x"),   # not a stage at all
    ("", ""),                 # no stage chosen
])
def test_a_stale_version_is_answered_before_any_other_check(client, signed_in, create_application, role, db_session,
                                                            stage, reason):
    application_id = create_application(role, **ada()).id
    assert post_stage(client, application_id, "screening", version=1).status_code == 303
    response = post_stage(client, application_id, stage, version=1, reason=reason)
    assert response.status_code == 409
    assert current(db_session, application_id).version == 2


@pytest.mark.parametrize(("stage", "reason", "message"), [
    ("applied", "", "The application is already in Applied."),
    ("rejected", "   ", "Rejecting needs a reason."),
    ("no-such-stage", "", "Choose the stage to move the application to."),
    ("", "", "Choose the stage to move the application to."),
])
def test_a_move_the_rules_forbid_is_422_with_the_error_by_the_control(client, signed_in, create_application, role,
                                                                      db_session, stage, reason, message):
    application_id = create_application(role, **ada()).id
    response = post_stage(client, application_id, stage, version=1, reason=reason)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'<select[^>]*aria-describedby="stage-to-error"[^>]*aria-invalid="true"', body) or \
        re.search(r'<select[^>]*aria-invalid="true"[^>]*aria-describedby="stage-to-error"', body)
    error = re.search(r'<p class="field__error" id="stage-to-error">(.*?)</p>', body, re.S).group(1)
    assert message in text_of(error)
    assert "<title>Error:" in body
    application = current(db_session, application_id)
    assert (application.stage, application.version, len(application.history)) == (Stage.APPLIED, 1, 1)
    assert audit_events(db_session, "stage.move") == []


def test_a_refused_move_keeps_the_typed_reason(client, signed_in, create_application, role, db_session):
    application_id = create_application(role, **ada(stage=Stage.SCREENING)).id
    # Back needs a reason; a move to the current stage is refused whatever the reason.
    response = post_stage(client, application_id, "screening", reason="Typed <i>carefully</i>\nover two lines")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Typed &lt;i&gt;carefully&lt;/i&gt;\nover two lines</textarea>" in body
    assert "already in Screening" in text_of(body)


def test_moving_back_needs_a_reason(client, signed_in, create_application, role, db_session):
    application_id = create_application(role, **ada(stage=Stage.SCREENING)).id
    response = post_stage(client, application_id, "applied")
    assert response.status_code == 422
    assert "Moving back from Screening to Applied needs a reason." in text_of(response.get_data(as_text=True))
    assert post_stage(client, application_id, "applied", reason="Screened too early").status_code == 303
    assert current(db_session, application_id).stage is Stage.APPLIED


@pytest.mark.parametrize("version", ["", "two", "1.0", "-1", "99999999999999999999"])
def test_a_missing_or_non_integer_version_is_422(client, signed_in, create_application, role, db_session, version):
    application_id = create_application(role, **ada()).id
    response = post_stage(client, application_id, "screening", version=version)
    assert response.status_code == 422
    assert "Reload the page" in text_of(response.get_data(as_text=True))
    assert current(db_session, application_id).version == 1


def test_a_stage_post_without_a_csrf_token_is_400(client, signed_in, create_application, role, db_session):
    application_id = create_application(role, **ada()).id
    response = client.post(f"{page_url(application_id)}/stage", data={"stage": "screening", "version": "1"})
    assert response.status_code == 400
    assert current(db_session, application_id).stage is Stage.APPLIED


def test_reopening_a_closed_application(client, signed_in, create_application, role, db_session):
    application_id = create_application(role, **ada(stage=Stage.INTERVIEW)).id
    assert post_stage(client, application_id, "withdrawn").status_code == 303
    assert post_stage(client, application_id, "interview", version=2).status_code == 422
    response = post_stage(client, application_id, "interview", version=2, reason="Candidate came back")
    assert response.status_code == 303
    application = current(db_session, application_id)
    assert (application.stage, application.version) == (Stage.INTERVIEW, 3)


def test_exactly_one_of_many_simultaneous_moves_wins(app, create_staff, create_application, role, db_session):
    application_id = create_application(role, **ada()).id
    count = 8
    clients = []
    for number in range(count):
        account = create_staff(name=f"Recruiter {number}")
        client = app.test_client()
        from tests.fixtures.staff import AuthActions

        assert AuthActions(client).login(account).status_code == 303
        clients.append(client)
    tokens = [token_for(c, application_id) for c in clients]
    barrier = threading.Barrier(count)
    statuses: list[int | None] = [None] * count
    targets = ["screening", "interview", "offer", "rejected", "withdrawn", "hired", "screening", "interview"]

    def submit(index: int) -> None:
        barrier.wait()
        statuses[index] = post_stage(clients[index], application_id, targets[index], version=1,
                                     reason="At the same moment", token=tokens[index]).status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] + [409] * (count - 1)
    application = current(db_session, application_id)
    assert application.version == 2
    assert len(application.history) == 2
    assert len(audit_events(db_session, "stage.move")) == 1
