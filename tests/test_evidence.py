"""The evidence on the application page (issue 16, "Evidence on the
application page"): the interviewers' levels beside the recruiter's, skill by
skill, agreement and the two-step flag, the evidence scores, the
recommendations; worked out by hand on small cases, read in a fixed number of
queries, and shown under blind review as skill notes are."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from ats.extensions import db
from ats.models import Application, Recommendation, Role, SkillAnnotation, SkillLevel, utcnow
from ats.queries.scorecards import AGREE, APART, DISAGREE, erased_snapshot, load_evidence, snapshot
from tests.applications import ada, page_url
from tests.pages import recorded_statements, selects, table_rows, text_of
from tests.scorecard_factories import add_company, add_interview, add_scorecard

pytestmark = pytest.mark.usefixtures("seeded")

S, P, N, U = "strong", "partial", "none", "unknown"
CAPTION = "Each skill: the recruiter’s level and the interviewers"


def annotate(db_session, application, levels: dict[str, str], notes: dict[str, str] | None = None):
    """The recruiter's levels as the annotation service leaves them: a row per
    skill and the counts on the application."""
    skills = {skill.slug: skill for skill in application.role.active_skills}
    notes = notes or {}
    for slug, level in levels.items():
        db_session.add(SkillAnnotation(application_id=application.id, skill_id=skills[slug].id,
                                       level=SkillLevel(level), note=notes.get(slug, "")))
    given = [level for level in levels.values() if level != U]
    table = Application.__table__
    db_session.execute(update(table).where(table.c.id == application.id).values(
        skills_strong=given.count(S), skills_partial=given.count(P), skills_assessed=len(given)))
    db_session.commit()


@pytest.fixture
def case(db_session, create_application, role, skills):
    """The hand-worked case. Eight skills s0…s7; the recruiter, and the
    interviewers a and b (Acme) and c (Beta) who submitted; e (Beta) who did
    not; d, whose interview was cancelled after they submitted.

    skill  recruiter  a  b  c      agreement   score
    s0     S          S  S  S      agree       1      → 100.0
    s1     S          N  P  U      disagree    ¼      → 25.0
    s2     U          P  P  -      agree       ½      → 50.0
    s3     P          S  -  -      apart       1      → 100.0
    s4     N          -  -  -      (one level) None
    s5     U          U  U  -      (none)      None
    s6     N          P  N  N      apart       1/6    → 16.7
    s7     N          -  -  -      (d's strong does not count) None

    overall: 100 × (1 + ¼ + ½ + 1 + 1/6) / 8 = 36.458… → 36.5
    recruiter: strong 2, partial 1 of 8 → 31.2 (the skill match)
    """
    s = skills
    application = create_application(role, **ada())
    annotate(db_session, application, {s[0]: S, s[1]: S, s[2]: U, s[3]: P, s[4]: N, s[5]: U, s[6]: N, s[7]: N},
             notes={s[1]: "Recruiter: strong NLP on paper"})
    acme, beta = add_company(db_session, "Acme Health"), add_company(db_session, "Beta Clinic")
    first = add_interview(db_session, application, acme, ends_at=utcnow() - timedelta(days=2),
                          interviewers=["a@acme.example", "b@acme.example"])
    second = add_interview(db_session, application, beta, ends_at=utcnow() - timedelta(days=1),
                           interviewers=["c@beta.example", "e@beta.example"])
    cancelled = add_interview(db_session, application, beta, ends_at=utcnow() - timedelta(days=3),
                              interviewers=["d@beta.example"], cancelled=True)
    add_scorecard(db_session, first, "a@acme.example",
                  {s[0]: S, s[1]: (N, "Could not explain tokenisation"), s[2]: P, s[3]: S, s[5]: U, s[6]: P},
                  recommendation=Recommendation.YES, summary="Good on the clinical side.")
    add_scorecard(db_session, first, "b@acme.example", {s[0]: S, s[1]: P, s[2]: P, s[5]: U, s[6]: N},
                  recommendation=Recommendation.NO, summary="Not enough depth.")
    add_scorecard(db_session, second, "c@beta.example", {s[0]: S, s[1]: U, s[6]: N},
                  recommendation=Recommendation.STRONG_YES, summary="Hire.")
    add_scorecard(db_session, second, "e@beta.example", submitted=False)
    add_scorecard(db_session, cancelled, "d@beta.example", {s[1]: S, s[7]: S, s[4]: S},
                  recommendation=Recommendation.STRONG_NO)
    return application


def evidence_of(app_session, application_id):
    return load_evidence(app_session.get(Application, application_id))


def test_the_hand_worked_case(app_session, case, skills):
    evidence = evidence_of(app_session, case.id)
    assert [card.interviewer for card in evidence.cards] == ["a@acme.example", "b@acme.example", "c@beta.example"]
    assert [card.company for card in evidence.cards] == ["Acme Health", "Acme Health", "Beta Clinic"]
    assert (evidence.submitted, evidence.expected) == (3, 4)
    rows = {row.skill.slug: row for row in evidence.skills}
    assert [rows[s].agreement for s in skills] == [AGREE, DISAGREE, AGREE, APART, None, None, APART, None]
    assert [rows[s].score_100 for s in skills] == [100.0, 25.0, 50.0, 100.0, None, None, 16.7, None]
    assert evidence.score == 36.5
    assert evidence.recruiter_score == 31.2
    assert [row.skill.slug for row in evidence.disagreements] == [skills[1]]
    assert rows[skills[1]].recruiter.note == "Recruiter: strong NLP on paper"
    assert [rating.note for _, rating in rows[skills[1]].interviewers] == ["Could not explain tokenisation", "", ""]
    assert evidence.recommendations == {Recommendation.YES: 1, Recommendation.NO: 1, Recommendation.STRONG_YES: 1}


def test_unknown_levels_are_left_out_of_agreement_and_score(app_session, db_session, create_application, role,
                                                           skills):
    application = create_application(role, **ada())
    annotate(db_session, application, {skills[0]: U})
    interview = add_interview(db_session, application, add_company(db_session),
                              interviewers=["a@x.example", "b@x.example"])
    add_scorecard(db_session, interview, "a@x.example", {skills[0]: N, skills[1]: U})
    add_scorecard(db_session, interview, "b@x.example", {skills[0]: U, skills[1]: U})
    evidence = evidence_of(app_session, application.id)
    first, second = evidence.skills[0], evidence.skills[1]
    # One given level: nothing to compare, and the score of none is 0, not "not rated".
    assert first.agreement is None and first.score_100 == 0.0
    assert second.agreement is None and second.score is None
    # A score of 0 on one skill is still a score: 0.0 overall, not None.
    assert evidence.score == 0.0
    assert evidence.recruiter_score is None


@pytest.mark.parametrize(("levels", "expected"), [
    ([S, N], DISAGREE), ([N, S, S], DISAGREE), ([S, P, N], DISAGREE), ([S, P], APART), ([P, N], APART),
    ([P, P, P], AGREE), ([N, N], AGREE), ([S, U, U], None), ([U, U], None),
])
def test_agreement_on_the_steps(app_session, db_session, create_application, role, skills, levels, expected):
    """The first level is the recruiter's, the rest interviewers'."""
    application = create_application(role, **ada())
    annotate(db_session, application, {skills[0]: levels[0]})
    emails = [f"i{number}@x.example" for number in range(len(levels) - 1)]
    interview = add_interview(db_session, application, add_company(db_session), interviewers=emails)
    for email, level in zip(emails, levels[1:]):
        add_scorecard(db_session, interview, email, {skills[0]: level})
    assert evidence_of(app_session, application.id).skills[0].agreement == expected


def test_nothing_rated_is_none_and_only_submitted_scorecards_of_held_interviews_count(
        app_session, db_session, create_application, role, skills):
    application = create_application(role, **ada())
    company = add_company(db_session)
    ended = add_interview(db_session, application, company, interviewers=["a@x.example", "b@x.example"])
    coming = add_interview(db_session, application, company, ends_at=utcnow() + timedelta(days=2),
                           interviewers=["c@x.example"])
    cancelled = add_interview(db_session, application, company, cancelled=True, interviewers=["d@x.example"])
    add_scorecard(db_session, ended, "a@x.example", submitted=False)
    add_scorecard(db_session, cancelled, "d@x.example", {skills[0]: S})
    evidence = evidence_of(app_session, application.id)
    assert evidence.cards == [] and evidence.score is None
    # Expected: the interviewers of the interview that has ended and was not cancelled.
    assert (evidence.submitted, evidence.expected) == (0, 2)
    assert coming.id  # still to come: no scorecard expected yet


def test_the_snapshot_is_plain_json_and_erasure_keeps_no_text(app_session, case, skills):
    kept = snapshot(evidence_of(app_session, case.id))
    assert kept["score"] == 36.5 and kept["recruiter_score"] == 31.2
    assert (kept["submitted"], kept["expected"]) == (3, 4)
    assert [(c["interviewer"], c["company"], c["recommendation"], c["version"]) for c in kept["scorecards"]] == [
        ("a@acme.example", "Acme Health", "yes", 1), ("b@acme.example", "Acme Health", "no", 1),
        ("c@beta.example", "Beta Clinic", "strong_yes", 1)]
    assert kept["skills"][1] == {"slug": skills[1], "name": kept["skills"][1]["name"], "recruiter": "strong",
                                 "levels": ["none", "partial", "unknown"], "score": 25.0, "agreement": "disagree"}
    assert json.loads(json.dumps(kept)) == kept
    erased = erased_snapshot(kept)
    assert [c["interviewer"] for c in erased["scorecards"]] == ["", "", ""]
    assert erased["skills"] == kept["skills"] and erased["score"] == 36.5


# --- The page -----------------------------------------------------------------


def test_the_page_shows_the_evidence_side_by_side(client, signed_in, case, skills):
    body = client.get(page_url(case.id)).get_data(as_text=True)
    section = re.search(r'<section[^>]*evidence-panel.*?</section>', body, re.S).group(0)
    text = text_of(section)
    assert "Evidence score (interviewers) 36.5 of 100" in text
    assert "Skill match (recruiter) 31.2 of 100" in text
    assert "3 of 4 interviewers have submitted" in text
    rows = table_rows(body, CAPTION)
    header = rows[0]
    assert header[:2] == ["Skill", "Recruiter"] and header[-2:] == ["Agreement", "Evidence score"]
    assert header[2].startswith("a@acme.example Acme Health,") and header[4].startswith("c@beta.example Beta Clinic")
    assert all("d@beta.example" not in cell and "e@beta.example" not in cell for cell in header)
    first, second = rows[1], rows[2]
    assert first[1:] == ["Strong", "Strong", "Strong", "Strong", "✓ Agree", "100.0"]
    # The disagreement in words, not colour alone, with the notes beside the levels.
    assert second[1:] == ["Strong Recruiter: strong NLP on paper", "None Could not explain tokenisation",
                          "Partial", "Not assessed", "⚠ Disagree: two steps apart", "25.0"]
    assert rows[5][-2:] == ["Too few ratings to compare", "—"]
    assert rows[-1] == ["Overall", "Skill match 31.2", "Yes", "No", "Strong yes", "1 flagged", "36.5"]
    assert re.search(r"Ratings disagree on 1 skill: [^.]+\. Strong stands against none", text)
    # Accessible headers: columns and rows scoped.
    table = re.search(r'<table class="staff-table evidence-table">.*?</table>', body, re.S).group(0)
    assert table.count('scope="col"') == 7 and table.count('scope="row"') == 9
    # The recommendations with their summaries.
    assert "Recommendations" in text
    for words in ["Yes · a@acme.example · Acme Health", "Good on the clinical side.", "No · b@acme.example",
                  "Not enough depth.", "Strong yes · c@beta.example", "Hire."]:
        assert words in text, words


def test_the_empty_state_says_how_many_have_submitted(client, signed_in, db_session, create_application, role):
    application = create_application(role, **ada())
    text = text_of(client.get(page_url(application.id)).get_data(as_text=True))
    assert "No scorecards yet: no interview of this application has ended." in text
    interview = add_interview(db_session, application, add_company(db_session),
                              interviewers=["a@x.example", "b@x.example", "c@x.example"])
    add_scorecard(db_session, interview, "a@x.example", submitted=False)
    text = text_of(client.get(page_url(application.id)).get_data(as_text=True))
    assert "No scorecards yet: 0 of 3 interviewers have submitted." in text
    assert "Evidence score (interviewers) None yet" in text


def test_blind_review_shows_the_evidence_and_hides_who_applied(client, signed_in, db_session, create_application,
                                                               role, skills):
    application = create_application(role, **ada(name="Ada Lovelace"))
    db_session.execute(update(Role).where(Role.id == role.id).values(blind_review=True))
    db_session.commit()
    interview = add_interview(db_session, application, add_company(db_session, "Acme Health"),
                              interviewers=["ines@acme.example"])
    add_scorecard(db_session, interview, "ines@acme.example",
                  {skills[0]: (S, "Ada walked us through her NER pipeline")}, summary="Lovelace is strong.")
    response = client.get(page_url(application.id))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(rf"<h1[^>]*>Candidate #{application.id}</h1>", body)
    text = text_of(body)
    # The interviewer's address is not the candidate's identity; the notes
    # are staff judgements, shown as the recruiter's own skill notes are.
    assert "ines@acme.example" in text
    assert "Ada walked us through her NER pipeline" in text and "Lovelace is strong." in text
    assert "ada.lovelace" not in text and "+44 20 7946 0000" not in text


def test_the_evidence_is_escaped(client, signed_in, db_session, create_application, role, skills):
    payload = "<script>alert(1)</script>"
    application = create_application(role, **ada())
    interview = add_interview(db_session, application, add_company(db_session, f"Acme {payload}"),
                              interviewers=["a@x.example"])
    add_scorecard(db_session, interview, "a@x.example", {skills[0]: (S, payload)}, summary=payload)
    body = client.get(page_url(application.id)).get_data(as_text=True)
    assert payload not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_number_of_queries_does_not_grow_with_the_scorecards(app, client, signed_in, db_session,
                                                                 create_application, role, skills):
    one = create_application(role, **ada(email="one@example.org"))
    interview = add_interview(db_session, one, add_company(db_session), interviewers=["a@x.example"])
    add_scorecard(db_session, interview, "a@x.example", {skills[0]: S})
    many = create_application(role, **ada(email="many@example.org"))
    for number in range(4):
        emails = [f"i{number}-{k}@x.example" for k in range(3)]
        interview = add_interview(db_session, many, add_company(db_session),
                                  ends_at=utcnow() - timedelta(days=number + 1), interviewers=emails)
        for email in emails:
            add_scorecard(db_session, interview, email, {slug: P for slug in skills}, versions=2)
    with app.app_context():
        engine = db.engine
    counts = []
    for application in (one, many):
        with recorded_statements(engine) as statements:
            assert client.get(page_url(application.id)).status_code == 200
        counts.append(selects(statements))
    assert counts[0] == counts[1], counts
    # The page's ten, the interviewers of its interviews, and the scorecards with their ratings.
    assert counts[1] <= 12, counts


def test_erasure_blanks_the_interviewers_notes_and_summaries(app, client, signed_in, case, db_session):
    from sqlalchemy import select

    from ats.models import Scorecard, ScorecardRating, ScorecardVersion
    from ats.operations.erasure import erase_candidate

    with app.app_context():
        erase_candidate(case.candidate_id, None, "admin")
    db_session.expire_all()
    assert {rating.note for rating in db_session.scalars(select(ScorecardRating))} == {""}
    assert {card.summary for card in db_session.scalars(select(Scorecard))} == {""}
    versions = db_session.scalars(select(ScorecardVersion)).all()
    assert {version.summary for version in versions} == {""}
    assert {rating["note"] for version in versions for rating in version.ratings.values()} == {""}
    # The levels and recommendations stay: the evidence is still there, anonymous.
    text = text_of(client.get(page_url(case.id)).get_data(as_text=True))
    assert "Evidence score (interviewers) 36.5 of 100" in text
    for words in ["Could not explain tokenisation", "Good on the clinical side.", "Recruiter: strong NLP"]:
        assert words not in text
