"""The API's errors as ``application/problem+json`` (RFC 9457), its bearer
tokens, its rate limit and its OpenAPI description.

Errors are answered this way for the API's paths only; the rest of the site
keeps its HTML error pages. A request that matched no API route (404, 405)
never reaches the blueprint's handlers, so the app's handler hands paths
under ``/api/`` to ``problem_from_http`` (``ats.errors.PATH_RENDERERS``).
"""
import copy
import hashlib
import time

from flask import current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from spectree import SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData, SecureType
from werkzeug.exceptions import HTTPException

from ..extensions import limiter
from ..models import Access
from ..operations.api_tokens import authenticate
from .schemas import Problem

PROBLEM_TYPE = "about:blank"
TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiProblem(Exception):
    """An error to answer as problem+json: ``status`` and what went wrong."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def problem(status: int, detail: str, headers: dict | None = None):
    body = Problem(type=PROBLEM_TYPE, title=TITLES.get(status, "Error"), status=status, detail=detail)
    response = jsonify(body.model_dump())
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


def problem_from_http(error: HTTPException):
    """An HTTP error (404, 405, 429, …) as problem+json, its headers (Allow, Retry-After) kept."""
    headers = {name: value for name, value in error.get_headers() if name.lower() in {"allow", "retry-after"}}
    if error.code == 429:
        headers.setdefault("Retry-After", str(_retry_after()))
        detail = f"Too many requests for this token ({error.description}); wait before trying again."
    else:
        detail = error.description or TITLES.get(error.code, "")
    return problem(error.code or 500, detail, headers)


def _retry_after() -> int:
    """Seconds until the token's rate-limit window lets it in again."""
    limit = limiter.current_limit
    return max(1, int(limit.reset_at - time.time())) if limit is not None else 60


# --- Bearer tokens ------------------------------------------------------------------


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when there is no such header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "The Authorization header must be `Bearer <token>`.",
                         {"WWW-Authenticate": 'Bearer realm="api", error="invalid_request"'})
    return token.strip()


def authenticate_request(minimum: Access) -> None:
    """Find whose token the request shows (``g.api_user``), or refuse it:
    401 without a valid token, 403 below ``minimum``."""
    token = bearer_token()
    if token is None:
        raise ApiProblem(401, "Send an API token: `Authorization: Bearer <token>`.")
    bearer = authenticate(token)
    if bearer is None:
        raise ApiProblem(401, "The token is unknown, revoked, or its account is deactivated.",
                         {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
    if not bearer.user.has_access(minimum):
        raise ApiProblem(403, f"This needs {minimum.label.lower()} access or more; the token's account "
                              f"has {bearer.user.access.label.lower()} access.")
    g.api_user = bearer.user


def rate_limit_key() -> str:
    """Rate limits count per token (its SHA-256, never the token), else per client address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "api-token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return "api-address:" + get_remote_address()


def api_limit() -> str:
    return current_app.config["ATS_API_LIMIT"]


# --- The description ----------------------------------------------------------------


def _invalid_request(req, resp, error, instance, *args) -> None:
    """spectree's hook after validating a request: a query or body the
    schemas refuse is answered 400 problem+json, saying which field and why."""
    if error is None:
        return
    details = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "body"
        details.append(f"{where}: {item['msg']}")
    raise ApiProblem(400, "; ".join(details) or "The request is not valid.")


spec = SpecTree(
    "flask",
    mode="strict",
    # Components named as the models are (spectree adds a hash of each by default).
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    title="Applicant-tracking service API",
    version="1",
    openapi_version="3.1.0",
    page_templates={},
    validation_error_status=400,
    validation_error_model=Problem,
    before=_invalid_request,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)


def openapi_document() -> dict:
    """spectree's OpenAPI 3.1 document of the decorated views, with the
    errors' media type as sent (``application/problem+json``)."""
    document = copy.deepcopy(spec.spec)
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in "45" and "content" in response:
                    response["content"] = {"application/problem+json": response["content"]["application/json"]}
    document["servers"] = [{"url": "/"}]
    return document
