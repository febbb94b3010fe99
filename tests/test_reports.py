"""The reports page: funnel, time in stage, weekly counts, rejection reasons,
interviews per company and selection rates across groups, on small data sets
whose figures are worked out by hand."""
import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from ats.extensions import db
from ats.models import (
    Access,
    Application,
    Candidate,
    Company,
    Interview,
    InterviewKind,
    InterviewStatus,
    SelfIdentification,
    Stage,
    StageChange,
)
from ats.queries.filters import Filters
from ats.queries.reports import build_report
from tests.fixtures.factories import status_key_columns
from tests.pages import recorded_statements, table_rows, text_of

A, S, I, O, H, R, W = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED,
                       Stage.REJECTED, Stage.WITHDRAWN)
DAY = timedelta(days=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def signed_in_as(manager):
    """Reports are for managers: ``signed_in`` is one."""
    return manager


@pytest.fixture
def make(app, db_session, create_role):
    """Applications with a stage history and, optionally, self-identification."""

    class Make:
        def role(self, slug, title):
            return create_role(slug, title)

        def application(self, role, path, start=utc(2026, 3, 2, 9), gaps=(), reasons=(), name=None, ident=None):
            """``path``: the stages in order; ``gaps``: days between the moves."""
            gaps = list(gaps) + [1] * (len(path) - 1 - len(gaps))
            moments = [start]
            for gap in gaps:
                moments.append(moments[-1] + gap * DAY)
            name = name or f"Person {secrets.token_hex(3)}"
            email = f"{secrets.token_hex(6)}@example.com"
            application = Application(
                role_id=role.id, candidate=Candidate(email=email, email_key=email, full_name=name),
                stage=path[0], full_name=name, email=email, **status_key_columns(app),
                applied_at=start, stage_entered_at=moments[-1], updated_at=moments[-1],
            )
            for stage in path[1:]:
                application.stage = stage  # and the furthest stage follows, as on a move
            db_session.add(application)
            db_session.flush()
            reasons = dict(reasons)
            for step, (stage, moment) in enumerate(zip(path, moments)):
                # What the stage-move service records with each move.
                db_session.add(StageChange(
                    application_id=application.id, from_stage=path[step - 1] if step else None,
                    to_stage=stage, reason=reasons.get(stage, ""), actor_kind="system", created_at=moment,
                    stay_seconds=(moment - moments[step - 1]).total_seconds() if step else None,
                ))
            if ident:
                db_session.add(SelfIdentification(application_id=application.id, **ident))
            db_session.commit()
            return application

        def interview(self, application, company, status=InterviewStatus.SCHEDULED):
            starts = utc(2026, 6, 1, 10)
            db_session.add(Interview(
                uid=f"{uuid.uuid4()}@test", application_id=application.id, company_id=company.id,
                kind=InterviewKind.VIDEO, status=status, starts_at=starts, ends_at=starts + timedelta(hours=1),
                timezone="UTC", duration_minutes=60,
            ))
            db_session.commit()

        def company(self, slug, name):
            company = Company(slug=slug, name=name)
            db_session.add(company)
            db_session.commit()
            return company

    return Make()


@pytest.fixture
def pipeline(make):
    """Ten applications to AI Engineer, all in the week of Monday 2 March
    2026 but two the week after (and one three weeks later), one to another role.

    Reached: applied 10, screening 7 (one skipped it straight to interview),
    interview 5, offer 2, hired 1.
    """
    role = make.role("ai-engineer", "AI Engineer")
    other = make.role("data-analyst", "Data Analyst")
    pathai = make.company("pathai", "PathAI")
    tempus = make.company("tempus", "Tempus")
    march = utc(2026, 3, 2, 9)
    apps = [
        make.application(role, [A], march),
        make.application(role, [A, R], march, gaps=[2], reasons={R: "Role filled"}),
        make.application(role, [A, R], march + DAY, gaps=[4], reasons={R: "Role filled"}),
        make.application(role, [A, S], march + DAY, gaps=[1]),
        make.application(role, [A, S, R], march + 2 * DAY, gaps=[3, 2], reasons={R: "Salary expectations"}),
        make.application(role, [A, S, I, W], march + 3 * DAY, gaps=[5, 4, 1]),
        make.application(role, [A, I], march + 7 * DAY, gaps=[6]),  # skipped screening
        make.application(role, [A, S, I, O, R], march + 8 * DAY, gaps=[1, 2, 3, 2], reasons={R: "  Role filled "}),
        make.application(role, [A, S, I, O, H], march + 21 * DAY, gaps=[2, 2, 2, 2]),
        make.application(role, [A, S, I], march + 21 * DAY, gaps=[7, 1]),
    ]
    make.interview(apps[5], pathai)
    make.interview(apps[6], pathai)
    make.interview(apps[7], pathai, InterviewStatus.CANCELLED)
    make.interview(apps[8], tempus)
    analyst = make.application(other, [A, S, R], march, gaps=[1, 1], reasons={R: "Not enough SQL"})
    make.interview(analyst, tempus)
    return role


def test_the_figures_on_a_hand_computed_set(app_session, pipeline):
    report = build_report(Filters(role=_ref(pipeline)))
    assert report.total == 10
    assert [(s.stage, s.reached) for s in report.funnel] == [(A, 10), (S, 7), (I, 5), (O, 2), (H, 1)]
    assert [s.conversion for s in report.funnel] == [None, 0.7, 5 / 7, 0.4, 0.5]

    # Stays that ended, in days.
    # applied: 2, 4, 1, 3, 5, 6, 1, 2, 7 → median 3
    # screening: 2, 4, 2, 2, 1 → median 2
    # interview: 1, 3, 2 → median 2
    # offer: 2, 2 → 2
    medians = {t.stage: (t.median_days, t.stays) for t in report.stage_times}
    assert medians == {A: (3.0, 9), S: (2.0, 5), I: (2.0, 3), O: (2.0, 2)}

    assert report.weeks == [
        (utc(2026, 3, 2).date(), 6),
        (utc(2026, 3, 9).date(), 2),
        (utc(2026, 3, 16).date(), 0),
        (utc(2026, 3, 23).date(), 2),
    ]
    assert report.rejection_reasons == [("Role filled", 3), ("Salary expectations", 1)]
    assert report.companies == [("PathAI", 2, 1), ("Tempus", 1, 0)]


def test_an_even_number_of_stays_takes_the_middle_two(app_session, make):
    role = make.role("ai-engineer", "AI Engineer")
    for gap in (1, 2, 4, 10):
        make.application(role, [A, S], gaps=[gap])
    report = build_report(Filters())
    assert report.stage_times[0].median_days == 3.0
    assert report.stage_times[0].stays == 4


def test_an_application_made_at_a_later_stage_counts_as_having_reached_it(
    app_session, create_role, create_application
):
    role = create_role("ai-engineer", "AI Engineer")
    create_application(role, "Ada", Stage.INTERVIEW)
    create_application(role, "Ben", Stage.APPLIED)
    report = build_report(Filters())
    assert [s.reached for s in report.funnel] == [2, 1, 1, 0, 0]


def _ref(role):
    from ats.queries.filters import RoleRef

    return RoleRef(role.id, role.slug, role.title)


def test_the_page_shows_every_figure_in_tables(client, signed_in, pipeline):
    response = client.get("/reports/?role=ai-engineer")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("<h1") == 1
    assert 'href="/static/css/reports.css"' in body
    assert table_rows(body, "Applications that reached each stage") == [
        ["Stage", "Reached", "From the stage before", "Bar chart of the same numbers"],
        ["Applied", "10", "", ""],
        ["Screening", "7", "70.0 %", ""],
        ["Interview", "5", "71.4 %", ""],
        ["Offer", "2", "40.0 %", ""],
        ["Hired", "1", "50.0 %", ""],
    ]
    assert table_rows(body, "Median time in each stage")[1:] == [
        ["Applied", "3.0 days", "9", ""],
        ["Screening", "2.0 days", "5", ""],
        ["Interview", "2.0 days", "3", ""],
        ["Offer", "2.0 days", "2", ""],
    ]
    assert table_rows(body, "Applications per week")[1:] == [
        ["2026-03-02", "6", ""], ["2026-03-09", "2", ""], ["2026-03-16", "0", ""], ["2026-03-23", "2", ""],
    ]
    assert table_rows(body, "The ten most frequent reasons")[1:] == [
        ["Role filled", "3", ""], ["Salary expectations", "1", ""],
    ]
    assert table_rows(body, "Interviews of these applications")[1:] == [
        ["PathAI", "2", "1", ""], ["Tempus", "1", "0", ""],
    ]
    for caption in re.findall(r"<caption", body):
        assert caption
    assert 'scope="col"' in body and 'scope="row"' in body


# The sections with a bar table, by the id of their heading, and their rows for the role ai-engineer.
BAR_TABLES = {"funnel": 5, "time": 4, "weeks": 4, "reasons": 2, "companies": 2, "sources": 1}
# What the sections that can be empty say then.
EMPTY = {"weeks": "No applications.", "reasons": "No rejections.", "companies": "No interviews.", "sources": "No applications."}


def sections(body: str) -> dict[str, str]:
    return dict(re.findall(r'<section class="report-section" aria-labelledby="(\w+)-heading">(.*?)</section>', body, re.S))


def test_every_bar_table_is_built_alike(client, signed_in, pipeline):
    """One frame for every table with bars: a scrolling region named by the
    caption, a hidden heading for the bar column, and per row one bar from
    0 to 100 long, hidden from screen readers."""
    found = sections(client.get("/reports/?role=ai-engineer").get_data(as_text=True))
    assert list(found) == list(BAR_TABLES)
    for key, rows in BAR_TABLES.items():
        section = found[key]
        assert f'<div class="table-scroll" role="region" aria-labelledby="{key}-caption" tabindex="0">' in section
        assert f'<caption id="{key}-caption">' in section
        head = re.findall(r"<th [^>]*>.*?</th>", re.search(r"<thead>(.*?)</thead>", section, re.S).group(1))
        assert head[-1] == (
            '<th scope="col" class="report-table__bar">'
            '<span class="visually-hidden">Bar chart of the same numbers</span></th>'
        )
        body_rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1), re.S)
        assert len(body_rows) == rows, key
        lengths = []
        for row in body_rows:
            bar = re.search(
                r'<td class="report-table__bar"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
                r'aria-hidden="true" focusable="false"><rect width="([\d.]+)" height="10"></rect></svg></td>\s*$',
                row,
            )
            assert bar, (key, row)
            lengths.append(float(bar.group(1)))
        assert 0 < max(lengths) <= 100 and min(lengths) >= 0, key


