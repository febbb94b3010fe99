"""The API's description (GET /api/v1/openapi.json) is valid OpenAPI 3.1 and
describes exactly the contract's operations, with the errors they answer.
(Every answer in tests/test_api*.py is checked against it: ``tests.api.Api``.)"""
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
import pytest


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_description_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any fault


def test_the_validator_would_catch_a_broken_description(document):
    document["paths"]["/api/v1/roles"]["get"]["responses"]["200"] = {"content": "not a map"}
    with pytest.raises(OpenAPIValidationError):
        validate(document)


def test_it_describes_the_contracts_operations_and_their_errors(document):
    operations = {(method.upper(), path): operation for path, item in document["paths"].items()
                  for method, operation in item.items()}
    assert set(operations) == {
        ("GET", "/api/v1/roles"),
        ("GET", "/api/v1/applications"),
        ("GET", "/api/v1/applications/{application_id}"),
        ("POST", "/api/v1/applications/{application_id}/stage"),
    }
    move = operations[("POST", "/api/v1/applications/{application_id}/stage")]
    assert {"200", "400", "401", "403", "404", "409", "422", "429"} <= set(move["responses"])
    assert set(move["responses"]["409"]["content"]) == {"application/problem+json"}
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    query = {parameter["name"] for parameter in operations[("GET", "/api/v1/applications")]["parameters"]}
    assert query == {"role", "stage", "updated_since", "limit", "cursor"}
    application = document["components"]["schemas"]["ApplicationOut"]
    assert set(application["required"]) == {"id", "role", "stage", "version", "applied_at", "updated_at",
                                            "stage_entered_at", "source", "skill_match_score", "candidate"}
