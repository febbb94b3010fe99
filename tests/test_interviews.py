"""Interviews (contract: scheduling, reschedule, cancel, calendar files), on the real database."""
import re
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from ats.models import Application, AuditEvent, Interview, Stage, StageChange, utcnow
from ats.operations.interviews import InterviewError, resolve
from ats.timezones import ZoneInfo
from tests.dates import NEXT_YEAR, days_ago, fall_back, in_utc, offset_label, on, spring_forward, typed, utc
from tests.fixtures.factories import status_token

pytestmark = pytest.mark.usefixtures("seeded", "outbox")

NEW_YORK = "America/New_York"
DST = spring_forward(NEW_YORK, NEXT_YEAR)  # the second Sunday in March, 02:00 → 03:00
# The usual interview: 10:00 in New York on the Wednesday before daylight time
# starts, so still on standard time; and 10:00 on the Wednesday after.
BEFORE_DST = (DST.wall_clock - timedelta(days=4)).replace(hour=10, minute=0)
AFTER_DST = BEFORE_DST + timedelta(weeks=1)


def later(**delta) -> str:
    """The usual interview's start moved on by ``delta`` (timedelta's arguments), as typed."""
    return typed(BEFORE_DST + timedelta(**delta))


def schedule(client, auth, application_id, **overrides):
    data = {
        "csrf_token": auth.token(f"/pipeline/applications/{application_id}/interviews/new"),
        "company": "tempus",
        "starts_at": typed(BEFORE_DST),
        "timezone": NEW_YORK,
        "duration_minutes": "45",
        "kind": "video",
        "location": "https://meet.example/abc",
        "interviewers": "ana@tempus.example, Li@Tempus.example",
    }
    data.update(overrides)
    return client.post(f"/pipeline/applications/{application_id}/interviews", data=data)


def interview_id_from(response) -> int:
    return int(re.fullmatch(r"/interviews/(\d+)", response.headers["Location"]).group(1))


