"""The admins' blueprint and its index. The areas live in modules of their
own (jobs, …), which add their routes to ``bp``."""
from flask import Blueprint, render_template

from ..access import require_access
from ..models import Access
from ..queries.candidates import waiting_requests

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_access(bp, Access.ADMIN)


@bp.get("/")
def index():
    return render_template("admin/index.html", waiting_erasures=waiting_requests())