def test_bar_tables_without_rows_say_so(client, signed_in):
    found = sections(client.get("/reports/").get_data(as_text=True))
    assert list(found) == list(BAR_TABLES)
    for key in BAR_TABLES:
        if key in EMPTY:
            assert "<table" not in found[key]
            assert f'<p class="staff-empty">{EMPTY[key]}</p>' in found[key]
        else:
            assert f'<caption id="{key}-caption">' in found[key]


def test_filters_narrow_every_figure(client, signed_in, pipeline):
    body = client.get("/reports/?from=2026-03-09&to=2026-03-10").get_data(as_text=True)
    assert table_rows(body, "Applications that reached each stage")[1][1] == "2"
    assert table_rows(body, "Applications per week")[1:] == [["2026-03-09", "2", ""]]
    everything = client.get("/reports/").get_data(as_text=True)
    assert table_rows(everything, "Applications that reached each stage")[1][1] == "11"
    assert ["Not enough SQL", "1", ""] in table_rows(everything, "The ten most frequent reasons")
    analyst = client.get("/reports/?role=data-analyst").get_data(as_text=True)
    assert table_rows(analyst, "Interviews of these applications")[1:] == [["Tempus", "1", "0", ""]]


@pytest.mark.parametrize(
    "query", ["role=nope", "from=2026-02-30", "to=03/04/2026", "from=2026-05-01&to=2026-04-01"]
)
def test_bad_filters_are_refused_with_400(client, signed_in, pipeline, query):
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400
    assert "Those filters cannot be used" in response.get_data(as_text=True)


