"""Self-scheduling: the recruiter offers times, the candidate books one in their own zone."""
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ats.models import Application, Interview, InterviewOffer, OfferStatus, Stage, tokens
from tests.dates import NEXT_YEAR, days_ago, in_utc, on, slot_label, spring_forward, typed
from tests.fixtures.factories import offer_key, status_token
from tests.fixtures.staff import csrf_token_from

pytestmark = pytest.mark.usefixtures("seeded", "outbox")
UTC = timezone.utc

NEW_YORK = "America/New_York"
# The times the offer lists, in New York: two on one day, one the next morning;
# the offer expires the evening before.
FIRST, SECOND, THIRD = on(2, 10, 10), on(2, 10, 14), on(2, 11, 9, 30)
EXPIRES = on(2, 9, 17)


def offer(client, auth, application_id, **overrides):
    data = {
        "csrf_token": auth.token(f"/pipeline/applications/{application_id}/offers/new"),
        "company": "tempus",
        "kind": "video",
        "duration_minutes": "45",
        "location": "https://meet.example/xyz",
        "interviewers": "ana@tempus.example",
        "timezone": NEW_YORK,
        "slots": f"{typed(FIRST, ' ')}\n{typed(SECOND, ' ')}\n{typed(THIRD)}",  # either way of writing a time
        "expires_at": typed(EXPIRES),
    }
    data.update(overrides)
    return client.post(f"/pipeline/applications/{application_id}/offers", data=data)


def offer_token(outbox) -> str:
    return re.search(r"/interview-offers/([A-Za-z0-9_-]{40,})", outbox()[-1].get_content()).group(1)


def book(client, token, slot_id):
    page = client.get(f"/interview-offers/{token}").get_data(as_text=True)
    return client.post(f"/interview-offers/{token}/book", data={"csrf_token": csrf_token_from(page), "slot": str(slot_id)})


def slot_ids(db_session, token) -> list[int]:
    found = db_session.scalars(select(InterviewOffer).filter_by(digest=tokens.digest(token))).one()
    return [slot.id for slot in found.slots]


