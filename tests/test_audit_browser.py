"""The audit trail in headless Chromium, desktop and phone: entries with who,
what, which record and the detail; filtered by kind from the form; older
pages through the "Older" link."""
from datetime import datetime, timedelta, timezone

from ats.models import Access, AuditEvent
from tests.test_account_browser import check, sign_in

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


def test_an_admin_reads_and_filters_the_trail(page, create_staff, create_application, role, db_session,
                                              assert_accessible, screenshot):
    admin = create_staff(Access.ADMIN, name="Ada Admin")
    recruiter = create_staff(Access.RECRUITER, name="Rita Recruiter")
    application = create_application(role, "Grace Hopper")
    db_session.add_all([
        AuditEvent(action="note.add", actor_id=recruiter.id, application_id=application.id,
                   detail={"note_id": number, "length": 40 + number}, created_at=T0 + timedelta(minutes=number))
        for number in range(55)
    ] + [
        AuditEvent(action="skills.annotate", actor_id=recruiter.id, application_id=application.id,
                   detail={"skills": {"clinical-nlp": {"before": "unknown", "after": "strong", "note_changed": True}}},
                   created_at=T0 + timedelta(hours=2)),
        AuditEvent(action="role.blind_review", actor_id=admin.id, detail={"role": "healthcare-ai-engineer",
                   "before": False, "after": True, "why": "<b>fair</b> hiring"}, created_at=T0 + timedelta(hours=3)),
        AuditEvent(action="candidate.export", detail={"applications": [application.id], "by": "command line"},
                   created_at=T0 + timedelta(hours=4)),
    ])
    db_session.commit()

    sign_in(page, admin)
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/admin/audit")
    table = page.get_by_role("table")
    first_row = table.get_by_role("row").nth(1).inner_text()
    assert "Candidate's data exported" in first_row and "System" in first_row
    assert "<b>fair</b> hiring" in table.inner_text()  # shown as text, not markup
    check(page, assert_accessible, screenshot, "admin-audit")

    page.get_by_role("link", name="Older").click()
    page.wait_for_url("**/admin/audit?before=*")
    assert table.get_by_role("row").count() == 1 + 8
    check(page, assert_accessible, screenshot, "admin-audit-older")

    page.goto("/admin/audit")
    page.get_by_label("Kind").select_option(label="Skill match saved")
    page.get_by_label("Person").select_option(label="Rita Recruiter")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/admin/audit?*action=skills.annotate*")
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 2
    assert "unknown → strong" in rows.nth(1).inner_text()
    rows.nth(1).get_by_role("link", name=f"Application #{application.id}").click()
    page.wait_for_url(f"**/pipeline/applications/{application.id}")

    page.goto("/admin/audit?from=2026-02-30")
    assert "These filters cannot be used" in page.get_by_role("alert").inner_text()
    check(page, assert_accessible, screenshot, "admin-audit-bad-filter")
