"""The role catalog loader behind `flask ats seed`."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ats.extensions import db
from ats.models import Company, Role, RoleCompany, RoleSkill
from ats.tools.catalog import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"
ROLE_FILE = "roles/healthcare-ai-engineer.toml"


@pytest.fixture
def catalog_copy(tmp_path):
    """A copy of the shipped catalog that a test may edit."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG, target)
    return target


def edit(catalog: Path, old: str, new: str, relative: str = ROLE_FILE) -> None:
    path = catalog / relative
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {relative}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Role, RoleSkill, Company, RoleCompany)
    }


def test_seed_loads_the_role_with_every_part(app_session):
    results = load_catalog(CATALOG)
    assert [(r.slug, r.outcome) for r in results] == [("healthcare-ai-engineer", "created")]
    role = app_session.scalars(select(Role)).one()
    assert role.title == "Healthcare AI Engineer"
    assert role.headline == "Healthcare AI Engineer Jobs & Internships 2026"
    assert len(role.active_skills) == 8
    assert [s.title for s in role.career_steps] == [
        "Healthcare AI Intern",
        "ML Engineer I (Healthcare)",
        "Senior Healthcare AI Engineer",
        "Principal Healthcare AI Scientist",
        "VP of AI Research",
    ]
    assert [(b.level, b.base_min, b.base_max, b.intern_monthly_min, b.intern_monthly_max) for b in role.salary_bands] == [
        ("Intern", None, None, 8000, 13000),
        ("Entry-Level (0–2 yrs)", 120000, 175000, None, None),
        ("Mid-Level (3–5 yrs)", 175000, 245000, None, None),
        ("Senior (5–8 yrs)", 245000, 342000, None, None),
    ]
    assert [c.company.slug for c in role.company_listings] == [
        "tempus", "pathai", "flatiron-health", "google-health",
    ]
    assert len(role.faqs) == 5
    assert role.employment_type_list == ["FULL_TIME", "INTERN"]


def test_second_run_changes_nothing(app_session):
    load_catalog(CATALOG)
    before = counts()
    skill_ids = app_session.scalars(select(RoleSkill.id).order_by(RoleSkill.id)).all()
    app_session.expire_all()

    results = load_catalog(CATALOG)

    assert [r.outcome for r in results] == ["unchanged"]
    assert counts() == before
    assert app_session.scalars(select(RoleSkill.id).order_by(RoleSkill.id)).all() == skill_ids


def test_edited_file_updates_the_role_in_place(app_session, catalog_copy):
    load_catalog(catalog_copy)
    role_id = app_session.scalar(select(Role.id))
    skill_id = app_session.scalar(select(RoleSkill.id).filter_by(slug="clinical-nlp"))

    edit(catalog_copy, 'title = "Healthcare AI Engineer"', 'title = "Clinical AI Engineer"')
    edit(catalog_copy, "extracting structured information", "pulling structured facts")
    # Drop the last skill and the last company from the file.
    content = (catalog_copy / ROLE_FILE).read_text(encoding="utf-8")
    start = content.index('[[skills]]\nslug = "interpretability-grad-cam"')
    end = content.index("# Amounts in whole US dollars")
    content = content[:start] + content[end:]
    start = content.index('[[companies]]\nslug = "google-health"')
    end = content.index("[[faq]]")
    (catalog_copy / ROLE_FILE).write_text(content[:start] + content[end:], encoding="utf-8")
    app_session.expire_all()

    results = load_catalog(catalog_copy)

    assert [r.outcome for r in results] == ["updated"]
    role = app_session.get(Role, role_id)
    assert role.title == "Clinical AI Engineer"
    skill = app_session.get(RoleSkill, skill_id)
    assert skill.text.startswith("Clinical NLP: pulling structured facts")
    # A dropped skill is retired, not deleted: applications may point at it.
    retired = app_session.scalars(select(RoleSkill).filter_by(slug="interpretability-grad-cam")).one()
    assert retired.retired and retired not in role.active_skills
    assert [c.company.slug for c in role.company_listings] == ["tempus", "pathai", "flatiron-health"]
    # The company itself stays: interviews may be held with it.
    assert app_session.scalar(select(func.count()).select_from(Company)) == 4

    assert [r.outcome for r in load_catalog(catalog_copy)] == ["unchanged"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('title = "Healthcare AI Engineer"\n', "", "'title': is required"),
        ('title = "Healthcare AI Engineer"', "title = 42", "'title': must be text"),
        ('date_posted = 2026-01-05', 'date_posted = "soon"', "'date_posted': must be a date"),
        ('slug = "clinical-nlp"', 'slug = "Clinical NLP"', "'skills[1].slug'"),
        ('slug = "pathai"', 'slug = "tempus"', "'companies[].slug': 'tempus' appears twice"),
        ("base = [120000, 175000]", "base = [175000, 120000]", "'salary_bands[1].base'"),
        ('"FULL_TIME", "INTERN"', '"FULL_TIME", "SOMETIMES"', "'employment_types[1]'"),
        ('question = "Do healthcare', 'questio = "Do healthcare', "'faq[0].question': is required"),
    ],
)
def test_malformed_file_is_refused_naming_file_and_field(app_session, catalog_copy, old, new, field):
    edit(catalog_copy, old, new)
    with pytest.raises(CatalogError) as error:
        load_catalog(catalog_copy)
    message = str(error.value)
    assert "healthcare-ai-engineer.toml" in message
    assert field in message
    assert counts() == {"roles": 0, "role_skills": 0, "companies": 0, "role_companies": 0}


