"""Role pages and companies in headless Chromium, on desktop and phone
viewports (issue 14's journey): an admin adds a company, creates a role page
that lists it, previews it, publishes it; a candidate applies to it; the
admin closes it and the public page says so. Every admin page on the way is
checked with axe."""
from sqlalchemy import func, select

from ats.models import Access, Application, AuditEvent, Role, RoleStatus
from tests.test_account_browser import check, sign_in


def fill(page, values: dict) -> None:
    for name, value in values.items():
        page.locator(f'[name="{name}"]').fill(value)


def test_an_admin_creates_previews_publishes_and_closes_a_role(page, create_staff, role, db_session, outbox, upload_dir,
                                                             assert_accessible, screenshot):
    admin = create_staff(Access.ADMIN, name="Ada Admin")
    sign_in(page, admin)
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/")
    page.get_by_role("link", name="Companies", exact=True).click()
    page.wait_for_url("**/admin/companies")
    check(page, assert_accessible, screenshot, "admin-companies")

    page.get_by_role("link", name="New company").click()
    page.get_by_label("Slug").fill("acme-health")
    page.get_by_label("Name").fill("Acme Health")
    page.get_by_label("Website").fill("acme.example")
    page.get_by_role("button", name="Add the company").click()
    assert page.title().startswith("Error: ") and page.get_by_role("alert").is_visible()
    check(page, assert_accessible, screenshot, "admin-company-error")
    page.get_by_label("Website").fill("https://acme.example")
    page.get_by_role("button", name="Add the company").click()
    page.wait_for_url("**/admin/companies")
    page.get_by_role("link", name="Acme Health").click()
    page.wait_for_url("**/admin/companies/acme-health/edit")
    check(page, assert_accessible, screenshot, "admin-company-edit")

    page.goto("/admin/")
    page.get_by_role("link", name="Role pages").click()
    page.wait_for_url("**/admin/roles")
    check(page, assert_accessible, screenshot, "admin-roles")
    page.get_by_role("link", name="New role page").click()
    page.wait_for_url("**/admin/roles/new")
    check(page, assert_accessible, screenshot, "admin-role-new")

    fill(page, {
        "slug": "clinical-data-scientist", "title": "Clinical Data Scientist",
        "title_plural": "Clinical Data Scientists", "headline": "Clinical Data Scientist Jobs 2026",
        "summary": "Clinical data science jobs and internships.",
        "introduction": "Clinical data scientists turn patient data into care.",
        "duties": "They build and validate models with clinicians.",
        "day_in_life": "Mornings with clinicians, afternoons with data.",
        "career_path": "Intern\nData Scientist\nLead Data Scientist",
        "skills-0-slug": "survival-analysis", "skills-0-name": "Survival analysis",
        "skills-0-text": "Survival analysis: Cox models and Kaplan-Meier curves",
        "salary_bands-0-level": "Entry", "salary_bands-0-base_min": "100000", "salary_bands-0-base_max": "90000",
        "faq-0-question": "Is it remote?", "faq-0-answer": "Often.",
        "apply_text": "Apply with your profile.", "date_posted": "2026-02-01",
    })
    page.get_by_label("Full-time").check()
    page.locator('[name="companies-0-company"]').select_option("acme-health")
    fill(page, {"companies-0-summary": "Acme Health hires clinical data scientists."})
    page.get_by_role("button", name="Save as draft").click()
    assert page.title().startswith("Error: ")
    assert "The range must run from low to high." in page.get_by_role("alert").inner_text()
    check(page, assert_accessible, screenshot, "admin-role-errors")

    fill(page, {"salary_bands-0-base_max": "130000"})
    page.get_by_role("button", name="More empty rows").click()
    assert page.locator('[name="skills-3-slug"]').count() == 1
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/admin/roles/clinical-data-scientist/edit")
    assert "saved as a draft" in page.get_by_role("status").inner_text()
    check(page, assert_accessible, screenshot, "admin-role-edit")

    page.get_by_role("link", name="Preview").click()
    page.wait_for_url("**/preview")
    assert page.get_by_role("note", name="Preview").is_visible()
    assert page.get_by_text("Survival analysis: Cox models").is_visible()
    check(page, assert_accessible, screenshot, "admin-role-preview")
    page.get_by_role("link", name="Back to editing").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/admin/roles/clinical-data-scientist/edit")
    assert "Published" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.goto("/")
    page.get_by_role("link", name="Clinical Data Scientist Jobs 2026").click()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Your profile").fill("Cox models for sepsis survival.")
    page.get_by_label("Survival analysis").check()
    page.get_by_label("I agree that my application").check()
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url("**/applications/*")
    new_role = db_session.scalars(select(Role).filter_by(slug="clinical-data-scientist")).one()
    assert db_session.scalar(select(func.count()).select_from(Application).filter_by(role_id=new_role.id)) == 1

    sign_in(page, admin)
    page.wait_for_url("**/pipeline/")
    page.goto("/admin/roles")
    row = page.get_by_role("row").filter(has_text="Clinical Data Scientist")
    assert "Open" in row.inner_text() and "1" in row.inner_text()
    row.get_by_role("link", name="Clinical Data Scientist").click()
    page.get_by_role("button", name="Close to applications").click()
    page.wait_for_url("**/admin/roles/clinical-data-scientist/edit")
    assert "Closed" in page.get_by_role("status").inner_text()
    check(page, assert_accessible, screenshot, "admin-role-closed")
    db_session.expire_all()
    assert db_session.scalars(select(Role).filter_by(slug="clinical-data-scientist")).one().status == RoleStatus.CLOSED
    assert [e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("%.%")).where(
        AuditEvent.action.in_(["company.create", "role.create", "role.open", "role.close"])).order_by(AuditEvent.id))] == [
        "company.create", "role.create", "role.open", "role.close"]

    page.get_by_role("button", name="Sign out").click()
    page.goto("/roles/clinical-data-scientist")
    assert page.get_by_text("This role is closed to applications").first.is_visible()
    assert page.get_by_label("Full name").count() == 0
    check(page, assert_accessible, screenshot, "role-closed-public")
