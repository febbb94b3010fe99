"""The JSON API (``/api/v1``): roles, applications and stage moves.

Bearer tokens only (``ats.api.problems``): no cookie, no session, no CSRF
token. Each view is declared to spectree with the pydantic models that
validate its request and its response; those declarations are the OpenAPI
description at ``/api/v1/openapi.json``.

Who may do what follows the staff pages: recruiters and up reach roles,
applications and stage moves, and blind review hides candidates from a
recruiter's token as from their pages.
"""
from flask import Blueprint, g, jsonify, request
from spectree import Response
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, db, limiter
from ..models import Access, Stage
from ..models.stage_rules import MoveError
from ..operations.pipeline import StaleVersion, move_stage_as_staff
from ..queries import api as queries
from .problems import ApiProblem, api_limit, authenticate_request, openapi_document, problem, problem_from_http
from .problems import rate_limit_key, spec
from .schemas import ApplicationDetail, ApplicationPage, ApplicationQuery, Problem, RoleList, StageMove

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
limiter.limit(api_limit, key_func=rate_limit_key)(bp)

# Endpoints anyone may read: the description of the API.
PUBLIC = {"api.openapi"}
# The least access each endpoint needs (the staff pages' levels).
MINIMUM = Access.RECRUITER
ERRORS = {f"HTTP_{status}": Problem for status in (400, 401, 403, 429)}


@bp.before_request
def check_token():
    if request.endpoint not in PUBLIC:
        authenticate_request(MINIMUM)


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem):
    return problem(error.status, error.detail, error.headers)


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    if error.code is None or error.code >= 500:
        # Whatever the failed request half-did is thrown away.
        db.session.rollback()
    return problem_from_http(error)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.get("/roles")
@spec.validate(resp=Response(HTTP_200=RoleList, **ERRORS), tags=["roles"], operation_id="listRoles")
def list_roles():
    """Open and closed roles (drafts are left out), with their skills."""
    return RoleList(data=queries.roles())


@bp.get("/applications")
@spec.validate(query=ApplicationQuery, resp=Response(HTTP_200=ApplicationPage, **ERRORS), tags=["applications"],
               operation_id="listApplications")
def list_applications(query: ApplicationQuery):
    """Applications ordered by id, a page at a time: pass `next_cursor` as `cursor` until it is null."""
    try:
        page = queries.applications(
            g.api_user.access, role=query.role, stage=Stage(query.stage) if query.stage else None,
            updated_since=query.updated_since, limit=query.limit, cursor=query.cursor,
        )
    except queries.QueryError as error:
        raise ApiProblem(400, str(error)) from None
    return ApplicationPage(data=page.data, next_cursor=page.next_cursor)


@bp.get("/applications/<int:application_id>")
@spec.validate(resp=Response(HTTP_200=ApplicationDetail, HTTP_404=Problem, **ERRORS), tags=["applications"],
               operation_id="getApplication")
def get_application(application_id: int):
    """One application with its stage history."""
    return ApplicationDetail.model_validate(_application(application_id))


@bp.post("/applications/<int:application_id>/stage")
@spec.validate(json=StageMove, resp=Response(HTTP_200=ApplicationDetail, HTTP_404=Problem, HTTP_409=Problem,
                                             HTTP_422=Problem, **ERRORS),
               tags=["applications"], operation_id="moveStage")
def move_application(application_id: int, json: StageMove):
    """Move an application to another stage: the same rules, history, audit
    and events as the staff page's form. A stale `version` is answered 409
    before any other check; a move the rules forbid 422, as is a move to
    offer or rejected after an interview without a `reason` (kept as the
    decision summary)."""
    if json is None:
        raise ApiProblem(400, "Send the move as JSON (Content-Type: application/json).")
    _application(application_id)
    try:
        move_stage_as_staff(application_id, Stage(json.stage), json.reason, g.api_user.id, json.version)
    except StaleVersion:
        raise ApiProblem(409, "The application has changed since that version: read it again, then retry.") from None
    except MoveError as error:
        raise ApiProblem(422, str(error)) from None
    except LookupError:
        raise ApiProblem(404, f"There is no application {application_id}.") from None
    return ApplicationDetail.model_validate(_application(application_id))


def _application(application_id: int) -> dict:
    found = queries.application(application_id, g.api_user.access)
    if found is None:
        raise ApiProblem(404, f"There is no application {application_id}.")
    return found
