"""Events are delivered after the commit, once each; a notification that
fails never undoes or misreports the change it announces, and is listed for
admins (in-process, without a queue: no retries)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ats.events import deliver
from ats.models import Application, Event, EventType, Interview, JobFailure, Stage

pytestmark = pytest.mark.usefixtures("seeded")


def schedule(client, auth, application_id):
    starts = datetime.now(timezone.utc) + timedelta(days=30)
    return client.post(f"/pipeline/applications/{application_id}/interviews", data={
        "csrf_token": auth.token(f"/pipeline/applications/{application_id}/interviews/new"),
        "company": "tempus", "starts_at": starts.strftime("%Y-%m-%dT10:00"), "timezone": "Europe/Berlin",
        "duration_minutes": "45", "kind": "video", "location": "https://meet.example/abc", "interviewers": "",
    })


def test_the_mail_goes_out_after_the_commit_once(client, auth, signed_in, application, db_session, outbox, app):
    response = schedule(client, auth, application.id)
    assert response.status_code == 303
    assert [m["Subject"] for m in outbox()] == ["Interview for Healthcare AI Engineer with Tempus"]
    events = db_session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.type for e in events] == [EventType.STAGE_CHANGED, EventType.INTERVIEW_SCHEDULED]
    assert all(e.dispatched_at is not None for e in events)
    # Delivering again finds nothing to do: no event is sent twice.
    with app.app_context():
        assert [deliver(event.id) for event in events] == [False, False]
    assert len(outbox()) == 1


def test_a_failing_notification_leaves_the_change_committed_and_the_page_truthful(
    client, auth, signed_in, application, db_session, outbox, monkeypatch, caplog
):
    def broken_calendar_file(interview):
        raise ValueError("the calendar file cannot be built")

    monkeypatch.setattr("ats.notifications.interviews.interview_attachment", broken_calendar_file)
    response = schedule(client, auth, application.id)
    # The interview is booked and the recruiter is told so, not shown a 500
    # page saying that nothing was saved.
    assert response.status_code == 303
    interview = db_session.scalars(select(Interview)).one()
    assert response.headers["Location"] == f"/interviews/{interview.id}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Tempus" in page.get_data(as_text=True)
    assert db_session.get(Application, application.id).stage == Stage.INTERVIEW
    assert outbox() == []
    event = db_session.scalars(select(Event).filter_by(type=EventType.INTERVIEW_SCHEDULED)).one()
    assert event.dispatched_at is None and event.failed_at is not None and event.claimed_until is None
    failure = db_session.scalars(select(JobFailure)).one()
    assert (failure.task, failure.args, failure.error, failure.tries) == ("deliver_event", f"[{event.id}]", "ValueError", 1)
    assert f"job deliver_event [{event.id}] failed: ValueError" in caplog.text
