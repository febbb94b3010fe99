"""The recruiters' pages, for recruiters and everyone above."""
from flask import Blueprint, render_template

from ..auth.access import require_access
from ..models import Access
from ..services import interviews
from .dashboard import load_dashboard

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")
require_access(bp, Access.RECRUITER)


@bp.get("/")
def dashboard():
    return render_template(
        "pipeline/dashboard.html",
        dashboard=load_dashboard(),
        coming_interviews=interviews.starting_within(hours=24),
    )
