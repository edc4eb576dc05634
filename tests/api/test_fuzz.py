"""Contract fuzzing: schemathesis generates requests from the OpenAPI document; the API never answers 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fengqiao.api.api import api
from fengqiao.wsgi import application

# The document is for signed-in staff only (api/docs.py), so it is taken from the API object rather than over HTTP.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


@pytest.fixture
def session_cookie(client, dispatcher, catalogue):
    client.force_login(dispatcher)
    return f"sessionid={client.cookies['sessionid'].value}"


@schema.parametrize()
# Derandomized: CI runs the same examples every time, so a red build always names a real, repeatable fault.
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db(transaction=True)
def test_no_generated_request_gets_a_server_error(case, session_cookie):
    response = case.call(headers={"Cookie": session_cookie})
    case.validate_response(response, checks=[not_a_server_error])
    # A status the document lists for this operation, or one it lists for every operation (see the API description).
    documented = {int(code) for code in case.operation.definition.raw.get("responses", {}) if code.isdigit()}
    assert response.status_code in documented | {400, 401, 403, 405, 422, 429}, (
        f"{case.operation.label}: undocumented status {response.status_code}"
    )
    # Every refusal of ours carries a message; 405 (a method the route does not have) is Django's own, bodyless.
    if response.status_code >= 400 and response.status_code != 405:
        body = response.json()
        assert isinstance(body, dict) and body.get("detail"), f"{case.operation.label}: error without a message"
