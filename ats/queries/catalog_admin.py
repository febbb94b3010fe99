"""What the admins' role and company pages show: the roles with their
status and application counts, one role's content for its form, and the
companies with the roles that list them."""
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import OPEN_STAGES, Application, Company, Role, RoleCompany


def roles_overview() -> list[dict]:
    """Every role, drafts first then by title, with its applications counted."""
    counts = dict(
        (role_id, (total, open_count))
        for role_id, total, open_count in db.session.execute(
            select(
                Application.role_id,
                func.count(),
                func.sum(case((Application.stage.in_(OPEN_STAGES), 1), else_=0)),
            ).group_by(Application.role_id)
        )
    )
    roles = db.session.scalars(select(Role).order_by(Role.title, Role.slug)).all()
    return [
        {
            "slug": role.slug,
            "title": role.title,
            "status": role.status,
            "applications": counts.get(role.id, (0, 0))[0],
            "open_applications": int(counts.get(role.id, (0, 0))[1] or 0),
            "updated_at": role.updated_at,
            "edited_here": role.edited_at is not None,
        }
        for role in roles
    ]


def role_with_content(slug: str, statuses=None) -> Role | None:
    """A role with every section loaded, for its page, form and preview;
    only one whose status is among ``statuses`` when given."""
    query = (
        select(Role)
        .filter_by(slug=slug)
        .options(
            selectinload(Role.skills),
            selectinload(Role.career_steps),
            selectinload(Role.salary_bands),
            selectinload(Role.company_listings).joinedload(RoleCompany.company),
            selectinload(Role.faqs),
        )
    )
    if statuses is not None:
        query = query.where(Role.status.in_(statuses))
    return db.session.scalars(query).one_or_none()


def role_form_data(role: Role) -> dict:
    """The role's content in the shape of the role form's fields."""
    return {
        **{name: getattr(role, name) for name in (
            "slug", "title", "title_plural", "headline", "summary", "introduction", "duties", "day_in_life",
            "salary_note", "apply_text", "date_posted", "valid_through")},
        "employment_types": role.employment_type_list,
        "career_path": "\n".join(step.title for step in role.career_steps),
        "skills": [{"slug": s.slug, "name": s.name, "text": s.text, "keywords": ", ".join(s.keywords or ())}
                   for s in role.active_skills],
        "salary_bands": [{name: getattr(b, name) for name in (
            "level", "base_min", "base_max", "total_comp", "intern_monthly_min", "intern_monthly_max")}
            for b in role.salary_bands],
        "companies": [{"company": c.company.slug, "summary": c.summary} for c in role.company_listings],
        "faq": [{"question": f.question, "answer": f.answer} for f in role.faqs],
    }


def company_choices() -> list[tuple[str, str]]:
    """(slug, name) of every company, by name."""
    return [(slug, name) for slug, name in db.session.execute(
        select(Company.slug, Company.name).order_by(Company.name, Company.slug))]


def companies_overview() -> list[dict]:
    """Every company, by name, with the titles of the roles that list it."""
    listed: dict[int, list[str]] = {}
    for company_id, title in db.session.execute(
        select(RoleCompany.company_id, Role.title).join(Role, Role.id == RoleCompany.role_id).order_by(Role.title)
    ):
        listed.setdefault(company_id, []).append(title)
    return [
        {"slug": c.slug, "name": c.name, "website": c.website, "roles": listed.get(c.id, [])}
        for c in db.session.scalars(select(Company).order_by(Company.name, Company.slug))
    ]


def company_by_slug(slug: str) -> Company | None:
    return db.session.scalars(select(Company).filter_by(slug=slug)).one_or_none()
