"""schema.org ``JobPosting`` for a role page, read by job search engines
(Google's job search: every field it marks required or recommended).

A role has no place of work in the catalog: it is posted as remote work
(``jobLocationType: TELECOMMUTE``) open to applicants in ``ATS_JOB_COUNTRY``
(``applicantLocationRequirements``), which Google accepts instead of a
``jobLocation``."""
from flask import current_app
from markupsafe import Markup

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


def _paragraphs(text: str) -> Markup:
    return Markup("").join(
        Markup("<p>{}</p>").format(part.strip()) for part in text.split("\n\n") if part.strip()
    )


def description(role: Role) -> str:
    """The introduction, the duties and the required skills, as the HTML
    Google shows (``<p>``, ``<ul>``, ``<li>``); the catalog's text escaped."""
    skills = Markup("").join(Markup("<li>{}</li>").format(skill.text) for skill in role.active_skills)
    html = _paragraphs(role.introduction) + _paragraphs(role.duties)
    if skills:
        html += Markup("<p>Required skills:</p><ul>{}</ul>").format(skills)
    return str(html)


def job_posting(role: Role) -> dict:
    site_name = current_app.config["ATS_SITE_NAME"]
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": role.title,
        "description": description(role),
        "identifier": {"@type": "PropertyValue", "name": site_name, "value": role.slug},
        "datePosted": role.date_posted.isoformat(),
        "employmentType": role.employment_type_list,
        "directApply": True,
        "url": absolute_url("public.role", slug=role.slug),
        "hiringOrganization": {
            "@type": "Organization",
            "name": site_name,
            "sameAs": site_url() + "/",
        },
        "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": {
            "@type": "Country",
            "name": current_app.config["ATS_JOB_COUNTRY"],
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
