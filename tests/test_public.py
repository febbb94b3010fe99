"""Public pages: the catalog, the role page with every section of its source, health and errors."""
import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ats import create_app
from ats.extensions import db
from ats.models import Company, Role, RoleStatus
from config import ProductionConfig, TestingConfig

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "catalog" / "sources" / "healthcare-ai-engineer.txt"
ROLE_URL = "/roles/healthcare-ai-engineer"


def page_text(response) -> str:
    """The page's visible words, tags dropped and entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def source_fragments() -> list[str]:
    """Every piece of text of the source page, as a reader would find it on ours."""
    fragments = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or set(line) <= set("|-"):
            continue
        if line.startswith("|"):
            fragments += [cell.strip() for cell in line.strip("|").split("|")]
        elif " → " in line:
            fragments += line.split(" → ")
        else:
            fragments.append(line.removeprefix("- ✓"))
    return fragments


def test_catalog_lists_published_roles(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Healthcare AI Engineer Jobs & Internships 2026" in text
    assert f'href="{ROLE_URL}"' in response.get_data(as_text=True)


def test_catalog_without_roles_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no open roles" in page_text(response)


def test_role_page_shows_every_section_of_the_source(client, seeded):
    response = client.get(ROLE_URL)
    assert response.status_code == 200
    text = page_text(response)
    missing = [fragment for fragment in source_fragments() if fragment not in text]
    assert not missing, f"not on the page: {missing}"


def test_role_page_sections_in_the_source_order(client, seeded):
    text = page_text(client.get(ROLE_URL))
    headings = [
        "Healthcare AI Engineer Jobs & Internships 2026",
        "What Does a Healthcare AI Engineer Do?",
        "Required Skills & Qualifications",
        "A Day in the Life of a Healthcare AI Engineer",
        "Career Path & Salary Progression",
        "Top Companies Hiring Healthcare AI Engineers",
        "Apply for Healthcare AI Engineer Roles",
        "Healthcare AI Engineer — Frequently Asked Questions",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


def test_salary_table_has_levels_and_every_column(client, seeded):
    body = client.get(ROLE_URL).get_data(as_text=True)
    table = body[body.index("<table"): body.index("</table>")]
    rows = [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    assert rows == [
        ["Level", "Base Salary", "Total Comp (with equity)", "Intern Monthly"],
        ["Intern", "—", "—", "$8,000–$13,000/mo"],
        ["Entry-Level (0–2 yrs)", "$120,000–$175,000", "+20–40% in equity/bonus", "—"],
        ["Mid-Level (3–5 yrs)", "$175,000–$245,000", "+30–60% in equity/bonus", "—"],
        ["Senior (5–8 yrs)", "$245,000–$342,000", "+50–100% in equity/bonus", "—"],
    ]


def test_companies_each_with_what_the_page_says(client, seeded):
    body = client.get(ROLE_URL).get_data(as_text=True)
    for slug, name, words in [
        ("tempus", "Tempus", "oncology treatment optimization"),
        ("pathai", "PathAI", "computational pathology"),
        ("flatiron-health", "Flatiron Health", "real-world clinical evidence"),
        ("google-health", "Google Health", "diagnostic imaging AI"),
    ]:
        card = body[body.index(f'id="company-{slug}"'):]
        card = card[: card.index("</li>")]
        assert name in card and words in card


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.get_data(as_text=True), re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_role_page_carries_job_posting_json_ld(client, seeded):
    posting = json_ld(client.get(ROLE_URL))
    assert posting["@context"] == "https://schema.org"
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == "Healthcare AI Engineer"
    assert posting["datePosted"] == "2026-01-05"
    assert posting["employmentType"] == ["FULL_TIME", "INTERN"]
    assert posting["directApply"] is True
    assert posting["url"] == "http://localhost" + ROLE_URL
    assert "de-identification pipelines" in posting["description"]
    assert posting["hiringOrganization"]["@type"] == "Organization"
    ranges = [
        (a["@type"], a["currency"], a["value"]["@type"], a["value"]["minValue"], a["value"]["maxValue"], a["value"]["unitText"])
        for a in posting["baseSalary"]
    ]
    assert ranges == [
        ("MonetaryAmount", "USD", "QuantitativeValue", 8000, 13000, "MONTH"),
        ("MonetaryAmount", "USD", "QuantitativeValue", 120000, 175000, "YEAR"),
        ("MonetaryAmount", "USD", "QuantitativeValue", 175000, 245000, "YEAR"),
        ("MonetaryAmount", "USD", "QuantitativeValue", 245000, 342000, "YEAR"),
    ]


def test_json_ld_cannot_be_broken_out_of(client, seeded, db_session):
    role = db_session.scalars(select(Role)).one()
    role.title = "</script><script>alert(1)</script>"
    db_session.commit()
    response = client.get(ROLE_URL)
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert json_ld(response)["title"] == "</script><script>alert(1)</script>"


def test_role_page_has_title_description_and_open_graph(client, seeded):
    body = client.get(ROLE_URL).get_data(as_text=True)
    assert "<title>Healthcare AI Engineer Jobs &amp; Internships 2026 · " in body
    for tag in ('name="description"', 'property="og:title"', 'property="og:description"', 'property="og:url"', 'property="og:type"', 'rel="canonical"'):
        assert tag in body, tag
    assert f'<meta property="og:url" content="http://localhost{ROLE_URL}">' in body


def test_public_url_setting_makes_absolute_links(app, client, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org/")
    posting = json_ld(client.get(ROLE_URL))
    assert posting["url"] == "https://careers.example.org" + ROLE_URL


def test_unknown_and_unpublished_roles_are_404_pages(client, seeded, db_session):
    response = client.get("/roles/no-such-role")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in page_text(response)
    db_session.scalars(select(Role)).one().status = RoleStatus.DRAFT
    db_session.commit()
    assert client.get(ROLE_URL).status_code == 404
    assert "no open roles" in page_text(client.get("/"))


def test_unknown_path_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "in-process", "limits": "in-process"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")

    class Unreachable(TestingConfig):
        # No folder can be made there, so no database file either.
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'a-file' / 'db.sqlite3'}"

    response = create_app(Unreachable).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_server_error_renders_a_page_and_rolls_back(app):
    """A failing request shows the 500 page and leaves nothing of what it wrote."""

    class SameDatabase(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        TESTING = False  # let the error handler answer instead of raising

    crashing = create_app(SameDatabase)

    @crashing.get("/crash")
    def crash():
        db.session.add(Company(slug="half-written", name="Half written"))
        db.session.flush()
        raise RuntimeError("boom")

    response = crashing.test_client().get("/crash")
    assert response.status_code == 500
    assert "Something went wrong" in page_text(response)
    with crashing.app_context():
        assert db.session.scalars(select(Company).filter_by(slug="half-written")).first() is None


@pytest.mark.parametrize("path", ["/", ROLE_URL, "/no-such-page", "/healthz", "/static/css/site.css"])
def test_security_headers_on_every_response(client, seeded, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax(app):
    with app.test_request_context("/"):
        from flask import session

        session["seen"] = True
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_cookies_are_secure_and_key_is_required(monkeypatch):
    class Production(ProductionConfig):
        SECRET_KEY = "x" * 32
        ATS_PUBLIC_URL = "https://careers.example.org"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    production = create_app(Production)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    with production.test_request_context("/"):
        from flask import session

        session["seen"] = True
        response = production.make_response("ok")
        production.session_interface.save_session(production, session, response)
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in production.test_client().get("/healthz").headers

    class NoKey(Production):
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoKey)