def test_invalid_toml_is_refused(app_session, catalog_copy):
    edit(catalog_copy, 'headline = "', 'headline = ')
    with pytest.raises(CatalogError, match=r"healthcare-ai-engineer\.toml: not valid TOML"):
        load_catalog(catalog_copy)


def test_one_bad_file_loads_nothing_at_all(app_session, catalog_copy):
    """A good file next to a bad one is not half-loaded."""
    good = (catalog_copy / ROLE_FILE).read_text(encoding="utf-8")
    (catalog_copy / "roles/zz-broken.toml").write_text(
        good.replace('slug = "healthcare-ai-engineer"', 'slug = "zz-broken"').replace(
            'summary = "Healthcare', "summary = 7\nx = \"Healthcare"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match=r"zz-broken\.toml: field 'summary'"):
        load_catalog(catalog_copy)
    assert counts()["roles"] == 0


def test_a_failure_while_writing_rolls_everything_back(app_session, catalog_copy, monkeypatch):
    import ats.operations.catalog as catalog

    (catalog_copy / "roles/zz-second.toml").write_text(
        (catalog_copy / ROLE_FILE).read_text(encoding="utf-8").replace(
            'slug = "healthcare-ai-engineer"', 'slug = "zz-second"'
        ),
        encoding="utf-8",
    )
    real_write = catalog._write

    def write_then_fail(role, spec, retire):
        if spec.fields["slug"] == "zz-second":
            raise RuntimeError("disk on fire")
        return real_write(role, spec, retire)

    monkeypatch.setattr(catalog, "_write", write_then_fail)
    with pytest.raises(RuntimeError):
        load_catalog(catalog_copy)
    assert counts()["roles"] == 0


def test_file_name_must_match_slug(app_session, catalog_copy):
    (catalog_copy / ROLE_FILE).rename(catalog_copy / "roles/other-name.toml")
    with pytest.raises(CatalogError, match=r"other-name\.toml: field 'slug'"):
        load_catalog(catalog_copy)


def test_empty_catalog_is_refused(app_session, tmp_path):
    (tmp_path / "roles").mkdir()
    with pytest.raises(CatalogError, match="no role files"):
        load_catalog(tmp_path)


def test_cli_seed_reports_and_is_idempotent(app, catalog_copy):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ats", "seed", "--catalog", str(catalog_copy)])
    assert first.exit_code == 0, first.output
    assert first.output == "healthcare-ai-engineer: created\n"
    second = runner.invoke(args=["ats", "seed", "--catalog", str(catalog_copy)])
    assert second.output == "healthcare-ai-engineer: unchanged\n"


def test_cli_seed_refuses_a_bad_file_with_exit_code_1(app, catalog_copy):
    edit(catalog_copy, 'apply_text = "', 'apply_text = 3 #"')
    result = app.test_cli_runner().invoke(args=["ats", "seed", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "field 'apply_text'" in result.output
    assert "Nothing was loaded." in result.output
