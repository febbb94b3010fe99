"""Role pages in the admin pages (issue 14, "Role pages"): creating one as a
draft, editing every section, the slug rules, skills that keep their slug
(a rename keeps assessments; taking one off that is in use asks first, then
retires it), the preview, and what the catalog files and the admin pages do
to each other (``ats seed`` keeps an edited role unless --force; ``ats
export-catalog`` writes back what seed reads identically)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from ats.models import (
    AuditEvent,
    Company,
    Role,
    RoleCompany,
    RoleFaq,
    RoleSkill,
    RoleStatus,
    SalaryBand,
    SkillAnnotation,
    SkillLevel,
)
from ats.tools.catalog import load_catalog, read_catalog
from ats.tools.catalog_export import export_catalog
from tests.fixtures import ROOT
from tests.fixtures.staff import staff_csrf_token

pytestmark = pytest.mark.usefixtures("seeded")
SEED = "healthcare-ai-engineer"


@pytest.fixture
def signed_in_admin(auth, admin):
    assert auth.login(admin).status_code == 303
    return admin


def new_role(token: str, **changes) -> dict:
    data = {
        "csrf_token": token,
        "slug": "clinical-data-scientist",
        "title": "Clinical Data Scientist",
        "title_plural": "Clinical Data Scientists",
        "headline": "Clinical Data Scientist Jobs 2026",
        "summary": "Clinical data science jobs.",
        "employment_types": ["FULL_TIME", "INTERN"],
        "introduction": "Clinical data scientists study patient data.\n\nSecond paragraph.",
        "duties": "They build models.",
        "day_in_life": "Mornings with clinicians.",
        "career_path": "Intern\n\nData Scientist\nLead Data Scientist\n",
        "skills-0-slug": "survival-analysis",
        "skills-0-name": "Survival analysis",
        "skills-0-text": "Survival analysis: Cox models",
        "skills-0-keywords": "Cox, Kaplan-Meier , survival",
        "skills-1-slug": "", "skills-1-name": "", "skills-1-text": "", "skills-1-keywords": "",
        "salary_bands-0-level": "Entry",
        "salary_bands-0-base_min": "100000",
        "salary_bands-0-base_max": "120000",
        "salary_bands-0-total_comp": "",
        "salary_bands-0-intern_monthly_min": "",
        "salary_bands-0-intern_monthly_max": "",
        "companies-0-company": "tempus",
        "companies-0-summary": "Tempus hires clinical data scientists.",
        "companies-1-company": "", "companies-1-summary": "",
        "faq-0-question": "Is it remote?",
        "faq-0-answer": "Sometimes.",
        "apply_text": "Apply with your profile.",
        "date_posted": "2026-02-01",
        "valid_through": "",
        "salary_note": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_form(client, slug: str = SEED) -> dict:
    """The edit form's fields as the page fills them in."""
    import re
    from html import unescape

    html = client.get(f"/admin/roles/{slug}/edit").get_data(as_text=True)
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data[name] = unescape(value)
    for name in re.findall(r'<input[^>]*?name="([^"]+)"(?![^>]*value=)[^>]*>', html):
        data.setdefault(name, "")
    for name, value in re.findall(r'<textarea[^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = unescape(value).lstrip("\n")
    for name, value in re.findall(r'<select[^>]*?name="([^"]+)"[^>]*>.*?<option selected value="([^"]*)"', html, re.S):
        data[name] = value
    for name in re.findall(r'<select[^>]*?name="([^"]+)"', html):
        data.setdefault(name, "")
    data["employment_types"] = re.findall(r'<input checked[^>]*name="employment_types"[^>]*value="([^"]+)"', html) or \
        re.findall(r'<input[^>]*checked[^>]*name="employment_types" type="checkbox" value="([^"]+)"', html)
    data.pop("remove", None)
    for key in [k for k in data if k.endswith("-remove") or k == "retire_confirmed"]:
        del data[key]
    return data


def audit(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)))


