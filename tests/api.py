"""Helpers for the API's tests: tokens made through the operation the CLI
calls, requests with ``Authorization: Bearer``, and each answer checked
against the OpenAPI description's schema for it."""
import re

import jsonschema
import pytest

from ats.extensions import db


def make_token(app, account, label="tests") -> str:
    from ats.operations.api_tokens import create_token

    with app.app_context():
        token = create_token(account.id, label, None).token
        db.session.remove()
    return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """A client for the API that checks every answer against the description."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token
        self._document = None

    @property
    def document(self) -> dict:
        if self._document is None:
            self._document = self.client.get("/api/v1/openapi.json").get_json()
        return self._document

    def request(self, method: str, path: str, template: str | None = None, **kwargs):
        headers = kwargs.pop("headers", None) or (bearer(self.token) if self.token else {})
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        self.check(method, template or self.template(path.split("?")[0]), response)
        return response

    def template(self, path: str) -> str:
        """The description's path template that ``path`` falls under (else ``path``)."""
        for template in self.document["paths"]:
            if re.fullmatch(re.sub(r"\\{[^}]+\\}", r"[0-9]+", re.escape(template)), path):
                return template
        return path

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def check(self, method: str, template: str, response) -> None:
        """The answer is what the description says for this operation and status."""
        assert response.headers["Cache-Control"] == "no-store"
        operation = self.document["paths"].get(template, {}).get(method.lower())
        if operation is None:  # no such operation: the description has nothing to say
            assert response.mimetype == "application/problem+json"
            return
        described = operation["responses"].get(str(response.status_code))
        assert described is not None, f"{method} {template} answered {response.status_code}, not described"
        [(media_type, content)] = described["content"].items()
        assert response.mimetype == media_type
        schema = dict(content["schema"], components=self.document["components"])
        jsonschema.validate(response.get_json(), schema, cls=jsonschema.Draft202012Validator,
                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def api_as(app, client):
    """A factory: ``api_as(account)`` is an ``Api`` with a new token of that account's."""

    def make(account, token=None):
        return Api(client, token or make_token(app, account))

    return make
