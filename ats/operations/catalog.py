"""The role catalog's changes: loading role pages from the catalog files
(``ats seed``), creating and editing them in the admin pages, opening and
closing them. Companies: ``ats.operations.companies``.

A role page's content travels as a :class:`RoleSpec`, whoever wrote it (a
TOML file, the admin form), and is written by one function, so both ways in
keep the same rules: skills are matched by slug and never deleted
(applications claim them and recruiters annotate them), only retired.

Where the files and the admin pages meet: a role edited in the admin pages
(``Role.edited_at``) is left alone by ``ats seed`` unless it is told
``force``; a forced load makes the file the page's source again.
"""
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    ApplicationSkillClaim,
    CareerStep,
    Company,
    Role,
    RoleCompany,
    RoleFaq,
    RoleSkill,
    RoleStatus,
    SalaryBand,
    SkillAnnotation,
    utcnow,
)
from ..models.audit import record
from . import write_transaction

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class SkillSpec:
    slug: str
    name: str
    text: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SalarySpec:
    level: str
    base_min: int | None
    base_max: int | None
    total_comp: str | None
    intern_monthly_min: int | None
    intern_monthly_max: int | None


@dataclass(frozen=True)
class CompanySpec:
    slug: str
    name: str
    summary: str


@dataclass(frozen=True)
class RoleSpec:
    fields: dict[str, Any]  # the Role's own columns (``status`` only from a file)
    skills: list[SkillSpec]
    career_path: list[str]
    salary_bands: list[SalarySpec]
    companies: list[CompanySpec]
    faq: list[tuple[str, str]]
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SeedResult:
    slug: str
    outcome: str  # "created", "updated", "unchanged" or "kept" (edited in the admin pages)


class CatalogRuleError(ValueError):
    """Content a role page cannot be saved with: ``field`` names the form
    field (``slug``, ``companies``, ...) the message is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class RetireNeedsConfirmation(Exception):
    """Skills taken off the page that applications claim or recruiters
    annotated: they are retired (kept for history), once the admin confirms.
    ``skills``: [(slug, name, claims, annotations)]."""

    def __init__(self, skills: list[tuple[str, str, int, int]]):
        super().__init__(", ".join(slug for slug, *_ in skills))
        self.skills = skills


@dataclass(frozen=True)
class SavedRole:
    role: Role
    created: bool
    changed: list[str]  # the names of the fields and sections that changed


# ---------------------------------------------------------------- the catalog files


def seed_roles(specs: list[RoleSpec], force: bool = False) -> list[SeedResult]:
    """Create or update every role in ``specs``, in one transaction. A role
    edited in the admin pages is kept as it is unless ``force``; forced, the
    file's content replaces it and the file is its source again."""
    write_transaction()
    try:
        results = []
        for spec in specs:
            role = _role_by_slug(spec.fields["slug"])
            if role is not None and role.edited_at is not None and not force:
                results.append(SeedResult(role.slug, "kept"))
                continue
            created = role is None
            if created:
                role = Role(**spec.fields)
                db.session.add(role)
            changed = _write(role, spec, retire=lambda skill: None)
            if role.edited_at is not None:
                role.edited_at = None
                changed.append("edited_at")
            db.session.flush()
            results.append(SeedResult(role.slug, "created" if created else "updated" if changed else "unchanged"))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


# ---------------------------------------------------------------- the admin pages


