"""The reports' scorecard figures (issue 16): per company, scorecards back and
the median time to feedback; per interviewer, how often the recommendation
matched the decision. On a small data set worked out by hand, on SQLite and
PostgreSQL alike; for managers and admins only."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.extensions import db
from ats.models import Recommendation, Role, Stage, utcnow
from ats.queries.filters import Filters, RoleRef
from ats.queries.scorecard_reports import build
from tests.pages import recorded_statements, table_rows
from tests.scorecard_factories import add_company, add_interview, add_scorecard

pytestmark = pytest.mark.usefixtures("seeded")

YES, NO, STRONG_YES, STRONG_NO = (Recommendation.YES, Recommendation.NO, Recommendation.STRONG_YES,
                                  Recommendation.STRONG_NO)
HOUR = timedelta(hours=1)


@pytest.fixture
def signed_in_as(manager):
    return manager


@pytest.fixture
def data(db_session, create_application, role, second_role):
    """Companies and interviewers, worked out by hand:

    Acme: interviews 1 (app1: a +2h, b +6h) and 2 (app2: a +4h) ended;
          3 (app3) cancelled, c submitted; 4 (app4) still to come.
          → 2 ended, 3 expected, 3 submitted, 100.0 %, median 4.0 h
    Beta: interview 5 (app1: c +1h, d +3h, e never) and one of app3 (f +1h)
          → 2 ended, 4 expected, 3 submitted, 75.0 %, median 1.0 h
    Gamma: interviews 6, 7 (app2: g +1h yes, then g +5h no)
          → 2 ended, 2 expected, 2 submitted, 100.0 %, median 3.0 h
    Delta: interview 8 (app5, the second role: h +2h)

    Decisions: app1 offer, app2 rejected, app3 withdrawn, app5 hired (second role).
    a: app1 yes (match), app2 yes (no match) → 2, 1
    b: app1 no → 1, 0;  c: app1 strong yes → 1, 1 (app3's cancelled interview left out)
    d: app1 strong no → 1, 0;  g: app2, latest "no" → 1, 1;  f: app3 withdrawn → none
    h: app5 yes, hired → 1, 1 (only without the role filter)
    """
    second = db_session.scalars(select(Role).where(Role.slug == second_role)).one()
    app1 = create_application(role, "One", stage=Stage.OFFER)
    app2 = create_application(role, "Two", stage=Stage.REJECTED)
    app3 = create_application(role, "Three", stage=Stage.WITHDRAWN)
    app4 = create_application(role, "Four", stage=Stage.INTERVIEW)
    app5 = create_application(second, "Five", stage=Stage.HIRED)
    acme, beta, gamma, delta = (add_company(db_session, name) for name in ("Acme", "Beta", "Gamma", "Delta"))
    base = utcnow() - timedelta(days=5)

    def interview(application, company, emails, days=0, **kwargs):
        return add_interview(db_session, application, company, ends_at=base + timedelta(days=days),
                             interviewers=emails, **kwargs)

    def card(held, email, hours, recommendation=YES, **kwargs):
        return add_scorecard(db_session, held, email, recommendation=recommendation,
                             submitted_at=held.ends_at + hours * HOUR, **kwargs)

    one = interview(app1, acme, ["a@x.example", "b@x.example"])
    card(one, "a@x.example", 2, YES)
    card(one, "b@x.example", 6, NO)
    two = interview(app2, acme, ["a@x.example"])
    card(two, "a@x.example", 4, YES)
    three = interview(app3, acme, ["c@x.example"], cancelled=True)
    card(three, "c@x.example", 1, NO)
    add_interview(db_session, app4, acme, ends_at=utcnow() + timedelta(days=2), interviewers=["a@x.example"])
    five = interview(app1, beta, ["c@x.example", "d@x.example", "e@x.example"], days=1)
    card(five, "c@x.example", 1, STRONG_YES)
    card(five, "d@x.example", 3, STRONG_NO)
    add_scorecard(db_session, five, "e@x.example", submitted=False)
    six = interview(app2, gamma, ["g@x.example"], days=1)
    card(six, "g@x.example", 1, YES)
    seven = interview(app2, gamma, ["g@x.example"], days=2)
    card(seven, "g@x.example", 5, NO)
    withdrawn = interview(app3, beta, ["f@x.example"], days=3)
    card(withdrawn, "f@x.example", 1, YES)
    eight = interview(app5, delta, ["h@x.example"])
    card(eight, "h@x.example", 2, YES)
    return {"role": RoleRef(role.id, role.slug, role.title)}


def test_per_company_and_per_interviewer(app_session, data):
    report = build(Filters())
    companies = {row.company: (row.interviews, row.expected, row.submitted, round(row.rate, 3),
                               row.median_seconds / 3600) for row in report.companies}
    assert companies == {
        "Acme": (2, 3, 3, 1.0, 4.0),
        # The withdrawn application's interview counts here: f submitted 1 h after.
        "Beta": (2, 4, 3, 0.75, 1.0),
        "Gamma": (2, 2, 2, 1.0, 3.0),
        "Delta": (1, 1, 1, 1.0, 2.0),
    }
    people = {row.interviewer: (row.decided, row.matched) for row in report.interviewers}
    assert people == {"a@x.example": (2, 1), "b@x.example": (1, 0), "c@x.example": (1, 1),
                      "d@x.example": (1, 0), "g@x.example": (1, 1), "h@x.example": (1, 1)}
    assert report.interviewers[0].interviewer == "a@x.example" and report.interviewers[0].rate == 0.5


def test_the_role_filter_applies(app_session, data):
    report = build(Filters(role=data["role"]))
    assert [row.company for row in report.companies] == ["Beta", "Acme", "Gamma"]
    assert "Delta" not in {row.company for row in report.companies}
    assert "h@x.example" not in {row.interviewer for row in report.interviewers}


def test_an_even_number_of_submissions_takes_the_middle_two(app_session, db_session, create_application, role):
    application = create_application(role, "Even", stage=Stage.REJECTED)
    held = add_interview(db_session, application, add_company(db_session, "Even"),
                         ends_at=utcnow() - timedelta(days=3), interviewers=[f"{n}@x.example" for n in range(4)])
    for number, hours in enumerate([1, 2, 10, 30]):
        add_scorecard(db_session, held, f"{number}@x.example", recommendation=NO,
                      submitted_at=held.ends_at + hours * HOUR)
    (row,) = build(Filters()).companies
    assert row.median_seconds == pytest.approx(6 * 3600, abs=1)
    assert [(r.decided, r.matched) for r in build(Filters()).interviewers] == [(1, 1)] * 4


def test_nothing_yet(app_session):
    report = build(Filters())
    assert report.companies == [] and report.interviewers == []


def test_a_bounded_number_of_queries(app, app_session, data):
    with recorded_statements(db.engine) as statements:
        build(Filters())
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 4


def test_the_reports_page_shows_them(client, signed_in, data):
    response = client.get("/reports/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    rows = table_rows(body, "Scorecards expected and submitted")
    assert rows[0][:6] == ["Company", "Interviews ended", "Scorecards expected", "Submitted", "Submission rate",
                           "Median time to feedback"]
    assert ["Beta", "2", "4", "3", "75.0 %", "1.0 h", ""] in rows
    assert ["Acme", "2", "3", "3", "100.0 %", "4.0 h", ""] in rows
    people = table_rows(body, "Per interviewer")
    assert ["a@x.example", "2", "1", "50.0 %", ""] in people
    filtered = client.get("/reports/?role=healthcare-ai-engineer").get_data(as_text=True)
    assert "h@x.example" not in filtered and "Delta" not in filtered


def test_recruiters_get_403(client, auth, recruiter, data):
    assert auth.login(recruiter).status_code == 303
    assert client.get("/reports/").status_code == 403
