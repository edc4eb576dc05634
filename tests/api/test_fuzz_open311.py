"""Open311 GeoReport v2 fuzzed from its own OpenAPI description: no 5xx, every error an Open311 error list."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fengqiao.wsgi import application

ERRORS = {"description": "Open311 error list", "content": {"application/json": {"schema": {"type": "array"}}}}
OK = {"description": "OK", "content": {"application/json": {"schema": {}}}}
TEXT = {"type": "string", "maxLength": 60}

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "fengqiao Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/services.json": {"get": {"responses": {"200": OK}}},
        "/open311/v2/services/{code}.json": {
            "get": {
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": TEXT}],
                "responses": {"200": OK, "404": ERRORS},
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "parameters": [
                    {"name": name, "in": "query", "required": False, "schema": TEXT}
                    for name in ("service_request_id", "service_code", "start_date", "end_date", "status")
                ],
                "responses": {"200": OK, "400": ERRORS},
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "api_key": {"type": "string", "enum": ["fuzz-key", "wrong-key"]},
                                    "service_code": {"type": "string", "enum": ["0403", "0404", "0101", "9999"]},
                                    "lat": {"type": "number"},
                                    "long": {"type": "number"},
                                    "address_string": TEXT,
                                    "description": TEXT,
                                    "phone": TEXT,
                                    "first_name": TEXT,
                                    "last_name": TEXT,
                                },
                                "required": ["api_key", "service_code"],
                            }
                        }
                    },
                },
                "responses": {"201": OK, "400": ERRORS, "403": ERRORS, "429": ERRORS},
            },
        },
        "/open311/v2/requests/{request_id}.json": {
            "get": {
                "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": TEXT}],
                "responses": {"200": OK, "404": ERRORS},
            }
        },
    },
}

schema = schemathesis.openapi.from_dict(SPEC)
schema.app = application


@pytest.fixture
def api_key(db, tree, catalogue):
    from fengqiao.events.models import ApiClient

    client = ApiClient(name="fuzz")
    client.set_key("fuzz-key")
    client.save()


@schema.parametrize()
# Derandomized: CI runs the same examples every time, so a red build always names a real, repeatable fault.
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db(transaction=True)
def test_open311_never_answers_5xx_and_errors_are_open311_lists(case, api_key):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if case.method.upper() != case.operation.method.upper():
        assert response.status_code == 405  # a method the path does not have
        return
    assert response.status_code in {200, 201, 400, 403, 404, 405, 429}
    if response.status_code >= 400 and response.status_code != 405:
        try:
            body = response.json()
        except ValueError:
            pytest.fail(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:120]!r}")
        assert isinstance(body, list) and body and {"code", "description"} <= set(body[0])
