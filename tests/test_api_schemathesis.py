"""schemathesis against the API served on a real socket: requests generated
from the OpenAPI description, valid and invalid, for every operation; each
answer is checked against the description (status, media type, headers, body
schema) and none may be a 500.

The operations are driven one by one with Hypothesis here rather than through
``schemathesis.pytest.from_fixture``, whose lazy test items do not run under
this pytest (9.x)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ats.models import Access, Stage
from tests.api import make_token

EXAMPLES = 100


@pytest.fixture
def served_schema(app, live_server, seeded, role, create_application, create_staff, monkeypatch):
    """The description as the live server gives it, with a few applications
    there and a recruiter's token (blind review included in what is checked)."""
    monkeypatch.setitem(app.config, "ATS_API_LIMIT", "100000 per minute")
    create_application(role, "Ada Lovelace", history=True)
    create_application(role, "Grace Hopper", stage=Stage.SCREENING, history=True, skills_strong=1,
                       skills_assessed=1)
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    token = make_token(app, create_staff(Access.RECRUITER))
    schema.config.update(base_url=live_server, headers={"Authorization": f"Bearer {token}"})
    return schema


def beyond_the_schema(response) -> bool:
    """A well-formed request refused for what no schema can say: a slug that
    names no role (400), a move the pipeline's rules forbid (422). Such
    answers are still checked against the description; only the check that
    well-formed data is accepted is left out for them."""
    if response.status_code not in (400, 422):
        return False
    detail = response.json()["detail"]
    return response.status_code == 422 or detail.startswith("role: there is no")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_described(served_schema, mode):
    schema = served_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4

    for operation in operations:
        takes_input = any(len(part) for part in (operation.path_parameters, operation.query, operation.body))
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing in GET /roles can be made invalid (the token is checked in test_api_access)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_described(case):
            response = case.call()
            excluded = [positive_data_acceptance] if beyond_the_schema(response) else None
            case.validate_response(response, excluded_checks=excluded)

        answers_as_described()
