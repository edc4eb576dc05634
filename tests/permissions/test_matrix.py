"""The permission matrix: every role × every page and API endpoint × inside/outside the user's jurisdiction.

The expected answers live in ``expected.py``; adding an endpoint without a row there (and in ``endpoints.py``)
fails ``test_every_endpoint_has_a_row``.
"""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fengqiao.api.api import api
from tests.permissions.endpoints import API, PAGES, Endpoint
from tests.permissions.expected import EXPECTED
from tests.permissions.world import ROLES, World, build_world

REFUSALS = {"401", "403", "404", "L"}


def url_names() -> set[str]:
    """Every named page of the project except the Django admin (tested on its own) and the API (listed by operation)."""

    def walk(patterns: list, namespace: str | None) -> set[str]:
        found: set[str] = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns in ("admin", "api"):
                    continue
                found |= walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                found.add(f"{namespace}:{p.name}" if namespace else p.name)
        return found

    return walk(get_resolver().url_patterns, None)


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_endpoint_has_a_row():
    listed = set(PAGES) | set(API)
    missing = (url_names() | api_operations()) - listed
    assert not missing, f"endpoints without a row in the permission matrix: {sorted(missing)}"
    assert not (listed - set(EXPECTED)), f"rows without expectations: {sorted(listed - set(EXPECTED))}"
    assert not (set(EXPECTED) - listed), (
        f"expectations for endpoints that no longer exist: {sorted(set(EXPECTED) - listed)}"
    )


def observe(client: Client, endpoint: Endpoint, world: World, side: str) -> str:
    url = endpoint.url(world, side)
    if endpoint.method == "POST":
        response = client.post(url, "{}", content_type="application/json") if endpoint.json else client.post(url, {})
    else:
        response = client.get(url)
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return "L"
    return str(response.status_code)


@pytest.fixture
def world(db):
    return build_world()


RECORDED: dict[str, dict[str, str]] = {}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_what_the_matrix_says(name, world, settings):
    settings.FENGQIAO_RATE_LIMITS = False
    endpoint = {**PAGES, **API}[name]
    for side, tokens in EXPECTED[name].items():
        expected = dict(zip(ROLES, tokens.split(), strict=True))
        got = {}
        for role in ROLES:
            client = Client()
            user = world.users[role]
            if user is not None:
                client.force_login(user)
            got[role] = observe(client, endpoint, world, side)
        if os.environ.get("FENGQIAO_MATRIX_RECORD"):
            # Maintenance aid: FENGQIAO_MATRIX_RECORD=1 writes what was observed; review the diff, never copy blindly.
            RECORDED.setdefault(name, {})[side] = " ".join(got[r] for r in ROLES)
            with open("var/matrix-observed.json", "w", encoding="utf-8") as out:
                json.dump(RECORDED, out, ensure_ascii=False, indent=1)
            continue
        assert got == expected, f"{name} ({side}): expected {expected}, got {got}"


def test_nobody_but_the_administrator_reaches_anything_outside_their_jurisdiction():
    for name, sides in EXPECTED.items():
        if "out" not in sides:
            continue
        public = name in {
            "events:public_report",
            "events:track",
            "open311-request",
            "disputes:apply",
            "disputes:track",
            "disputes:track_rate",
            # A party's private link and a tenant's receipt secret are the key, not a session.
            "disputes:party_home",
            "disputes:party_join",
            "disputes:party_sign",
            "disputes:party_rate",
            "people:tenant_form",
            "people:tenant_status",
            "GET /api/v1/disputes/track/{code}",
            "POST /api/v1/disputes/{code}/assign",
            "POST /api/v1/dispatch/instructions/{pk}/complete",
        }
        if public:
            continue
        tokens = dict(zip(ROLES, sides["out"].split(), strict=True))
        leaks = [role for role, token in tokens.items() if role != "admin" and token not in REFUSALS]
        assert not leaks, f"{name}: {leaks} reach an object outside their jurisdiction"
