"""Where applications come from (contract: ``GET /roles/<slug>?source=``, the
apply field ``source``, the CSV's ``source`` column): the role page carries
the source into its form, even from the page kept for every visitor, the
application stores it, and the CSV shows it."""
import csv
import io
import re

import pytest
from sqlalchemy import select, update

from ats.models import Application, Role, RoleStatus
from ats.public.role_pages import SOURCE_SLOT, kept_pages
from ats.queries.catalog import catalog_version
from tests.fixtures.staff import csrf_token_from
from tests.test_apply import APPLY_URL, ROLE_URL, form

pytestmark = pytest.mark.usefixtures("seeded", "upload_dir")

SOURCE_FIELD = re.compile(r'<input[^>]*name="source"[^>]*>')


def source_in(page: str) -> str:
    fields = SOURCE_FIELD.findall(page)
    assert len(fields) == 1, fields
    assert 'type="hidden"' in fields[0]
    return re.search(r'value="([^"]*)"', fields[0]).group(1)


def visit(client, query: str = "") -> tuple[str, str]:
    """(the form's source, its CSRF token) on the role page at ``query``."""
    response = client.get(ROLE_URL + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SOURCE_SLOT not in page
    return source_in(page), csrf_token_from(page)


@pytest.mark.parametrize(("query", "expected"), [
    ("", "role-page"),
    ("?source=linkedin", "linkedin"),
    ("?source=job-board-2026", "job-board-2026"),
    ("?utm_source=newsletter", "newsletter"),
    ("?source=linkedin&utm_source=newsletter", "linkedin"),
    ("?source=" + "a" * 40, "a" * 40),
])
def test_the_form_carries_the_source(client, query, expected):
    assert visit(client, query)[0] == expected


@pytest.mark.parametrize("query", [
    "?source=", "?source=LinkedIn", "?source=" + "a" * 41, "?source=linked_in", "?source=a%20b",
    '?source="><script>alert(1)</script>', "?source=%00", "?source=caf%C3%A9", "?source=x&source=y",
    # An invalid source is ignored: utm_source is only read when source is absent.
    "?source=Bad&utm_source=newsletter", "?utm_source=Bad!",
])
def test_an_invalid_source_is_ignored(client, query):
    expected = "x" if query == "?source=x&source=y" else "role-page"
    assert visit(client, query)[0] == expected


def test_two_sources_from_the_same_kept_page_each_get_their_own(app, db_session):
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    assert visit(first, "?source=mastodon-ad")[0] == "mastodon-ad"
    with app.app_context():
        kept = kept_pages().get("healthcare-ai-engineer", catalog_version())
    # Kept once, with neither the first visitor's source nor their token in it.
    assert kept is not None and SOURCE_SLOT in kept and "mastodon-ad" not in kept
    source, token = visit(second, "?utm_source=newsletter")
    assert source == "newsletter"
    assert visit(third)[0] == "role-page"
    with app.app_context():
        # Still the one page: nothing rendered again.
        assert kept_pages().get("healthcare-ai-engineer", catalog_version()) is kept
    assert second.post(APPLY_URL, data=form(token, source=source)).status_code == 303
    assert db_session.scalar(select(Application.source)) == "newsletter"


def test_staff_get_the_source_on_their_own_page(client, signed_in):
    assert visit(client, "?source=intranet")[0] == "intranet"


@pytest.mark.parametrize(("posted", "stored"), [
    ("linkedin", "linkedin"),
    (None, "role-page"),
    ("", "role-page"),
    ("Not Valid", "role-page"),
    ("a" * 41, "role-page"),
    ("=cmd|calc", "role-page"),
])
def test_the_posted_source_is_stored_or_falls_back_never_refused(client, db_session, posted, stored):
    _, token = visit(client)
    response = client.post(APPLY_URL, data=form(token, source=posted))
    assert response.status_code == 303
    assert db_session.scalar(select(Application.source)) == stored


def test_a_form_sent_back_with_errors_keeps_a_valid_source(client, db_session):
    _, token = visit(client, "?source=meetup")
    response = client.post(APPLY_URL, data=form(token, source="meetup", full_name=""))
    assert response.status_code == 422
    assert source_in(response.get_data(as_text=True)) == "meetup"
    response = client.post(APPLY_URL, data=form(token, source="Bad One", full_name=""))
    assert source_in(response.get_data(as_text=True)) == "role-page"


def test_round_trip_role_page_apply_csv(app, client, auth, manager):
    sources = {}
    for number, query in enumerate(["?source=linkedin", "?utm_source=career-fair", "", "?source=BAD"]):
        visitor = app.test_client()
        source, token = visit(visitor, query)
        email = f"candidate{number}@example.org"
        assert visitor.post(APPLY_URL, data=form(token, source=source, email=email)).status_code == 303
        sources[email] = source
    assert auth.login(manager).status_code == 303
    response = client.get("/reports/pipeline.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data()[3:].decode(), newline="")))
    assert {row["email"]: row["source"] for row in rows} == {
        "candidate0@example.org": "linkedin",
        "candidate1@example.org": "career-fair",
        "candidate2@example.org": "role-page",
        "candidate3@example.org": "role-page",
    }


# --- Tracked links from the board ------------------------------------------------

LINK_FIELD = re.compile(r'<input[^>]*id="tracked-link-url"[^>]*>')


def test_the_board_offers_the_tracked_link_form(client, signed_in, role):
    body = client.get(f"/pipeline/{role.slug}").get_data(as_text=True)
    assert f'action="/pipeline/{role.slug}/tracked-link"' in body
    assert 'name="source"' in body


def test_a_tracked_link_is_built_from_the_public_address(app, client, signed_in, role, monkeypatch):
    monkeypatch.setitem(app.config, "ATS_PUBLIC_URL", "https://careers.example.org/jobs")
    response = client.get(f"/pipeline/{role.slug}/tracked-link?source=career-fair-2026")
    assert response.status_code == 200
    field = LINK_FIELD.search(response.get_data(as_text=True)).group(0)
    assert "readonly" in field
    assert ('value="https://careers.example.org/jobs/roles/healthcare-ai-engineer?source=career-fair-2026"'
            in field)


def test_the_tracked_link_brings_its_source_to_the_role_page(app, client, signed_in, role):
    body = client.get(f"/pipeline/{role.slug}/tracked-link?source=meetup").get_data(as_text=True)
    link = re.search(r'value="([^"]+)"', LINK_FIELD.search(body).group(0)).group(1)
    assert link.startswith(app.config["ATS_PUBLIC_URL"])
    path = link.removeprefix(app.config["ATS_PUBLIC_URL"])
    assert visit(app.test_client(), path.removeprefix(ROLE_URL))[0] == "meetup"


@pytest.mark.parametrize("source", ["LinkedIn", "a b", "a" * 41, "<b>x</b>", "café"])
def test_a_bad_source_is_422_with_the_error_on_the_form(client, signed_in, role, source):
    response = client.get(f"/pipeline/{role.slug}/tracked-link", query_string={"source": source})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "lowercase letters, digits and hyphens only" in body
    assert 'aria-invalid="true"' in body
    assert not LINK_FIELD.search(body)
    assert "<b>x</b>" not in body


def test_no_source_yet_is_the_form_alone_and_an_empty_one_is_422(client, signed_in, role):
    response = client.get(f"/pipeline/{role.slug}/tracked-link")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="tracked-source"' in body and "field__error" not in body and not LINK_FIELD.search(body)
    assert client.get(f"/pipeline/{role.slug}/tracked-link?source=").status_code == 422


def test_an_unknown_role_is_404(client, signed_in):
    assert client.get("/pipeline/no-such-role/tracked-link?source=x").status_code == 404


@pytest.mark.parametrize(("status", "notice"), [
    (RoleStatus.OPEN, None), (RoleStatus.CLOSED, "This role is not open"), (RoleStatus.DRAFT, "not published yet"),
])
def test_the_link_page_says_when_the_role_is_not_open(client, signed_in, role, db_session, status, notice):
    db_session.execute(update(Role).values(status=status))
    db_session.commit()
    body = client.get(f"/pipeline/{role.slug}/tracked-link?source=x").get_data(as_text=True)
    assert LINK_FIELD.search(body)
    if notice:
        assert notice in body
    else:
        assert "This role is not open" not in body