def test_an_offer_is_stored_and_mailed(app, client, auth, signed_in, create_application, role, db_session, outbox):
    application = create_application(role, "Grace Hopper")
    response = offer(client, auth, application.id)
    assert response.status_code == 303
    assert re.fullmatch(r"/interviews/offers/\d+", response.headers["Location"])
    stored = db_session.scalars(select(InterviewOffer)).one()
    assert [s.starts_at for s in stored.slots] == [in_utc(time, NEW_YORK) for time in (FIRST, SECOND, THIRD)]
    assert stored.expires_at == in_utc(EXPIRES, NEW_YORK)
    assert stored.interviewers == ["ana@tempus.example"]
    message = outbox()[-1]
    assert message["To"] == application.email
    assert offer_token(outbox) == offer_key(app, stored)
    # The candidate's status page links to it.
    status = client.get(f"/applications/{status_token(app, application)}").get_data(as_text=True)
    assert f"/interview-offers/{offer_key(app, stored)}" in status


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slots": "next tuesday"}, "write times as YYYY-MM-DD HH:MM"),
        ({"slots": ""}, "Enter at least one time."),
        ({"slots": typed(spring_forward(NEW_YORK, NEXT_YEAR).during, " ")}, "does not exist in America/New_York"),
        ({"slots": typed(days_ago(1), " ")}, "must be in the future"),
        ({"slots": f"{typed(FIRST, ' ')}\n{typed(FIRST, ' ')}"}, "offered twice"),
        ({"expires_at": typed(THIRD + timedelta(days=1))}, "before the last offered time"),
        ({"company": "acme"}, "Not a valid choice"),
    ],
)
def test_bad_offers_are_422(client, auth, signed_in, create_application, role, db_session, outbox, overrides, message):
    application = create_application(role, "Grace Hopper")
    response = offer(client, auth, application.id, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalars(select(InterviewOffer)).all() == []
    assert outbox() == []


def test_the_candidate_sees_the_times_in_their_own_zone(client, auth, signed_in, create_application, role, outbox):
    application = create_application(role, "Grace Hopper")
    offer(client, auth, application.id)
    token = offer_token(outbox)
    tokyo = client.get(f"/interview-offers/{token}?tz=Asia/Tokyo")
    assert tokyo.status_code == 200
    page = tokyo.get_data(as_text=True)
    assert slot_label(in_utc(FIRST, NEW_YORK), 45, "Asia/Tokyo") in page
    assert tokyo.headers["Referrer-Policy"] == "no-referrer"
    # An unknown zone falls back to the recruiter's.
    assert slot_label(in_utc(FIRST, NEW_YORK), 45, NEW_YORK) in client.get(f"/interview-offers/{token}?tz=Nowhere/City").get_data(as_text=True)
    assert client.get("/interview-offers/" + "x" * 43).status_code == 404


def test_booking_makes_the_interview_and_closes_the_offer(app, client, auth, signed_in, create_application, role, db_session, outbox):
    application = create_application(role, "Grace Hopper")
    offer(client, auth, application.id)
    token = offer_token(outbox)
    first, second, _ = slot_ids(db_session, token)
    response = book(client, token, second)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/applications/{status_token(app, application)}"
    interview = db_session.scalars(select(Interview)).one()
    assert interview.starts_at == in_utc(SECOND, NEW_YORK)
    assert interview.interviewer_emails == ["ana@tempus.example"]
    assert interview.organizer_id == signed_in.id
    stored = db_session.scalars(select(InterviewOffer)).one()
    assert stored.status == OfferStatus.BOOKED and stored.interview_id == interview.id
    assert db_session.get(Application, application.id).stage == Stage.INTERVIEW
    assert [p.get_param("method") for p in outbox()[-1].iter_attachments()] == ["REQUEST"]
    assert "Tempus" in client.get(f"/applications/{status_token(app, application)}").get_data(as_text=True)
    # A second booking on the same offer is refused.
    assert book(client, token, first).status_code == 410


def test_a_time_taken_meanwhile_gets_a_clear_message_and_the_rest(client, auth, signed_in, create_application, role, db_session, outbox):
    grace = create_application(role, "Grace Hopper")
    offer(client, auth, grace.id)
    grace_token = offer_token(outbox)
    ada = create_application(role, "Ada Lovelace")
    offer(client, auth, ada.id)  # the same interviewer, the same times
    ada_token = offer_token(outbox)

    assert book(client, grace_token, slot_ids(db_session, grace_token)[0]).status_code == 303

    page = client.get(f"/interview-offers/{ada_token}").get_data(as_text=True)
    assert "10:00–10:45" not in page and "14:00–14:45" in page
    taken = book(client, ada_token, slot_ids(db_session, ada_token)[0])
    assert taken.status_code == 409
    body = taken.get_data(as_text=True)
    assert "that time was just taken" in body
    assert "14:00–14:45" in body
    assert len(db_session.scalars(select(Interview)).all()) == 1


def test_an_expired_offer_cannot_be_booked(client, auth, signed_in, create_application, role, db_session, outbox):
    application = create_application(role, "Grace Hopper")
    offer(client, auth, application.id)
    token = offer_token(outbox)
    stored = db_session.scalars(select(InterviewOffer)).one()
    stored.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.commit()
    assert "has expired" in client.get(f"/interview-offers/{token}").get_data(as_text=True)
    assert book(client, token, slot_ids(db_session, token)[0]).status_code == 410
    assert db_session.scalars(select(Interview)).all() == []


def test_two_candidates_booking_one_interviewers_time_at_once(app, client, auth, signed_in, create_application, role, db_session, outbox):
    tokens = []
    for name in ("Grace Hopper", "Ada Lovelace", "Mary Jackson", "Dorothy Vaughan"):
        offer(client, auth, create_application(role, name).id, slots=typed(FIRST, " "))
        tokens.append(offer_token(outbox))
    clients = [app.test_client() for _ in tokens]
    forms = [
        {"csrf_token": csrf_token_from(c.get(f"/interview-offers/{t}").get_data(as_text=True)), "slot": str(slot_ids(db_session, t)[0])}
        for c, t in zip(clients, tokens)
    ]
    barrier = threading.Barrier(len(tokens))
    statuses = [None] * len(tokens)

    def attempt(i):
        barrier.wait()
        statuses[i] = clients[i].post(f"/interview-offers/{tokens[i]}/book", data=forms[i]).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [303, 409, 409, 409]
    assert len(db_session.scalars(select(Interview)).all()) == 1
