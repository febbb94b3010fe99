"""The managers' pages: the reports and the pipeline CSV, for managers and admins."""
from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from ..access import require_access
from ..errors import render_error
from ..models import PIPELINE, Access
from ..operations.audit import record_export
from ..queries import export, reports, scorecard_reports, sources
from ..queries.filters import FilterError, parse_filters, role_choices
from .formatting import FILTERS

bp = Blueprint("reports", __name__, url_prefix="/reports")
require_access(bp, Access.MANAGER)
for _name, _filter in FILTERS.items():
    bp.add_app_template_filter(_filter, f"report_{_name}")


@bp.errorhandler(FilterError)
def bad_filter(error: FilterError):
    return render_error(400, str(error), "Those filters cannot be used")


@bp.get("/")
def index():
    filters = parse_filters(request.args, with_stage=False)
    return render_template(
        "reports/index.html",
        report=reports.build_report(filters),
        sources=sources.by_source(filters),
        scorecards=scorecard_reports.build(filters),
        roles=role_choices(),
        pipeline=PIPELINE,
        min_group=reports.MIN_GROUP,
    )


@bp.get("/pipeline.csv")
def pipeline_csv():
    filters = parse_filters(request.args)
    deidentified = _flag(request.args.get("deidentified", ""))
    record_export(current_user.id, filters, deidentified)
    return Response(
        stream_with_context(export.pipeline_csv(filters, deidentified)),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(deidentified)}"',
            "Cache-Control": "no-store",
        },
    )


def _flag(value: str) -> bool:
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise FilterError("“deidentified” must be 1 or 0.")
