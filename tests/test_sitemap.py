"""For search engines (contract: ``GET /sitemap.xml``): the sitemap lists the
open role pages with absolute addresses and ``lastmod``; robots.txt points at
it and keeps crawlers out of the staff pages."""
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from ats.models import Role, RoleStatus

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}

pytestmark = pytest.mark.usefixtures("seeded")


def entries(client) -> dict[str, str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    found = {}
    for url in root.findall("sm:url", NS):
        found[url.findtext("sm:loc", namespaces=NS)] = url.findtext("sm:lastmod", namespaces=NS)
    assert len(found) == len(root.findall("sm:url", NS))
    return found


def test_the_open_roles_with_their_last_change(app, client, db_session, create_role, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org/jobs")
    monkeypatch.setitem(app.config, "ATS_CHECK_HOST", False)
    create_role("clinical-data-scientist", "Clinical Data Scientist")
    create_role("closed-role", "A closed role", RoleStatus.CLOSED)
    create_role("draft-role", "A draft role", RoleStatus.DRAFT)
    db_session.execute(update(Role).where(Role.slug == "healthcare-ai-engineer")
                       .values(updated_at=datetime(2026, 2, 3, 23, 30, tzinfo=timezone.utc)))
    db_session.execute(update(Role).where(Role.slug == "clinical-data-scientist")
                       .values(updated_at=datetime(2026, 3, 4, 0, 15, tzinfo=timezone.utc)))
    db_session.commit()
    assert entries(client) == {
        "https://careers.example.org/jobs/roles/clinical-data-scientist": "2026-03-04",
        "https://careers.example.org/jobs/roles/healthcare-ai-engineer": "2026-02-03",
    }


def test_a_role_closed_leaves_and_reopened_comes_back(client, db_session):
    url = "http://localhost/roles/healthcare-ai-engineer"
    assert url in entries(client)
    db_session.execute(update(Role).values(status=RoleStatus.CLOSED))
    db_session.commit()
    assert entries(client) == {}
    db_session.execute(update(Role).values(status=RoleStatus.OPEN))
    db_session.commit()
    assert list(entries(client)) == [url]


def test_lastmod_is_a_w3c_date(client, db_session):
    (lastmod,) = entries(client).values()
    updated = db_session.scalar(select(Role.updated_at))
    assert date.fromisoformat(lastmod) == updated.astimezone(timezone.utc).date()


def test_every_listed_page_is_there(client):
    for url in entries(client):
        assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_robots_points_at_the_sitemap_and_keeps_staff_pages_out(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org")
    monkeypatch.setitem(app.config, "ATS_CHECK_HOST", False)
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: https://careers.example.org/sitemap.xml" in lines
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {"/pipeline/", "/interviews/", "/reports/", "/admin/", "/account/", "/login",
                          "/applications/", "/api/"}
    # The public pages stay open.
    assert not any(line.startswith("Disallow: /roles") or line == "Disallow: /" for line in lines)


def test_both_are_public(client):
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/robots.txt").status_code == 200
