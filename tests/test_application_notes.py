"""Notes on an application's staff page (issue 4, "One application"): saved,
audited and shown newest first; empty or long ones refused."""
import re

import pytest
from sqlalchemy import func, select

from ats.models import ApplicationNote
from tests.applications import ada, audit_events, location, page_url, post_note
from tests.pages import text_of


def test_notes_are_saved_audited_and_shown_newest_first(client, signed_in, create_application, role, db_session):
    application_id = create_application(role, **ada()).id
    assert post_note(client, application_id, "First call went well.\nFollow up on FHIR work.").status_code == 303
    response = post_note(client, application_id, "Second note")
    assert response.status_code == 303
    assert location(response) == page_url(application_id)
    notes = db_session.scalars(select(ApplicationNote).order_by(ApplicationNote.id)).all()
    assert [n.body for n in notes] == ["First call went well.\nFollow up on FHIR work.", "Second note"]
    assert {n.author_id for n in notes} == {signed_in.id}
    events = audit_events(db_session, "note.add")
    assert [e.detail["note_id"] for e in events] == [n.id for n in notes]

    body = client.get(page_url(application_id)).get_data(as_text=True)
    listed = re.search(r'<ul class="notes">(.*?)</ul>', body, re.S).group(1)
    assert listed.index("Second note") < listed.index("First call went well.")
    assert "First call went well.<br>Follow up on FHIR work." in listed
    assert "Rita Recruiter" in text_of(listed) and "<time datetime=" in listed
    assert "Note added." in text_of(body)


@pytest.mark.parametrize(("note", "message"), [
    ("", "Write the note before saving it."),
    ("  \n ", "Write the note before saving it."),
    ("x" * 10_001, "Keep the note to 10,000 characters."),
])
def test_an_empty_or_long_note_is_422_and_saves_nothing(client, signed_in, create_application, role, db_session,
                                                       note, message):
    application_id = create_application(role, **ada()).id
    response = post_note(client, application_id, note)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(body)
    assert re.search(r'<textarea[^>]*aria-describedby="note-body-hint note-body-error"', body)
    assert db_session.scalar(select(func.count()).select_from(ApplicationNote)) == 0
    assert audit_events(db_session, "note.add") == []


def test_a_note_of_exactly_ten_thousand_characters_is_accepted(client, signed_in, create_application, role):
    application_id = create_application(role, **ada()).id
    assert post_note(client, application_id, "y" * 10_000).status_code == 303