def save_role(spec: RoleSpec, actor_id: int, slug: str | None = None, retire_confirmed: bool = False) -> SavedRole:
    """Create a role page from ``spec`` (``slug`` None: a draft), or update
    the role ``slug`` names with it (its slug stays; its status is changed by
    :func:`open_role` and :func:`close_role` only). One transaction with its
    audit entries: ``role.create`` / ``role.update`` with the names of what
    changed, ``role.skill_retire`` per skill retired.

    Raises LookupError for an unknown ``slug``, CatalogRuleError for content
    the rules refuse, RetireNeedsConfirmation when skills with claims or
    annotations would be retired without ``retire_confirmed``. Nothing is
    written then.
    """
    write_transaction()
    try:
        fields = {name: value for name, value in spec.fields.items() if name != "status"}
        if slug is None:
            role = _new_role(fields)
        else:
            role = _role_by_slug(slug)
            if role is None:
                raise LookupError(slug)
            if fields.get("slug", slug) != slug:
                raise CatalogRuleError("A role's address cannot change once saved.", "slug")
        _check_skills(spec.skills)
        _check_companies(spec.companies)
        spec = RoleSpec({**fields, "slug": role.slug}, spec.skills, spec.career_path, spec.salary_bands,
                        _named(spec.companies), spec.faq)
        if slug is not None:
            _check_retirements(role, spec, retire_confirmed)
        retired = []
        changed = _write(role, spec, retire=retired.append)
        created = slug is None
        if created or changed:
            role.edited_at = utcnow()
            db.session.flush()
            if created:
                record("role.create", actor_id, None, role=role.slug)
            else:
                record("role.update", actor_id, None, role=role.slug, changed=changed)
            for skill in retired:
                record("role.skill_retire", actor_id, None, role=role.slug, skill=skill.slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return SavedRole(role, created, changed)


def open_role(slug: str, actor_id: int) -> bool:
    """Publish a draft or reopen a closed role: its page is public and takes
    applications. False if it was open already (nothing written)."""
    return _set_status(slug, RoleStatus.OPEN, "role.open", actor_id)


def close_role(slug: str, actor_id: int) -> bool:
    """Close an open role: its page stays readable, says it is closed and
    takes no applications; it leaves the catalog page. A draft cannot be
    closed (it was never public). False if it was closed already."""
    return _set_status(slug, RoleStatus.CLOSED, "role.close", actor_id)


class StatusError(ValueError):
    """A move between statuses the rules do not allow."""


def _set_status(slug: str, status: RoleStatus, action: str, actor_id: int) -> bool:
    write_transaction()
    try:
        role = _role_by_slug(slug)
        if role is None:
            raise LookupError(slug)
        if role.status == status:
            db.session.rollback()
            return False
        if status == RoleStatus.CLOSED and role.status == RoleStatus.DRAFT:
            raise StatusError("A draft is not public: there is nothing to close. Publish it first.")
        before = role.status
        role.status = status
        role.edited_at = utcnow()
        record(action, actor_id, None, role=slug, before=before.value, after=status.value)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True


# ---------------------------------------------------------------- shared


def _role_by_slug(slug: str) -> Role | None:
    return db.session.scalars(select(Role).filter_by(slug=slug)).one_or_none()


def _new_role(fields: dict[str, Any]) -> Role:
    slug = fields.get("slug") or ""
    if not SLUG.match(slug):
        raise CatalogRuleError("Use lower-case letters, digits and single hyphens (like data-engineer).", "slug")
    if _role_by_slug(slug) is not None:
        raise CatalogRuleError(f"There is a role at /roles/{slug} already: choose another address.", "slug")
    role = Role(**fields, status=RoleStatus.DRAFT)
    db.session.add(role)
    return role


def _check_skills(skills: list[SkillSpec]) -> None:
    slugs = [skill.slug for skill in skills]
    if not skills:
        raise CatalogRuleError("List at least one skill.", "skills")
    if len(set(slugs)) != len(slugs):
        twice = next(slug for slug in slugs if slugs.count(slug) > 1)
        raise CatalogRuleError(f"The skill slug {twice!r} is used twice: each skill needs its own.", "skills")
    if not all(SLUG.match(slug) and len(slug) <= 80 for slug in slugs):
        raise CatalogRuleError("Skill slugs are lower-case letters, digits and single hyphens.", "skills")


def _check_companies(companies: list[CompanySpec]) -> None:
    slugs = [company.slug for company in companies]
    if len(set(slugs)) != len(slugs):
        raise CatalogRuleError("A company is listed twice.", "companies")
    known = set(db.session.scalars(select(Company.slug).where(Company.slug.in_(slugs))))
    missing = [s for s in slugs if s not in known]
    if missing:
        raise CatalogRuleError(f"No company {missing[0]!r}: add it on the companies page first.", "companies")


def _named(companies: list[CompanySpec]) -> list[CompanySpec]:
    """The listings with each company's own name (the admin form names only the slug)."""
    names = dict(db.session.execute(
        select(Company.slug, Company.name).where(Company.slug.in_([c.slug for c in companies]))
    ).all())
    return [CompanySpec(c.slug, names[c.slug], c.summary) for c in companies]


def usage_of_skills(skill_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{skill id: (claims by applications, recruiters' annotations)}."""
    usage = {skill_id: [0, 0] for skill_id in skill_ids}
    for index, model in enumerate((ApplicationSkillClaim, SkillAnnotation)):
        rows = db.session.execute(
            select(model.skill_id, func.count()).where(model.skill_id.in_(skill_ids)).group_by(model.skill_id)
        )
        for skill_id, count in rows:
            usage[skill_id][index] = count
    return {skill_id: (claims, notes) for skill_id, (claims, notes) in usage.items()}


def _check_retirements(role: Role, spec: RoleSpec, confirmed: bool) -> None:
    kept = {skill.slug for skill in spec.skills}
    leaving = [skill for skill in role.skills if not skill.retired and skill.slug not in kept]
    usage = usage_of_skills([skill.id for skill in leaving])
    used = [(s.slug, s.name, *usage[s.id]) for s in leaving if any(usage[s.id])]
    if used and not confirmed:
        raise RetireNeedsConfirmation(used)


def _assign(obj, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _write(role: Role, spec: RoleSpec, retire) -> list[str]:
    """Make ``role`` say what ``spec`` says; the names of what changed.
    ``retire(skill)`` is told of each skill retired."""
    changed = _assign(role, spec.fields)

    by_slug = {skill.slug: skill for skill in role.skills}
    skills_changed = False
    for position, skill_spec in enumerate(spec.skills):
        values = {"name": skill_spec.name, "text": skill_spec.text, "keywords": list(skill_spec.keywords),
                  "position": position, "retired": False}
        skill = by_slug.pop(skill_spec.slug, None)
        if skill is None:
            role.skills.append(RoleSkill(slug=skill_spec.slug, **values))
            skills_changed = True
        else:
            skills_changed |= bool(_assign(skill, values))
    for skill in by_slug.values():
        if not skill.retired:
            skill.retired = True
            skills_changed = True
            retire(skill)
    if skills_changed:
        changed.append("skills")

    # Ordered lists with no identity of their own: replaced when they differ.
    if [step.title for step in role.career_steps] != spec.career_path:
        role.career_steps = [CareerStep(position=i, title=t) for i, t in enumerate(spec.career_path)]
        changed.append("career_path")

    band_fields = list(SalarySpec.__dataclass_fields__)
    if [SalarySpec(**{f: getattr(b, f) for f in band_fields}) for b in role.salary_bands] != spec.salary_bands:
        role.salary_bands = [SalaryBand(position=i, **asdict(band)) for i, band in enumerate(spec.salary_bands)]
        changed.append("salary_bands")

    if [(f.question, f.answer) for f in role.faqs] != spec.faq:
        role.faqs = [RoleFaq(position=i, question=q, answer=a) for i, (q, a) in enumerate(spec.faq)]
        changed.append("faq")

    # Companies exist once across roles; the listing carries this page's words.
    listings = {listing.company.slug: listing for listing in role.company_listings}
    kept, companies_changed = [], False
    for position, company_spec in enumerate(spec.companies):
        company = _company(company_spec)
        companies_changed |= company in db.session.new or bool(_assign(company, {"name": company_spec.name}))
        listing = listings.pop(company_spec.slug, None)
        if listing is None:
            listing = RoleCompany(company=company, position=position, summary=company_spec.summary)
            companies_changed = True
        else:
            companies_changed |= bool(_assign(listing, {"position": position, "summary": company_spec.summary}))
        kept.append(listing)
    if listings or companies_changed:
        role.company_listings = kept
        changed.append("companies")
    return changed


def _company(spec: CompanySpec) -> Company:
    company = db.session.execute(select(Company).filter_by(slug=spec.slug)).scalar_one_or_none()
    if company is None:
        company = Company(slug=spec.slug, name=spec.name)
        db.session.add(company)
    return company
