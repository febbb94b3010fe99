"""A path id that names nothing is 404 on every staff page that takes one
(the contract's "Staff pages"): each view loads its record with
``db.get_or_404``, and this walks the URL map so a new view is checked too."""
import re

import pytest

MISSING = 999_999
# Past what a database id can hold: it must not reach a query.
TOO_LARGE = 2**64


def id_routes(app, missing: int = MISSING) -> list[tuple[str, str]]:
    """(method, path) for every route whose only arguments are integer ids,
    each id filled with ``missing``, which names nothing."""
    found = []
    for rule in app.url_map.iter_rules():
        ids = re.findall(r"<int:(\w+)>", rule.rule)
        if not ids or set(ids) != set(rule.arguments):
            continue
        path = rule.rule
        for name in ids:
            path = path.replace(f"<int:{name}>", str(missing))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)


@pytest.mark.parametrize("missing", [MISSING, TOO_LARGE])
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
