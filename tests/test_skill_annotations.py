"""Skill-match annotations on an application's staff page (issue 4, "One
application"): levels and notes saved and audited, the score, and the form's
422 answers."""
import re

import pytest
from sqlalchemy import func, select

from ats.models import SkillAnnotation, SkillLevel
from tests.applications import ada, audit_events, current, location, page_url, post_skills, post_stage, token_for
from tests.pages import text_of


def test_annotating_saves_levels_and_notes_and_scores_without_raising_the_version(
        client, signed_in, create_application, role, db_session, skills):
    application_id = create_application(role, **ada()).id
    assert len(skills) == 8
    levels = ["strong", "strong", "strong", "partial", "partial", "none", "unknown", "unknown"]
    fields = {f"skill-{slug}": level for slug, level in zip(skills, levels)}
    fields[f"note-{skills[0]}"] = "Two imaging papers.\nOne on CT."
    token = token_for(client, application_id)
    response = client.post(f"{page_url(application_id)}/skills", data={"csrf_token": token, **fields})
    assert response.status_code == 303
    assert location(response) == page_url(application_id)

    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (3, 2, 6)
    assert application.skill_score(8) == 50.0
    assert application.version == 1  # annotating never makes a stage form stale
    annotations = {a.skill.slug: a for a in db_session.scalars(select(SkillAnnotation))}
    # "Not assessed" with no note is what no annotation means: nothing is stored for it.
    assert {slug: a.level.value for slug, a in annotations.items()} == dict(zip(skills[:6], levels[:6]))
    assert annotations[skills[0]].note == "Two imaging papers.\nOne on CT."
    assert {a.updated_by for a in annotations.values()} == {signed_in.id}

    [event_] = audit_events(db_session, "skills.annotate")
    assert event_.actor_id == signed_in.id
    assert event_.detail["skills"][skills[0]] == {"before": "unknown", "after": "strong", "note_changed": True}
    assert event_.detail["skills"][skills[3]] == {"before": "unknown", "after": "partial"}
    # "unknown" to "unknown" with no note is no change.
    assert set(event_.detail["skills"]) == set(skills[:6])

    body = client.get(page_url(application_id)).get_data(as_text=True)
    text = text_of(body)
    assert '<span class="score__number">50.0</span>' in body
    assert "3 strong, 2 partial, 6 of 8 skills assessed" in text
    assert f'id="skill-{skills[0]}-strong" name="skill-{skills[0]}" value="strong" checked' in body
    assert "Two imaging papers.\nOne on CT.</textarea>" in body
    assert "Saved: Strong · Rita Recruiter" in text

    # The stage form from before annotating still works: the version did not move.
    assert post_stage(client, application_id, "screening", version=1, token=token).status_code == 303


def test_a_second_annotation_updates_and_audits_only_what_changed(client, signed_in, create_application, role,
                                                                  db_session, skills):
    application_id = create_application(role, **ada()).id
    first, second = skills[0], skills[1]
    assert post_skills(client, application_id, **{f"skill_{first}": "strong", f"note_{first}": "Kept",
                                                 f"skill_{second}": "partial"}).status_code == 303
    # Only the second skill's level is sent now; the first stays as it was.
    assert post_skills(client, application_id, **{f"skill_{second}": "strong"}).status_code == 303
    annotations = {a.skill.slug: a for a in db_session.scalars(select(SkillAnnotation))}
    assert len(annotations) == 2
    assert (annotations[first].level, annotations[first].note) == (SkillLevel.STRONG, "Kept")
    assert annotations[second].level is SkillLevel.STRONG
    events = audit_events(db_session, "skills.annotate")
    assert len(events) == 2
    assert events[1].detail == {"skills": {second: {"before": "partial", "after": "strong"}}}
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (2, 0, 2)
    assert application.skill_score(8) == 25.0

    # Back to "not assessed": no longer counted.
    assert post_skills(client, application_id, **{f"skill_{first}": "unknown",
                                                 f"skill_{second}": "unknown"}).status_code == 303
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_assessed) == (0, 0)
    assert "Not scored yet" in text_of(client.get(page_url(application_id)).get_data(as_text=True))


def test_the_score_shows_one_decimal(client, signed_in, create_application, role, skills):
    application_id = create_application(role, **ada()).id
    fields = {f"skill_{slug}": "strong" for slug in skills[:5]}
    fields.update({f"skill_{slug}": "none" for slug in skills[5:]})
    assert post_skills(client, application_id, **fields).status_code == 303
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert '<span class="score__number">62.5</span>' in body
    assert "Skill match: 62.5 of 100" in text_of(body)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("skill", "excellent", "Choose Strong, Partial, None or Not assessed."),
    ("skill", "", "Choose Strong, Partial, None or Not assessed."),
    ("note", "x" * 2_001, "Keep the note to 2,000 characters"),
])
def test_a_bad_level_or_a_long_note_is_422_and_saves_nothing(client, signed_in, create_application, role,
                                                             db_session, skills, field, value, message):
    application_id = create_application(role, **ada()).id
    other = skills[1]
    name = f"{field}-{skills[0]}"
    token = token_for(client, application_id)
    response = client.post(f"{page_url(application_id)}/skills",
                           data={"csrf_token": token, name: value, f"skill-{other}": "strong",
                                 f"note-{other}": "Kept on the form"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(body)
    assert f'id="{name}-error"' in body
    if field == "skill":
        assert re.search(rf'<fieldset class="skill-row field--invalid" aria-describedby="{name}-error">', body)
    else:
        assert f'aria-invalid="true" aria-describedby="{name}-error"' in body
    assert 'id="error-summary"' in body
    # What was sent is shown again.
    assert f'id="skill-{other}-strong" name="skill-{other}" value="strong" checked' in body
    assert "Kept on the form</textarea>" in body
    assert db_session.scalar(select(func.count()).select_from(SkillAnnotation)) == 0
    assert audit_events(db_session, "skills.annotate") == []
    assert current(db_session, application_id).skills_strong == 0


def test_a_resent_unchanged_form_writes_nothing(client, signed_in, create_application, role, db_session, skills):
    application_id = create_application(role, **ada()).id
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong"}).status_code == 303
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong"}).status_code == 303
    assert len(audit_events(db_session, "skills.annotate")) == 1


def test_retired_skills_are_not_offered_or_counted(client, signed_in, create_application, db_session, skills, role):
    application_id = create_application(role, **ada()).id
    assert post_skills(client, application_id, **{f"skill_{skills[0]}": "strong",
                                                 f"skill_{skills[1]}": "strong"}).status_code == 303
    retired = db_session.scalars(select(type(role.skills[0])).filter_by(slug=skills[0])).one()
    retired.retired = True
    db_session.commit()
    assert post_skills(client, application_id, **{f"skill_{skills[2]}": "partial",
                                                 f"skill_{skills[0]}": "none"}).status_code == 303
    application = current(db_session, application_id)
    assert (application.skills_strong, application.skills_partial, application.skills_assessed) == (1, 1, 2)
    body = client.get(page_url(application_id)).get_data(as_text=True)
    assert f'name="skill-{skills[0]}"' not in body
    assert '<span class="score__number">21.4</span>' in body  # (1 + ½) of 7 skills
