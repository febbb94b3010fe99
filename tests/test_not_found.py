"""A path id that names nothing is 404 on every staff page that takes one
(the contract's "Staff pages"): each view loads its record with
``db.get_or_404``, and this walks the URL map so a new view is checked too."""
import re

import pytest

MISSING = 999_999
# Past what a database id can hold: it must not reach a query. (PostgreSQL's
# INTEGER ids end at 2**31 - 1; SQLite's at 2**63 - 1.)
TOO_LARGE = 2**64
PAST_POSTGRES = 2**40


def id_routes(app, missing: int = MISSING) -> list[tuple[str, str]]:
    """(method, path) for every route whose only arguments are integer ids,
    each id filled with ``missing``, which names nothing. The API's routes
    take a token, not a session: tests/test_api.py checks their 404s."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            continue
        ids = re.findall(r"<int:(\w+)>", rule.rule)
        if not ids or set(ids) != set(rule.arguments):
            continue
        path = rule.rule
        for name in ids:
            path = path.replace(f"<int:{name}>", str(missing))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)


@pytest.mark.parametrize("missing", [MISSING, PAST_POSTGRES, TOO_LARGE])
def test_every_id_that_names_nothing_is_404(app, client, admin, auth, missing):
    assert auth.login(admin).status_code == 303
    token = auth.token("/pipeline/")
    routes = id_routes(app, missing)
    assert ("GET", f"/pipeline/applications/{missing}") in routes
    assert ("POST", f"/interviews/{missing}/cancel") in routes
    assert ("GET", f"/interviews/offers/{missing}") in routes
    answers = {
        (method, path): client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        .status_code
        for method, path in routes
    }
    assert answers == dict.fromkeys(routes, 404)


def test_a_bulk_move_naming_an_id_past_any_row_is_refused_for_it_alone(client, signed_in, auth, role,
                                                                        create_application, db_session):
    real = create_application(role, "Ada Lovelace")
    response = client.post(f"/pipeline/{role.slug}/bulk", data={
        "csrf_token": auth.token("/pipeline/"),
        "application": [f"{TOO_LARGE}:1", f"{real.id}:{real.version}", f"{MISSING}:{TOO_LARGE}"],
        "stage": "screening",
    })
    assert response.status_code == 303
    messages = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved 1 application to Screening." in messages
    assert "Not moved (2)" in messages and "it is not on this board" in messages


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-31", "from=0001-01-01", "to=0001-01-01"])
@pytest.mark.parametrize("path", ["/reports/", "/reports/pipeline.csv"])
def test_a_date_out_of_range_is_400_and_nothing_is_exported(client, auth, manager, db_session, path, query):
    from sqlalchemy import func, select

    from ats.models import AuditEvent

    assert auth.login(manager).status_code == 303
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "must be a date between 1900-01-01 and 9998-12-31" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pipeline.export")) == 0