def test_access(client, auth, create_staff):
    response = client.get("/reports/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    auth.login(create_staff(Access.RECRUITER))
    assert client.get("/reports/").status_code == 403
    assert "Reports</a>" not in client.get("/pipeline/").get_data(as_text=True)
    auth.logout()
    auth.login(create_staff(Access.ADMIN))
    assert client.get("/reports/").status_code == 200
    assert 'href="/reports/"' in client.get("/pipeline/").get_data(as_text=True)


def test_a_fixed_number_of_queries(app, client, signed_in, pipeline, make):
    def count_queries(path):
        with app.app_context():
            engine = db.engine
        with recorded_statements(engine) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    before = count_queries("/reports/")
    for _ in range(5):
        make.application(pipeline, [A, S, I, R], reasons={R: "Other"})
    assert count_queries("/reports/") == before


# --- Selection rates across groups ----------------------------------------------


def _ident(gender="decline", race_ethnicity="decline", veteran="decline", disability="decline"):
    return dict(gender=gender, race_ethnicity=race_ethnicity, veteran=veteran, disability=disability)


@pytest.fixture
def groups(make):
    """Gender, applied → screening:
    female 10 applied, 8 screened: 80 %  (the highest: ratio 1.00)
    male 10 applied, 6 screened: 60 %  (ratio 0.75: below four-fifths, but
        Fisher's p = 0.628 against female: could be chance, so not flagged)
    nonbinary 3 applied, 3 screened: fewer than 5, not shown, not the reference
    decline 6 applied (one of them with no answer on file), 1 screened: 16.7 %, not compared

    Screening → interview: female 8 → 4 (50 %), male 6 → 3 (50 %): both 1.00.
    """
    role = make.role("ai-engineer", "AI Engineer")

    def add(gender, total, screened, interviewed=0, name=None, ident=True):
        for n in range(total):
            if n < interviewed:
                path = [A, S, I]
            elif n < screened:
                path = [A, S]
            else:
                path = [A]
            make.application(role, path, name=name, ident=_ident(gender) if ident else None)

    add("female", 10, 8, 4)
    add("male", 10, 6, 3)
    add("nonbinary", 3, 3, name="Quintessa Uniquename-Zyx")
    add("decline", 5, 1)
    add(None, 1, 0, ident=False)
    return role


def test_selection_rates_on_a_hand_computed_set(app_session, groups):
    report = build_report(Filters())
    gender = {row.value: row for row in report.fairness[0].rows}
    step = 0  # applied → screening
    female, male = gender["female"].steps[step], gender["male"].steps[step]
    assert (female.reached, female.selected, female.rate, female.ratio) == (10, 8, 0.8, 1.0)
    assert female.reference and not female.flagged
    assert (male.reached, male.selected, male.rate) == (10, 6, 0.6)
    assert male.ratio == pytest.approx(0.75) and male.below and not male.flagged
    # [[6, 4], [8, 2]]: see tests/test_fairness_statistics.py for the arithmetic.
    assert male.p_value == pytest.approx(0.628483, abs=1e-6) and male.shortfall == 1
    small = gender["nonbinary"].steps[step]
    assert not small.shown and small.rate is None and small.ratio is None
    assert (small.reached, small.selected) == (0, 0)  # nothing of a small group is kept
    declined = gender["decline"].steps[step]
    assert gender["decline"].declined
    assert (declined.reached, declined.selected) == (6, 1)
    assert declined.rate == pytest.approx(1 / 6) and declined.ratio is None and not declined.flagged

    second = 1  # screening → interview: female 8 → 4, male 6 → 3, decline 1: fewer than 5
    assert gender["female"].steps[second].ratio == 1.0
    assert gender["male"].steps[second].ratio == 1.0
    assert not gender["decline"].steps[second].shown

    # Every other question: everyone declined (or gave nothing): shown, never compared.
    veteran = {row.value: row for row in report.fairness[2].rows}
    assert veteran["decline"].steps[0].reached == 29
    assert not veteran["not-veteran"].steps[0].shown


def test_the_page_explains_flags_and_hides_small_groups(client, signed_in, groups):
    body = client.get("/reports/").get_data(as_text=True)
    rows = table_rows(body, "Gender: selection rate at each step")
    assert rows[0] == ["Group", "Passed", "Selection rate", "Impact ratio", "p-value", "Shortfall", "Finding"]
    assert rows[1:6] == [
        ["Applied → Screening"],
        ["Female", "8 of 10", "80.0 %", "1.00", "reference", "—", "Highest rate: the others are compared with it"],
        ["Male", "6 of 10", "60.0 %", "0.75", "0.628", "1",
         "Below four-fifths, but not statistically significant: the gap could be chance (p = 0.628)"],
        ["Non-binary", "fewer than 5"],
        ["Prefer not to say", "1 of 6", "16.7 %", "—", "—", "—", "Not compared"],
    ]
    assert rows[6:9] == [
        ["Screening → Interview"],
        ["Female", "4 of 8", "50.0 %", "1.00", "reference", "—", "Highest rate: the others are compared with it"],
        ["Male", "3 of 6", "50.0 %", "1.00", "reference", "—", "Highest rate: the others are compared with it"],
    ]
    assert rows[9] == ["Non-binary", "fewer than 5"] and rows[10] == ["Prefer not to say", "fewer than 5"]
    assert len(rows) == 1 + 4 * 5
    assert "fairness__flag" not in body  # a ratio under 0.8 alone flags nothing
    text = text_of(body)
    for words in ("self-reported and voluntary", "correlation, not a cause", "fewer than 5",
                  "not a legal finding", "counted apart"):
        assert words in text


def test_no_one_is_tied_to_their_answers(client, signed_in, groups):
    body = client.get("/reports/").get_data(as_text=True)
    assert "Quintessa" not in body and "Uniquename" not in body
    assert "@example.com" not in body
    assert "/pipeline/applications/" not in body
