"""A path id that names nothing is 404 on every staff page that takes one
(the contract's "Staff pages"): each view loads its record with
``db.get_or_404``, and this walks the URL map so a new view is checked too."""
import re

from ats.models import Access

MISSING = 999_999


def id_routes(app) -> list[tuple[str, str]]:
    """(method, path) for every route whose only arguments are integer ids,
    each id filled with one that names nothing."""
    found = []
    for rule in app.url_map.iter_rules():
        ids = re.findall(r"<int:(\w+)>", rule.rule)
        if not ids or set(ids) != set(rule.arguments):
            continue
        path = rule.rule
        for name in ids:
            path = path.replace(f"<int:{name}>", str(MISSING))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)


def test_every_id_that_names_nothing_is_404(app, client, create_staff, auth):
    admin = create_staff(Access.ADMIN)
    assert auth.login(admin).status_code == 303
    token = auth.token("/pipeline/")
    routes = id_routes(app)
    assert ("GET", f"/pipeline/applications/{MISSING}") in routes
    assert ("POST", f"/interviews/{MISSING}/cancel") in routes
    assert ("GET", f"/interviews/offers/{MISSING}") in routes
    answers = {
        (method, path): client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        .status_code
        for method, path in routes
    }
    assert answers == dict.fromkeys(routes, 404)