def test_an_admin_creates_a_draft_with_every_section(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/roles/new")
    response = client.post("/admin/roles/new", data=new_role(token))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/admin/roles/clinical-data-scientist/edit")

    role = db_session.scalars(select(Role).filter_by(slug="clinical-data-scientist")).one()
    assert role.status == RoleStatus.DRAFT and role.edited_at is not None
    assert role.employment_types == "FULL_TIME,INTERN"
    assert role.introduction == "Clinical data scientists study patient data.\n\nSecond paragraph."
    assert [s.title for s in role.career_steps] == ["Intern", "Data Scientist", "Lead Data Scientist"]
    assert [(s.slug, s.keywords) for s in role.skills] == [("survival-analysis", ["Cox", "Kaplan-Meier", "survival"])]
    assert [(b.level, b.base_min, b.base_max, b.intern_monthly_min) for b in role.salary_bands] == [("Entry", 100000, 120000, None)]
    assert [(c.company.slug, c.summary) for c in role.company_listings] == [("tempus", "Tempus hires clinical data scientists.")]
    assert [(f.question, f.answer) for f in role.faqs] == [("Is it remote?", "Sometimes.")]
    assert role.date_posted == date(2026, 2, 1) and role.valid_through is None
    [created] = audit(db_session, "role.create")
    assert created.actor_id == signed_in_admin.id and created.detail == {"role": "clinical-data-scientist"}

    assert client.get("/roles/clinical-data-scientist").status_code == 404  # a draft: the preview shows it
    roles_page = client.get("/admin/roles").get_data(as_text=True)
    assert "Clinical Data Scientist" in roles_page and "Draft" in roles_page


@pytest.mark.parametrize("slug, message", [
    ("Clinical", "lower-case letters"),
    ("two--hyphens", "lower-case letters"),
    ("-leading", "lower-case letters"),
    (SEED, "There is a role at /roles/healthcare-ai-engineer already"),
    ("x" * 81, "Field cannot be longer than 80 characters"),
])
def test_bad_slugs_are_422_and_write_nothing(client, signed_in_admin, db_session, slug, message):
    token = staff_csrf_token(client, "/admin/roles/new")
    before = db_session.scalar(select(func.count()).select_from(Role)), db_session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post("/admin/roles/new", data=new_role(token, slug=slug))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    after = db_session.scalar(select(func.count()).select_from(Role)), db_session.scalar(select(func.count()).select_from(AuditEvent))
    assert after == before


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Title is required."),
    ({"employment_types": []}, "Choose at least one employment type."),
    ({"skills-0-slug": "Bad Slug"}, "Use lower-case letters"),
    ({"skills-0-name": ""}, "Short name is required in a filled row."),
    ({"skills-0-slug": "", "skills-0-name": "", "skills-0-text": "", "skills-0-keywords": ""}, "List at least one skill."),
    ({"salary_bands-0-base_max": "90000"}, "The range must run from low to high."),
    ({"salary_bands-0-base_max": ""}, "Give both ends of the range, or neither."),
    ({"salary_bands-0-base_min": "lots"}, "Not a valid integer value."),
    ({"companies-0-company": "no-such-company"}, "No company &#39;no-such-company&#39;"),
    ({"companies-1-company": "tempus", "companies-1-summary": "Twice."}, "A company is listed twice."),
    ({"faq-0-answer": ""}, "Answer is required in a filled row."),
    ({"skills-1-slug": "survival-analysis", "skills-1-name": "Again", "skills-1-text": "Again"},
     "The skill slug &#39;survival-analysis&#39; is used twice"),
    ({"employment_types": ["FULL_TIME", "BOGUS"]}, "not a valid choice"),
    ({"date_posted": "yesterday"}, "Not a valid date value."),
    ({"valid_through": "2026-01-01"}, "Valid through must not be before the date posted."),
    ({"summary": "x" * 401}, "Field cannot be longer than 400 characters."),
])
def test_bad_input_is_422_with_the_fields_error_and_writes_nothing(client, signed_in_admin, db_session, changes, message):
    token = staff_csrf_token(client, "/admin/roles/new")
    response = client.post("/admin/roles/new", data=new_role(token, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'class="error-summary"' in html and "<title>Error: " in html
    assert db_session.scalars(select(Role).filter_by(slug="clinical-data-scientist")).first() is None


def test_more_rows_sends_the_form_back_with_more_blank_rows_and_saves_nothing(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/roles/new")
    response = client.post("/admin/roles/new", data=new_role(token, more_rows="y"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="skills-4-slug"' in html and 'value="survival-analysis"' in html
    assert db_session.scalars(select(Role).filter_by(slug="clinical-data-scientist")).first() is None


def test_editing_saves_what_changed_and_audits_the_field_names(client, signed_in_admin, db_session):
    data = edit_form(client)
    data.update({"headline": "New headline", "faq-0-answer": "A new answer.", "slug": "tampered"})
    response = client.post(f"/admin/roles/{SEED}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    role = db_session.scalars(select(Role).filter_by(slug=SEED)).one()  # the slug stays
    assert role.headline == "New headline" and role.faqs[0].answer == "A new answer."
    assert role.edited_at is not None
    [update] = audit(db_session, "role.update")
    assert update.detail == {"role": SEED, "changed": ["headline", "faq"]}

    again = client.post(f"/admin/roles/{SEED}/edit", data=edit_form(client))
    assert again.status_code == 303 and len(audit(db_session, "role.update")) == 1  # nothing changed


def test_a_skill_rename_keeps_its_slug_and_its_assessments(client, signed_in_admin, db_session, create_application, role):
    application = create_application(role, "Ada Lovelace", claimed=["clinical-nlp"])
    skill = db_session.scalars(select(RoleSkill).filter_by(role_id=role.id, slug="clinical-nlp")).one()
    db_session.add(SkillAnnotation(application_id=application.id, skill_id=skill.id, level=SkillLevel.STRONG))
    db_session.commit()
    data = edit_form(client)
    index = next(k.split("-")[1] for k, v in data.items() if k.startswith("skills-") and v == "clinical-nlp")
    data[f"skills-{index}-name"] = "Clinical language processing"
    assert client.post(f"/admin/roles/{SEED}/edit", data=data).status_code == 303
    db_session.expire_all()
    renamed = db_session.get(RoleSkill, skill.id)
    assert (renamed.slug, renamed.name, renamed.retired) == ("clinical-nlp", "Clinical language processing", False)
    assert db_session.scalars(select(SkillAnnotation).filter_by(skill_id=skill.id)).one().level == SkillLevel.STRONG


def test_taking_off_a_skill_in_use_asks_then_retires_it(client, signed_in_admin, db_session, create_application, role):
    application = create_application(role, "Ada Lovelace", claimed=["clinical-nlp"])
    skill = db_session.scalars(select(RoleSkill).filter_by(role_id=role.id, slug="clinical-nlp")).one()
    db_session.add(SkillAnnotation(application_id=application.id, skill_id=skill.id, level=SkillLevel.PARTIAL))
    db_session.commit()
    data = edit_form(client)
    index = next(k.split("-")[1] for k, v in data.items() if k.startswith("skills-") and v == "clinical-nlp")
    data[f"skills-{index}-remove"] = "y"

    asked = client.post(f"/admin/roles/{SEED}/edit", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "Retire skills that are in use?" in html
    assert "claimed by 1 application, assessed 1 time" in html
    db_session.expire_all()
    assert db_session.get(RoleSkill, skill.id).retired is False and audit(db_session, "role.update") == []

    confirmed = client.post(f"/admin/roles/{SEED}/edit", data={**data, "retire_confirmed": "y"})
    assert confirmed.status_code == 303
    db_session.expire_all()
    assert db_session.get(RoleSkill, skill.id).retired is True
    assert db_session.scalars(select(SkillAnnotation).filter_by(skill_id=skill.id)).one()  # history stays
    [retire] = audit(db_session, "role.skill_retire")
    assert retire.detail == {"role": SEED, "skill": "clinical-nlp"}
    assert "clinical-nlp" not in client.get(f"/roles/{SEED}").get_data(as_text=True).split("skills-title")[1].split("</ul>")[0]
    assert "Retired skills, kept for history: Clinical NLP (clinical-nlp)" in client.get(f"/admin/roles/{SEED}/edit").get_data(as_text=True)
    application_page = client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert "Skills since taken off the role page" in application_page
    assert "Clinical NLP: Partial" in application_page  # the assessment stays readable
    assert 'name="skill-clinical-nlp"' not in application_page  # but is no longer asked for


def test_the_preview_is_the_public_page_marked_and_not_indexed(client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/roles/new")
    client.post("/admin/roles/new", data=new_role(token))
    response = client.get("/admin/roles/clinical-data-scientist/preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in html
    assert "Preview" in html and "Clinical Data Scientist Jobs 2026" in html and "Survival analysis: Cox models" in html
    assert "application/ld+json" not in html and 'name="full_name"' not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/admin/roles/no-such-role/preview").status_code == 404
    assert client.get("/admin/roles/no-such-role/edit").status_code == 404


def test_publishing_makes_the_page_public(client, signed_in_admin, db_session, auth):
    token = staff_csrf_token(client, "/admin/roles/new")
    client.post("/admin/roles/new", data=new_role(token))
    response = client.post("/admin/roles/clinical-data-scientist/open", data={"csrf_token": token})
    assert response.status_code == 303
    assert [e.detail["after"] for e in audit(db_session, "role.open")] == ["open"]
    auth.logout()
    assert client.get("/roles/clinical-data-scientist").status_code == 200
    assert "Clinical Data Scientist Jobs 2026" in client.get("/").get_data(as_text=True)


# --- The catalog files and the admin pages ---------------------------------------


def test_seed_keeps_a_role_edited_in_the_admin_pages_unless_forced(app, client, signed_in_admin, db_session):
    data = edit_form(client)
    data["headline"] = "Edited in the admin pages"
    assert client.post(f"/admin/roles/{SEED}/edit", data=data).status_code == 303
    runner = app.test_cli_runner()

    result = runner.invoke(args=["ats", "seed"])
    assert result.exit_code == 0 and "healthcare-ai-engineer: kept" in result.output
    assert db_session.scalars(select(Role)).one().headline == "Edited in the admin pages"

    result = runner.invoke(args=["ats", "seed", "--force"])
    assert result.exit_code == 0 and "healthcare-ai-engineer: updated" in result.output
    role = db_session.scalars(select(Role)).one()
    assert role.headline == "Healthcare AI Engineer Jobs & Internships 2026" and role.edited_at is None
    assert "healthcare-ai-engineer: unchanged" in runner.invoke(args=["ats", "seed"]).output


def test_a_closed_role_stays_closed_through_seed(app, client, signed_in_admin, db_session):
    token = staff_csrf_token(client, "/admin/roles")
    client.post(f"/admin/roles/{SEED}/close", data={"csrf_token": token})
    assert "kept" in app.test_cli_runner().invoke(args=["ats", "seed"]).output
    assert db_session.scalars(select(Role)).one().status == RoleStatus.CLOSED


def test_export_catalog_writes_back_what_seed_reads_identically(app, client, signed_in_admin, db_session, tmp_path):
    # An edit with characters TOML must escape, so the round trip is not trivial.
    data = edit_form(client)
    data.update({"headline": 'Quotes " and \\ backslash', "faq-0-answer": "Line one.\n\n\"Quoted\" line two\twith a tab."})
    assert client.post(f"/admin/roles/{SEED}/edit", data=data).status_code == 303
    result = app.test_cli_runner().invoke(args=["ats", "export-catalog", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("roles/healthcare-ai-engineer.toml")

    with app.app_context():
        from ats.tools.catalog_export import role_spec
        from ats.extensions import db

        held = role_spec(db.session.scalars(select(Role)).one())
        db.session.remove()
    [exported] = read_catalog(tmp_path)
    assert exported == held
    assert exported.fields["headline"] == 'Quotes " and \\ backslash'

    shipped = read_catalog(ROOT / "catalog")[0]
    assert exported.skills == shipped.skills and exported.companies == shipped.companies
    assert exported.fields["status"] == "open"


def test_export_of_the_shipped_catalog_equals_the_shipped_files(app, tmp_path):
    with app.app_context():
        export_catalog(tmp_path)
    assert read_catalog(tmp_path) == read_catalog(ROOT / "catalog")
    with app.app_context():
        assert [r.outcome for r in load_catalog(tmp_path)] == ["unchanged"]


def test_older_catalog_files_with_published_still_load(app, tmp_path):
    import shutil

    shutil.copytree(ROOT / "catalog", tmp_path / "c")
    path = tmp_path / "c/roles/healthcare-ai-engineer.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('status = "open"', "published = false"), encoding="utf-8")
    assert read_catalog(tmp_path / "c")[0].fields["status"] == RoleStatus.DRAFT
    path.write_text(path.read_text(encoding="utf-8").replace("published = false", 'published = true\nstatus = "open"'), encoding="utf-8")
    from ats.tools.catalog import CatalogError

    with pytest.raises(CatalogError, match="either status or the older published"):
        read_catalog(tmp_path / "c")
