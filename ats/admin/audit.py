"""The audit trail (``/admin/audit``): every recorded change, newest first,
filtered by person, kind and dates, fifty a page (``ats.queries.audit``).
A filter or cursor the page cannot use is answered ``400`` with the reason."""
from flask import render_template, request, url_for

from ..queries.audit import PAGE_SIZE, AuditQuery, action_choices, actor_choices, load_page
from ..queries.filters import FilterError
from .routes import bp


@bp.get("/audit")
def audit():
    try:
        query = AuditQuery.from_args(request.args)
        page = load_page(query)
    except FilterError as error:
        return render_template("admin/audit.html", error=str(error), page=None, query=AuditQuery(),
                               actors=actor_choices(), actions=action_choices(), page_size=PAGE_SIZE), 400
    older = url_for("admin.audit", **query.args(before=page.older, after=None)) if page.older else None
    newer = url_for("admin.audit", **query.args(after=page.newer, before=None)) if page.newer else None
    return render_template("admin/audit.html", page=page, query=query, actors=actor_choices(),
                           actions=action_choices(), older=older, newer=newer, error=None,
                           page_size=PAGE_SIZE)
