"""schema.org ``JobPosting`` for a role page, read by job search engines."""
from flask import current_app

from ..models import Role
from ..urls import absolute_url, site_url


def _amount(low: int, high: int, unit: str, name: str) -> dict:
    return {
        "@type": "MonetaryAmount",
        "currency": "USD",
        "name": name,
        "value": {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitText": unit},
    }


def base_salary(role: Role) -> list[dict]:
    """One MonetaryAmount range per salary band: yearly base pay, monthly for interns."""
    amounts = []
    for band in role.salary_bands:
        if band.base_min is not None:
            amounts.append(_amount(band.base_min, band.base_max, "YEAR", band.level))
        if band.intern_monthly_min is not None:
            amounts.append(_amount(band.intern_monthly_min, band.intern_monthly_max, "MONTH", band.level))
    return amounts


def job_posting(role: Role) -> dict:
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": role.title,
        "description": "\n\n".join(
            [role.introduction, role.duties]
            + ["Required skills:\n" + "\n".join(f"- {s.text}" for s in role.active_skills)]
        ),
        "datePosted": role.date_posted.isoformat(),
        "employmentType": role.employment_type_list,
        "directApply": True,
        "url": absolute_url("public.role", slug=role.slug),
        "hiringOrganization": {
            "@type": "Organization",
            "name": current_app.config["ATS_SITE_NAME"],
            "sameAs": site_url() + "/",
        },
        "skills": [skill.text for skill in role.active_skills],
        "occupationalCategory": role.title,
    }
    if role.valid_through:
        posting["validThrough"] = role.valid_through.isoformat()
    salary = base_salary(role)
    if salary:
        posting["baseSalary"] = salary
    return posting
