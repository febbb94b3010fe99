"""Load the role catalog (``catalog/roles/*.toml``) into the database.

Every file is read and checked before anything is written, and everything is
written in one transaction, so a bad file leaves the database as it was. A
second run with the same files changes nothing; an edited file updates its
role in place, keeping the ids that applications refer to.

A role edited in the admin pages is not overwritten unless forced
(``ats.operations.catalog``); ``ats export-catalog`` writes the catalog as
the database holds it back into files this module reads identically
(``ats.tools.catalog_export``).

A role's ``status`` is ``draft``, ``open`` (the default) or ``closed``; the
older ``published = true|false`` is read as ``open``|``draft``.
"""
import tomllib
from datetime import date
from pathlib import Path

from ..models import RoleStatus
from ..operations.catalog import SLUG, CompanySpec, RoleSpec, SalarySpec, SeedResult, SkillSpec, seed_roles

EMPLOYMENT_TYPES = {
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER",
}
STATUSES = [status.value for status in RoleStatus]


class CatalogError(Exception):
    """A catalog file that cannot be loaded; the message names the file and the field."""


class _Reader:
    """Checks one file's values, naming the file and field in every complaint."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, field: str, problem: str):
        raise CatalogError(f"{self.path}: field '{field}': {problem}")

    def get(self, data: dict, key: str, kind: type, field: str, required: bool = True):
        if key not in data:
            if required:
                self.fail(field, "is required")
            return None
        value = data[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            self.fail(field, f"must be {_KIND_NAMES[kind]}, not {type(value).__name__}")
        return value

    def text(self, data: dict, key: str, field: str, max_length: int, required: bool = True):
        value = self.get(data, key, str, field, required)
        if value is None:
            return None
        value = value.strip()
        if required and not value:
            self.fail(field, "must not be empty")
        if len(value) > max_length:
            self.fail(field, f"is {len(value)} characters long; at most {max_length}")
        return value

    def slug(self, data: dict, field: str):
        value = self.text(data, "slug", field, 80)
        if not SLUG.match(value):
            self.fail(field, f"{value!r} is not a slug (lower-case letters, digits and single hyphens)")
        return value

    def table_list(self, data: dict, key: str, required: bool = True) -> list[dict]:
        items = self.get(data, key, list, key, required) or []
        if required and not items:
            self.fail(key, "must list at least one entry")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{key}[{index}]", "must be a table")
        return items

    def amount_range(self, data: dict, key: str, field: str):
        value = self.get(data, key, list, field, required=False)
        if value is None:
            return None, None
        if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            self.fail(field, "must be two whole amounts, [low, high]")
        low, high = value
        if low < 0 or high < low:
            self.fail(field, f"[{low}, {high}] is not a range from low to high")
        return low, high

    def words(self, data: dict, key: str, field: str) -> tuple[str, ...]:
        values = self.get(data, key, list, field, required=False) or []
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip() or len(value) > 80:
                self.fail(f"{field}[{index}]", "must be a word or phrase of 1 to 80 characters")
        return tuple(value.strip() for value in values)

    def unique(self, values: list[str], field: str):
        seen = set()
        for value in values:
            if value in seen:
                self.fail(field, f"{value!r} appears twice")
            seen.add(value)


_KIND_NAMES = {str: "text", int: "a whole number", list: "a list", bool: "true or false", date: "a date (YYYY-MM-DD)"}


def read_role_file(path: Path) -> RoleSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: not valid TOML: {error}") from None
    r = _Reader(path)

    employment_types = r.get(data, "employment_types", list, "employment_types")
    for index, value in enumerate(employment_types):
        if value not in EMPLOYMENT_TYPES:
            r.fail(f"employment_types[{index}]", f"{value!r} is not one of {', '.join(sorted(EMPLOYMENT_TYPES))}")
    status = _status(r, data)
    fields = {
        "slug": r.slug(data, "slug"),
        "title": r.text(data, "title", "title", 200),
        "title_plural": r.text(data, "title_plural", "title_plural", 200),
        "headline": r.text(data, "headline", "headline", 300),
        "summary": r.text(data, "summary", "summary", 400),
        "introduction": r.text(data, "introduction", "introduction", 20_000),
        "duties": r.text(data, "duties", "duties", 20_000),
        "day_in_life": r.text(data, "day_in_life", "day_in_life", 20_000),
        "salary_note": r.text(data, "salary_note", "salary_note", 2_000, required=False) or "",
        "apply_text": r.text(data, "apply_text", "apply_text", 2_000),
        "employment_types": ",".join(employment_types),
        "date_posted": r.get(data, "date_posted", date, "date_posted"),
        "valid_through": r.get(data, "valid_through", date, "valid_through", required=False),
        "status": status,
    }
    if fields["slug"] != path.stem:
        r.fail("slug", f"{fields['slug']!r} must match the file name {path.stem!r}")

    skills = [
        SkillSpec(
            slug=r.slug(item, f"skills[{i}].slug"),
            name=r.text(item, "name", f"skills[{i}].name", 120),
            text=r.text(item, "text", f"skills[{i}].text", 1_000),
            keywords=r.words(item, "keywords", f"skills[{i}].keywords"),
        )
        for i, item in enumerate(r.table_list(data, "skills"))
    ]
    r.unique([s.slug for s in skills], "skills[].slug")

    career_path = r.get(data, "career_path", list, "career_path")
    for index, step in enumerate(career_path):
        if not isinstance(step, str) or not step.strip():
            r.fail(f"career_path[{index}]", "must be non-empty text")
    career_path = [step.strip() for step in career_path]

    salary_bands = []
    for i, item in enumerate(r.table_list(data, "salary_bands", required=False)):
        base = r.amount_range(item, "base", f"salary_bands[{i}].base")
        monthly = r.amount_range(item, "intern_monthly", f"salary_bands[{i}].intern_monthly")
        salary_bands.append(
            SalarySpec(
                level=r.text(item, "level", f"salary_bands[{i}].level", 120),
                base_min=base[0],
                base_max=base[1],
                total_comp=r.text(item, "total_comp", f"salary_bands[{i}].total_comp", 200, required=False),
                intern_monthly_min=monthly[0],
                intern_monthly_max=monthly[1],
            )
        )

    companies = [
        CompanySpec(
            slug=r.slug(item, f"companies[{i}].slug"),
            name=r.text(item, "name", f"companies[{i}].name", 200),
            summary=r.text(item, "summary", f"companies[{i}].summary", 2_000),
        )
        for i, item in enumerate(r.table_list(data, "companies", required=False))
    ]
    r.unique([c.slug for c in companies], "companies[].slug")

    faq = [
        (
            r.text(item, "question", f"faq[{i}].question", 500),
            r.text(item, "answer", f"faq[{i}].answer", 10_000),
        )
        for i, item in enumerate(r.table_list(data, "faq", required=False))
    ]
    return RoleSpec(fields, skills, career_path, salary_bands, companies, faq, path=path)


def _status(r: _Reader, data: dict) -> RoleStatus:
    published = r.get(data, "published", bool, "published", required=False)
    status = r.get(data, "status", str, "status", required=False)
    if status is not None and published is not None:
        r.fail("published", "give either status or the older published, not both")
    if status is None:
        return RoleStatus.DRAFT if published is False else RoleStatus.OPEN
    if status not in STATUSES:
        r.fail("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    return RoleStatus(status)


def read_catalog(directory: Path) -> list[RoleSpec]:
    roles_dir = Path(directory) / "roles"
    paths = sorted(roles_dir.glob("*.toml"))
    if not paths:
        raise CatalogError(f"{roles_dir}: no role files (*.toml) found")
    specs = [read_role_file(path) for path in paths]
    names: dict[str, tuple[str, Path]] = {}
    for spec in specs:
        for company in spec.companies:
            seen = names.setdefault(company.slug, (company.name, spec.path))
            if seen[0] != company.name:
                raise CatalogError(
                    f"{spec.path}: field 'companies[].name': company {company.slug!r} is "
                    f"named {company.name!r} here but {seen[0]!r} in {seen[1]}"
                )
    return specs


def load_catalog(directory: Path, force: bool = False) -> list[SeedResult]:
    """Read every role file, then create or update the roles in one
    transaction; a role edited in the admin pages is kept unless ``force``."""
    return seed_roles(read_catalog(directory), force=force)
