"""``ats export-catalog``: the role catalog as the database holds it, written
as the TOML files ``ats seed`` reads (``ats.tools.catalog``), one per role,
such that reading them back gives the same content. Retired skills are left
out (a file that omits a skill retires it); companies' websites and
descriptions live in the admin pages only.
"""
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Role
from ..operations.catalog import CompanySpec, RoleSpec, SalarySpec, SkillSpec

_SCALARS = ("slug", "title", "title_plural", "headline", "summary")
_TEXTS = ("introduction", "duties", "day_in_life")


def role_spec(role: Role) -> RoleSpec:
    """What the database holds of ``role``, as a catalog file would say it."""
    fields = {name: getattr(role, name) for name in (*_SCALARS, *_TEXTS, "salary_note", "apply_text",
                                                      "employment_types", "date_posted", "valid_through",
                                                      "status")}
    return RoleSpec(
        fields=fields,
        skills=[SkillSpec(s.slug, s.name, s.text, tuple(s.keywords or ())) for s in role.active_skills],
        career_path=[step.title for step in role.career_steps],
        salary_bands=[
            SalarySpec(b.level, b.base_min, b.base_max, b.total_comp, b.intern_monthly_min, b.intern_monthly_max)
            for b in role.salary_bands
        ],
        companies=[CompanySpec(c.company.slug, c.company.name, c.summary) for c in role.company_listings],
        faq=[(f.question, f.answer) for f in role.faqs],
    )


def export_catalog(directory: Path) -> list[Path]:
    """Write ``directory/roles/<slug>.toml`` for every role; the paths written."""
    roles_dir = Path(directory) / "roles"
    roles_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for role in db.session.scalars(select(Role).order_by(Role.slug)):
        path = roles_dir / f"{role.slug}.toml"
        path.write_text(role_toml(role_spec(role)), encoding="utf-8")
        written.append(path)
    return written


def role_toml(spec: RoleSpec) -> str:
    f = spec.fields
    lines = ["# Written by `flask --app wsgi ats export-catalog`; `ats seed` reads it back.", ""]
    for name in _SCALARS:
        lines.append(f"{name} = {_string(f[name])}")
    lines.append(f"employment_types = {_list([t for t in f['employment_types'].split(',') if t])}")
    lines.append(f"date_posted = {_date(f['date_posted'])}")
    if f["valid_through"]:
        lines.append(f"valid_through = {_date(f['valid_through'])}")
    lines.append(f"status = {_string(str(f['status']))}")
    for name in _TEXTS:
        lines += ["", f"{name} = {_text(f[name])}"]
    lines += ["", "career_path = [", *(f"    {_string(step)}," for step in spec.career_path), "]", ""]
    if f["salary_note"]:
        lines.append(f"salary_note = {_string(f['salary_note'])}")
    lines.append(f"apply_text = {_string(f['apply_text'])}")
    for skill in spec.skills:
        lines += ["", "[[skills]]", f"slug = {_string(skill.slug)}", f"name = {_string(skill.name)}",
                  f"text = {_string(skill.text)}"]
        if skill.keywords:
            lines.append(f"keywords = {_list(skill.keywords)}")
    for band in spec.salary_bands:
        lines += ["", "[[salary_bands]]", f"level = {_string(band.level)}"]
        if band.base_min is not None:
            lines.append(f"base = [{band.base_min}, {band.base_max}]")
        if band.total_comp is not None:
            lines.append(f"total_comp = {_string(band.total_comp)}")
        if band.intern_monthly_min is not None:
            lines.append(f"intern_monthly = [{band.intern_monthly_min}, {band.intern_monthly_max}]")
    for company in spec.companies:
        lines += ["", "[[companies]]", f"slug = {_string(company.slug)}", f"name = {_string(company.name)}",
                  f"summary = {_string(company.summary)}"]
    for question, answer in spec.faq:
        lines += ["", "[[faq]]", f"question = {_string(question)}", f"answer = {_text(answer)}"]
    return "\n".join(lines) + "\n"


def _escaped(value: str, newlines: bool) -> str:
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n" and newlines:
            out.append("\n")
        elif char == "\t":
            out.append("\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _string(value: str) -> str:
    return f'"{_escaped(value, newlines=False)}"'


def _text(value: str) -> str:
    """Long text as a multi-line string (the reader strips the line ends around it)."""
    return f'"""\n{_escaped(value, newlines=True)}\n"""'


def _list(values) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _date(value: date) -> str:
    return value.isoformat()
