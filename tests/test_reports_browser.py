"""A manager opens the reports in headless Chromium, filters them and downloads the CSV."""
import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from ats.models import Access, Role, SelfIdentification, Stage, StageChange
from tests.pages import sign_in

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def applications(db_session, create_application):
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    made = []
    for number in range(12):
        stage = [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.REJECTED][number % 4]
        application = create_application(role, f"Candidate Number {number}", stage, days_in_stage=number)
        path = {Stage.APPLIED: [Stage.APPLIED], Stage.SCREENING: [Stage.APPLIED, Stage.SCREENING],
                Stage.INTERVIEW: [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW],
                Stage.REJECTED: [Stage.APPLIED, Stage.REJECTED]}[stage]
        previous = None
        for step, to_stage in enumerate(path):
            db_session.add(StageChange(
                application_id=application.id, from_stage=previous, to_stage=to_stage, actor_kind="system",
                reason="Role filled" if to_stage == Stage.REJECTED else "",
                created_at=application.applied_at + timedelta(days=step),
            ))
            previous = to_stage
        db_session.add(SelfIdentification(application_id=application.id, gender=["female", "male"][number % 2]))
        made.append(application)
    db_session.commit()
    return made


def test_a_manager_reads_filters_and_downloads(page, create_staff, applications, assert_accessible, screenshot):
    sign_in(page, create_staff(Access.MANAGER))
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Reports"
    assert page.get_by_role("table", name="Applications that reached each stage").is_visible()
    assert_accessible()
    path = screenshot("reports")
    # A closer look at the widest table, as it sits on the screen.
    page.locator(".table-scroll", has=page.get_by_role("table", name="Gender: selection rate")).screenshot(
        path=str(path.with_name(f"reports-fairness-{page.viewport_name}.png"))
    )

    page.get_by_label("Role").select_option("healthcare-ai-engineer")
    page.get_by_label("Applied from").fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/?role=healthcare-ai-engineer*")
    assert "12 applications for Healthcare AI Engineer" in page.locator(".staff-page__lead").inner_text()
    assert_accessible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pipeline CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("pipeline-") and download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert len(rows) == 12
    assert {row["role"] for row in rows} == {"healthcare-ai-engineer"}


def test_a_recruiter_has_no_reports_link(page, create_staff):
    sign_in(page, create_staff(Access.RECRUITER))
    assert page.get_by_role("link", name="Reports").count() == 0


@pytest.fixture
def findings(db_session, create_application):
    """Gender at applied → screening, as in tests/test_fairness_statistics.py:
    female 24 of 24 (the reference), male 12 of 15 (significant only),
    non-binary 1 of 5 (flagged), prefer not to say 2 of 5 (not compared); at
    screening → interview female 12 of 24 against male's 10 of 12 (below
    four-fifths only)."""
    role = db_session.scalars(select(Role).filter_by(slug="healthcare-ai-engineer")).one()
    groups = {
        "female": {Stage.SCREENING: 12, Stage.INTERVIEW: 6, Stage.OFFER: 6},
        "male": {Stage.APPLIED: 3, Stage.SCREENING: 2, Stage.INTERVIEW: 6, Stage.OFFER: 4},
        "nonbinary": {Stage.APPLIED: 4, Stage.SCREENING: 1},
        "decline": {Stage.APPLIED: 3, Stage.SCREENING: 2},
    }
    for gender, stages in groups.items():
        for stage, total in stages.items():
            for number in range(total):
                application = create_application(role, f"Candidate {gender} {stage.value} {number}", stage)
                db_session.add(SelfIdentification(application_id=application.id, gender=gender))
    db_session.commit()


def test_a_manager_reads_the_statistics_beside_each_ratio(page, create_staff, findings, assert_accessible,
                                                          screenshot):
    sign_in(page, create_staff(Access.MANAGER), "/reports/")
    page.wait_for_url("**/reports/")
    table = page.get_by_role("table", name="Gender: selection rate at each step")
    headers = table.get_by_role("columnheader")
    assert headers.all_inner_texts() == [
        "Group", "Passed", "Selection rate", "Impact ratio", "p-value", "Shortfall", "Finding",
    ]
    flagged = table.get_by_role("row").filter(has_text="Non-binary").first
    assert flagged.get_by_role("cell").all_inner_texts()[3:] == [
        "< 0.001", "3", "Below four-fifths and statistically significant (p < 0.001)",
    ]
    assert table.locator(".fairness__flag").count() == 1
    assert "the gap could be chance (p = 0.076)" in table.inner_text()
    assert page.get_by_role("term").filter(has_text="p-value").is_visible()
    assert_accessible()
    path = screenshot("reports-statistics")
    section = page.locator(".fairness")
    section.locator(".fairness__about").screenshot(
        path=str(path.with_name(f"reports-statistics-about-{page.viewport_name}.png"))
    )
    page.locator(".table-scroll", has=table).screenshot(
        path=str(path.with_name(f"reports-statistics-gender-{page.viewport_name}.png"))
    )
    # Scrolled sideways to the findings (a phone needs to), the group names stay in view.
    region = page.locator(".table-scroll", has=table)
    region.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    name, finding = flagged.get_by_role("rowheader"), flagged.get_by_role("cell").last
    box, view = name.bounding_box(), region.bounding_box()
    assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"]
    assert finding.bounding_box()["x"] + finding.bounding_box()["width"] <= view["x"] + view["width"] + 1
    region.screenshot(path=str(path.with_name(f"reports-statistics-scrolled-{page.viewport_name}.png")))
