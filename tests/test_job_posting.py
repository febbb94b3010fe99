"""The role page's schema.org JobPosting, as Google's job search reads it:
every field Google marks required or recommended, parsed from the page."""
import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from ats.models import Role, RoleSkill, RoleStatus
from ats.public.role_pages import kept_pages

ROLE_URL = "/roles/healthcare-ai-engineer"

pytestmark = pytest.mark.usefixtures("seeded")

REQUIRED = {"title", "description", "datePosted", "hiringOrganization"}
RECOMMENDED = {"validThrough", "employmentType", "baseSalary", "identifier", "directApply"}
EMPLOYMENT_TYPES = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}


def postings(client) -> list[dict]:
    response = client.get(ROLE_URL)
    assert response.status_code == 200
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.get_data(as_text=True), re.S)
    return [json.loads(block) for block in blocks]


def posting(client) -> dict:
    (found,) = [block for block in postings(client) if block.get("@type") == "JobPosting"]
    return found


@pytest.fixture
def valid_through(role, db_session):
    db_session.execute(update(Role).values(valid_through=date(2026, 6, 30)))
    db_session.commit()


@pytest.mark.usefixtures("valid_through")
def test_every_required_and_recommended_field(client):
    job = posting(client)
    assert job["@context"] == "https://schema.org"
    assert not (REQUIRED | RECOMMENDED) - set(job), "missing: " + ", ".join(sorted((REQUIRED | RECOMMENDED) - set(job)))
    assert job["title"] == "Healthcare AI Engineer"
    assert "<" not in job["title"]
    assert date.fromisoformat(job["datePosted"]) == date(2026, 1, 5)
    assert date.fromisoformat(job["validThrough"]) == date(2026, 6, 30)
    assert job["directApply"] is True
    assert set(job["employmentType"]) <= EMPLOYMENT_TYPES and job["employmentType"] == ["FULL_TIME", "INTERN"]
    organisation = job["hiringOrganization"]
    assert organisation["@type"] == "Organization" and organisation["name"] == "PropelGrad Careers"
    assert organisation["sameAs"] == "http://localhost/"
    assert job["identifier"] == {"@type": "PropertyValue", "name": "PropelGrad Careers",
                                 "value": "healthcare-ai-engineer"}
    assert job["url"] == "http://localhost" + ROLE_URL
    for amount in job["baseSalary"]:
        assert amount["@type"] == "MonetaryAmount" and amount["currency"] == "USD"
        value = amount["value"]
        assert value["@type"] == "QuantitativeValue" and value["unitText"] in {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}
        assert 0 < value["minValue"] <= value["maxValue"]


def test_a_remote_role_names_where_applicants_may_live(app, client, monkeypatch):
    job = posting(client)
    # Google: either a jobLocation, or TELECOMMUTE with the applicants' country.
    assert "jobLocation" not in job
    assert job["jobLocationType"] == "TELECOMMUTE"
    assert job["applicantLocationRequirements"] == {"@type": "Country", "name": "US"}
    monkeypatch.setitem(app.config, "ATS_JOB_COUNTRY", "CA")
    with app.app_context():
        kept_pages().clear()  # the page was kept with the setting it was rendered with
    assert posting(client)["applicantLocationRequirements"]["name"] == "CA"


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_the_description_is_html_with_the_duties_and_skills(client):
    html = posting(client)["description"]
    parsed = _Html()
    parsed.feed(html)
    assert set(parsed.tags) == {"p", "ul", "li"}
    text = "".join(parsed.text)
    assert "de-identification pipelines" in text
    assert "Clinical NLP: extracting structured information" in text
    assert parsed.tags.count("li") == 8


def test_catalog_text_is_escaped_in_the_description(client, db_session):
    db_session.execute(update(RoleSkill).where(RoleSkill.position == 0)
                       .values(text="Imaging <script>alert(1)</script> & more"))
    db_session.commit()
    html = posting(client)["description"]
    assert "<li>Imaging &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</li>" in html
    assert "<script>" not in html


def test_no_valid_through_when_the_role_has_no_closing_date(client):
    assert "validThrough" not in posting(client)


def test_a_closed_role_has_no_job_posting(client, db_session):
    db_session.execute(update(Role).values(status=RoleStatus.CLOSED))
    db_session.commit()
    assert [block for block in postings(client) if block.get("@type") == "JobPosting"] == []