def parse_ics(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    return calendar, events[0]


def test_scheduling_stores_utc_keeps_the_zone_and_moves_the_stage(client, auth, signed_in, application, db_session, outbox):
    response = schedule(client, auth, application.id)
    assert response.status_code == 303
    interview = db_session.get(Interview, interview_id_from(response))
    assert interview.starts_at == utc(BEFORE_DST, DST.before)  # standard time, e.g. EST is UTC-5
    assert interview.ends_at == utc(BEFORE_DST + timedelta(minutes=45), DST.before)
    assert interview.timezone == NEW_YORK
    assert interview.company.slug == "tempus"
    assert interview.interviewer_emails == ["ana@tempus.example", "li@tempus.example"]
    assert interview.organizer_id == signed_in.id

    stored = db_session.get(Application, application.id)
    assert stored.stage == Stage.INTERVIEW
    change = db_session.scalars(select(StageChange).filter_by(application_id=application.id)).one()
    assert (change.from_stage, change.to_stage, change.actor_id) == (Stage.APPLIED, Stage.INTERVIEW, signed_in.id)
    assert "Interview scheduled with Tempus" in change.reason
    # The stage move is audited as every move is, beside the scheduling.
    assert sorted(db_session.scalars(select(AuditEvent.action)).all()) == ["interview.schedule", "stage.move"]

    [message] = outbox()
    assert message["To"] == application.email
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    calendar, event = parse_ics(attachment.get_content().encode() if isinstance(attachment.get_content(), str) else attachment.get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == utc(BEFORE_DST, DST.before)


def test_the_ics_file_per_contract(client, auth, signed_in, application, db_session):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    response = client.get(f"/interviews/{interview_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar, event = parse_ics(response.data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    interview = db_session.get(Interview, interview_id)
    assert str(event["UID"]) == interview.uid
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTART") == utc(BEFORE_DST, DST.before)
    assert event.decoded("DTEND") == utc(BEFORE_DST + timedelta(minutes=45), DST.before)
    assert str(event["SUMMARY"]) == "Interview: Healthcare AI Engineer with Tempus"
    assert str(event["LOCATION"]) == "https://meet.example/abc"
    assert str(event["URL"]) == "https://meet.example/abc"
    assert str(event["ORGANIZER"]) == "mailto:rita@propelgrad.example"
    attendees = [str(a) for a in event.get("ATTENDEE")]
    assert f"mailto:{application.email}" in attendees
    assert "mailto:ana@tempus.example" in attendees


def test_reschedule_raises_sequence_across_a_dst_change(client, auth, signed_in, application, db_session, outbox):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    token = auth.token(f"/interviews/{interview_id}")
    # New York moves to daylight time in between: 10:00 is then e.g. UTC-4.
    response = client.post(
        f"/interviews/{interview_id}/reschedule",
        data={"csrf_token": token, "starts_at": typed(AFTER_DST), "timezone": NEW_YORK, "duration_minutes": "60"},
    )
    assert response.status_code == 303
    _, event = parse_ics(client.get(f"/interviews/{interview_id}.ics").data)
    assert event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART") == utc(AFTER_DST, DST.after)
    assert event.decoded("DTEND") == utc(AFTER_DST + timedelta(hours=1), DST.after)
    uid_before = db_session.get(Interview, interview_id).uid
    assert str(event["UID"]) == uid_before
    assert len(outbox()) == 2
    assert "new time" in outbox()[1]["Subject"].lower()


def test_cancel_sends_method_cancel_and_frees_the_time(client, auth, signed_in, application, create_application, role, outbox):
    interview_id = interview_id_from(schedule(client, auth, application.id))
    token = auth.token(f"/interviews/{interview_id}")
    assert client.post(f"/interviews/{interview_id}/cancel", data={"csrf_token": token, "reason": ""}).status_code == 422
    assert client.post(f"/interviews/{interview_id}/cancel", data={"csrf_token": token, "reason": "Company paused hiring"}).status_code == 303
    calendar, event = parse_ics(client.get(f"/interviews/{interview_id}.ics").data)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1
    cancel_mail = outbox()[-1]
    assert [p.get_param("method") for p in cancel_mail.iter_attachments()] == ["CANCEL"]
    # The cancelled interview blocks nothing.
    other = create_application(role, "Ada Lovelace")
    assert schedule(client, auth, other.id).status_code == 303


def nine_on(month: int, day: int, zone: str) -> tuple[datetime, str, datetime]:
    """A case: 09:00 on that day of next year in ``zone``, and its UTC instant."""
    local = on(month, day, 9)
    return local, zone, in_utc(local, zone)


def first_occurrence(zone: str) -> tuple[datetime, str, datetime]:
    """A case: a time that happens twice when ``zone``'s clocks go back next year,
    and the UTC instant of its first occurrence (on the offset before the change)."""
    back = fall_back(zone, NEXT_YEAR)
    return back.during, zone, utc(back.during, back.before)


@pytest.mark.parametrize(
    ("local", "zone", "expected_utc"),
    [
        nine_on(1, 15, "Asia/Tokyo"),  # east of UTC
        nine_on(7, 1, "Asia/Kolkata"),
        nine_on(7, 1, "America/Los_Angeles"),  # west, summer
        nine_on(1, 4, "America/Los_Angeles"),  # west, winter
        # Clocks go back from 02:00 to 01:00 in New York: 01:30 happens twice.
        # The rule: the first occurrence, still on daylight time (e.g. UTC-4).
        first_occurrence(NEW_YORK),
        # Sydney goes back from 03:00 to 02:00: 02:30 twice, the first one on UTC+11.
        first_occurrence("Australia/Sydney"),
    ],
)
def test_zones_east_and_west_and_the_fall_back_rule(client, auth, signed_in, application, db_session, local, zone, expected_utc):
    response = schedule(client, auth, application.id, starts_at=typed(local), timezone=zone)
    assert response.status_code == 303
    interview = db_session.get(Interview, interview_id_from(response))
    assert interview.starts_at == expected_utc
    assert interview.timezone == zone


def test_ambiguous_times_are_flagged_and_shown_with_their_offset(client, auth, signed_in, application):
    back = fall_back(NEW_YORK, NEXT_YEAR)
    slot = resolve(back.during, NEW_YORK, 30)
    assert slot.ambiguous
    response = schedule(client, auth, application.id, starts_at=typed(back.during))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"({offset_label(back.before)})" in page


@pytest.mark.parametrize("zone", [NEW_YORK, "Europe/Berlin", "Australia/Sydney"])
def test_a_time_inside_a_dst_gap_is_refused(client, auth, signed_in, application, db_session, zone):
    skipped = spring_forward(zone, NEXT_YEAR).during  # e.g. 02:30 when the clocks jump from 02:00 to 03:00
    response = schedule(client, auth, application.id, starts_at=typed(skipped), timezone=zone)
    assert response.status_code == 422
    assert "does not exist in" in response.get_data(as_text=True)
    assert db_session.scalars(select(Interview)).all() == []
    with pytest.raises(InterviewError, match="daylight saving"):
        resolve(skipped, zone, 30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"company": "acme"}, "Not a valid choice"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"starts_at": "tomorrow at ten"}, "Not a valid datetime value"),
        ({"starts_at": typed(days_ago(1))}, "must start in the future"),
        ({"duration_minutes": "0"}, "Between 10 and 480 minutes"),
        ({"duration_minutes": "abc"}, "Not a valid integer value"),
        ({"kind": "carrier-pigeon"}, "Not a valid choice"),
        ({"interviewers": "ana@tempus.example, not-an-email"}, "is not a valid email address"),
        ({"location": "x" * 501}, "500 characters"),
    ],
)
def test_bad_input_is_422(client, auth, signed_in, application, db_session, overrides, message):
    response = schedule(client, auth, application.id, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalars(select(Interview)).all() == []
    assert db_session.get(Application, application.id).stage == Stage.APPLIED


def test_a_company_of_another_role_is_not_listed_for_this_one(client, auth, signed_in, create_role, create_application, db_session):
    other_role = create_role("plain-role", "Plain Role")  # lists no companies
    application = create_application(other_role, "Ada Lovelace")
    response = schedule(client, auth, application.id, company="tempus")
    assert response.status_code == 422
    assert db_session.scalars(select(Interview)).all() == []


@pytest.mark.parametrize("stage", [Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN])
def test_closed_applications_cannot_get_interviews(client, auth, signed_in, create_application, role, db_session, stage):
    application = create_application(role, "Closed Candidate", stage=stage)
    response = schedule(client, auth, application.id)
    assert response.status_code == 422
    assert "closed applications cannot get interviews" in response.get_data(as_text=True)
    assert db_session.scalars(select(Interview)).all() == []


def test_an_offer_stage_application_keeps_its_stage(client, auth, signed_in, create_application, role, db_session):
    application = create_application(role, "Offer Candidate", stage=Stage.OFFER)
    assert schedule(client, auth, application.id).status_code == 303
    assert db_session.get(Application, application.id).stage == Stage.OFFER


def test_overlaps_with_the_candidate_or_an_interviewer_are_409(client, auth, signed_in, application, create_application, role, db_session):
    first = interview_id_from(schedule(client, auth, application.id))
    # Same candidate, overlapping, other company and interviewers.
    same_candidate = schedule(client, auth, application.id, company="pathai", starts_at=later(minutes=30), interviewers="x@pathai.example")
    assert same_candidate.status_code == 409
    page = same_candidate.get_data(as_text=True)
    assert "clashes with 1 scheduled interview" in page
    assert f'href="/interviews/{first}"' in page
    # Another candidate, a shared interviewer (case-insensitive).
    other = create_application(role, "Ada Lovelace")
    shared = schedule(client, auth, other.id, starts_at=later(minutes=40), interviewers="ANA@tempus.example")
    assert shared.status_code == 409
    # Back to back is fine.
    assert schedule(client, auth, other.id, starts_at=later(minutes=45), interviewers="ana@tempus.example").status_code == 303
    assert len(db_session.scalars(select(Interview)).all()) == 2


def test_rescheduling_onto_a_clash_is_409_and_changes_nothing(client, auth, signed_in, application, create_application, role, db_session):
    first = interview_id_from(schedule(client, auth, application.id))
    other = create_application(role, "Ada Lovelace")
    next_day = BEFORE_DST + timedelta(days=1)
    second = interview_id_from(schedule(client, auth, other.id, starts_at=typed(next_day)))
    response = client.post(
        f"/interviews/{second}/reschedule",
        data={"csrf_token": auth.token(f"/interviews/{second}"), "starts_at": later(minutes=15), "timezone": NEW_YORK, "duration_minutes": "30"},
    )
    assert response.status_code == 409
    assert f'href="/interviews/{first}"' in response.get_data(as_text=True)
    interview = db_session.get(Interview, second)
    assert interview.sequence == 0 and interview.starts_at == utc(next_day, DST.before)


def test_interviews_list_filters_by_company_role_and_interviewer(client, auth, signed_in, application, create_application, role):
    schedule(client, auth, application.id)
    other = create_application(role, "Ada Lovelace")
    schedule(client, auth, other.id, company="pathai", starts_at=later(days=2), interviewers="bo@pathai.example")
    everything = client.get("/interviews/").get_data(as_text=True)
    assert "Grace Hopper" in everything and "Ada Lovelace" in everything
    tempus = client.get("/interviews/?company=tempus").get_data(as_text=True)
    assert "Grace Hopper" in tempus and "Ada Lovelace" not in tempus
    by_person = client.get("/interviews/?interviewer=BO@pathai.example").get_data(as_text=True)
    assert "Ada Lovelace" in by_person and "Grace Hopper" not in by_person
    assert "Grace Hopper" in client.get("/interviews/?role=healthcare-ai-engineer").get_data(as_text=True)


def test_the_candidate_status_page_lists_upcoming_interviews(app, client, auth, signed_in, application):
    schedule(client, auth, application.id)
    page = client.get(f"/applications/{status_token(app, application)}").get_data(as_text=True)
    assert "Tempus" in page
    assert f"{BEFORE_DST:%a %-d %b %Y, %H:%M}" in page  # e.g. Wed 10 Mar <year>, 10:00
    assert f"America/New York ({offset_label(DST.before)})" in page


def test_a_private_calendar_feed_per_recruiter(client, auth, signed_in, application, db_session):
    schedule(client, auth, application.id)
    assert client.post("/interviews/feed", data={"csrf_token": auth.token("/interviews/")}).status_code == 303
    page = client.get("/interviews/").get_data(as_text=True)
    url = re.search(r"<code>(http://localhost/calendar/[A-Za-z0-9_-]+\.ics)</code>", page).group(1)
    path = url.removeprefix("http://localhost")
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Interview: Healthcare AI Engineer with Tempus"]
    # Resetting makes the old address stop working.
    client.post("/interviews/feed", data={"csrf_token": auth.token("/interviews/")})
    assert client.get(path).status_code == 404
    assert client.get("/calendar/not-a-real-token-at-all-xx.ics").status_code == 404


def test_escaping_on_interview_pages(client, auth, signed_in, create_application, role):
    application = create_application(role, '<script>alert(1)</script>')
    response = schedule(client, auth, application.id, location='"><img src=x onerror=alert(1)>')
    assert response.status_code == 303
    pages = {"detail": client.get(response.headers["Location"]), "listing": client.get("/interviews/")}
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        # The interview is listed, its candidate's name shown as text...
        assert "Tempus" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, name
        # ...and nothing of what was typed runs.
        assert "<script>alert(1)" not in page, name
        assert "<img src=x" not in page, name
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages["detail"].get_data(as_text=True)


@pytest.mark.parametrize("location", ["Room 4\r\nX-Injected: yes", "https://meet.example/abc\nX", "Room\x00 4"])
def test_a_location_with_a_line_break_is_422_and_nothing_is_saved(client, auth, signed_in, application, db_session,
                                                                   outbox, location):
    response = schedule(client, auth, application.id, location=location)
    assert response.status_code == 422
    assert "Location or link must be one line of text" in response.get_data(as_text=True)
    assert db_session.scalars(select(Interview)).all() == []
    assert db_session.get(Application, application.id).stage == Stage.APPLIED
    assert outbox() == []


def test_a_tab_in_a_location_is_a_space(client, auth, signed_in, application, db_session, outbox):
    response = schedule(client, auth, application.id, location="Room\t4,  floor 2 ")
    assert response.status_code == 303
    assert db_session.get(Interview, interview_id_from(response)).location == "Room 4, floor 2"


def test_an_entry_that_cannot_be_written_leaves_the_rest_of_the_feed(app, client, auth, signed_in, application,
                                                                     db_session):
    first = interview_id_from(schedule(client, auth, application.id))
    second = interview_id_from(schedule(client, auth, application.id, company="pathai",
                                        starts_at=typed(BEFORE_DST + timedelta(days=1))))
    # Written before the rule existed, or straight into the database.
    db_session.get(Interview, first).location = "https://meet.example/abc\r\nX-Injected: yes"
    db_session.commit()
    assert client.post("/interviews/feed", data={"csrf_token": auth.token("/interviews/")}).status_code == 303
    with app.app_context():
        token = db_session.get(Interview, second).organizer.calendar_token
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [db_session.get(Interview, second).uid]


def test_interviewers_are_optional(client, auth, signed_in, application, db_session):
    response = schedule(client, auth, application.id, interviewers="")
    assert response.status_code == 303
    assert db_session.get(Interview, interview_id_from(response)).interviewer_emails == []


def test_the_dashboard_shows_interviews_of_the_next_24_hours(client, auth, signed_in, application, db_session):
    soon = (utcnow() + timedelta(hours=3)).astimezone(ZoneInfo("Asia/Tokyo"))
    later = soon + timedelta(days=3)
    assert schedule(client, auth, application.id, timezone="Asia/Tokyo", starts_at=soon.strftime("%Y-%m-%dT%H:%M")).status_code == 303
    assert schedule(client, auth, application.id, timezone="Asia/Tokyo", company="pathai", starts_at=later.strftime("%Y-%m-%dT%H:%M")).status_code == 303
    page = client.get("/pipeline/").get_data(as_text=True)
    section = page[page.index("Interviews in the next 24 hours"):page.index("Needs attention")]
    assert "Grace Hopper with Tempus" in section
    assert "PathAI" not in section


def test_zones_come_from_the_pinned_tzdata_package():
    import zoneinfo

    import tzdata

    import ats.timezones  # noqa: F401

    assert zoneinfo.TZPATH == ()
    assert "America/New_York" in zoneinfo.available_timezones()
    assert tzdata.IANA_VERSION == "2026f"  # tzdata==2026.6, as pinned


def test_a_calendar_file_that_cannot_be_built_is_refused_before_anything_is_saved(
        client, auth, signed_in, application, db_session, outbox, monkeypatch):
    def unwritable(interview):
        raise ValueError("cannot be written")

    monkeypatch.setattr("ats.operations.interviews.interview_ics", unwritable)
    response = schedule(client, auth, application.id)
    assert response.status_code == 422
    assert "cannot be written as a calendar file" in response.get_data(as_text=True)
    assert db_session.scalars(select(Interview)).all() == []
    assert db_session.get(Application, application.id).stage == Stage.APPLIED
    assert outbox() == []
