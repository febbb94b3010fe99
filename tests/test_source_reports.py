"""The reports page's "Applications and hires by source": one row per source,
hires counted by the furthest stage reached, with the page's filters."""
from datetime import datetime, timezone

import pytest

from sqlalchemy import select

from ats.models import Role, Stage
from tests.pages import table_rows

CAPTION = "Applications and hires per source"


@pytest.fixture
def signed_in_as(manager):
    return manager


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def sourced(role, second_role, create_application, db_session):
    """Applications from three sources over two roles and two months."""
    other = db_session.scalars(select(Role).filter_by(slug=second_role)).one()
    march, april = utc(2026, 3, 10, 9), utc(2026, 4, 10, 9)
    made = [
        (role, "linkedin", Stage.HIRED, Stage.HIRED, march),
        (role, "linkedin", Stage.REJECTED, Stage.OFFER, march),
        (role, "linkedin", Stage.APPLIED, Stage.APPLIED, april),
        # Hired, then reopened: it reached Hired, so it counts as a hire.
        (role, "career-fair", Stage.OFFER, Stage.HIRED, march),
        (role, "role-page", Stage.SCREENING, Stage.SCREENING, april),
        (other, "linkedin", Stage.HIRED, Stage.HIRED, april),
    ]
    for number, (on, source, stage, furthest, applied) in enumerate(made):
        create_application(on, f"Candidate {number}", stage, source=source, furthest_stage=furthest,
                           applied_at=applied, stage_entered_at=applied)
    return role, other


def rows(client, query: str = "") -> list[list[str]]:
    response = client.get("/reports/" + query)
    assert response.status_code == 200
    return table_rows(response.get_data(as_text=True), CAPTION)


def test_applications_and_hires_per_source(client, signed_in, sourced):
    assert rows(client) == [
        ["Source", "Applications", "Hires", "Hired", "Bar chart of the same numbers"],
        ["linkedin", "4", "2", "50.0 %", ""],
        ["career-fair", "1", "1", "100.0 %", ""],
        ["role-page", "1", "0", "0.0 %", ""],
    ]


def test_the_page_filters_apply(client, signed_in, sourced):
    role, second_role = sourced
    assert rows(client, f"?role={role.slug}")[1:] == [
        ["linkedin", "3", "1", "33.3 %", ""],
        ["career-fair", "1", "1", "100.0 %", ""],
        ["role-page", "1", "0", "0.0 %", ""],
    ]
    assert rows(client, f"?role={second_role.slug}")[1:] == [["linkedin", "1", "1", "100.0 %", ""]]
    assert rows(client, "?from=2026-04-01&to=2026-04-30")[1:] == [
        ["linkedin", "2", "1", "50.0 %", ""],
        ["role-page", "1", "0", "0.0 %", ""],
    ]


def test_no_applications_no_table(client, signed_in, seeded):
    body = client.get("/reports/").get_data(as_text=True)
    assert "Applications and hires by source" in body
    with pytest.raises(AssertionError):
        table_rows(body, CAPTION)


def test_recruiters_do_not_see_it(client, auth, recruiter):
    auth.login(recruiter)
    assert client.get("/reports/").status_code == 403
