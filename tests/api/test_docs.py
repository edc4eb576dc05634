"""The API documentation page works on an intranet (no CDN) and shows the contract only to signed-in staff."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from fengqiao.accounts.models import Role
from tests.factories import make_user

DOCS = "/api/v1/docs"
SCHEMA = "/api/v1/openapi.json"


def _assets(html: str) -> list[str]:
    return re.findall(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", html)


def test_the_docs_page_loads_only_same_origin_assets_that_exist(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assets = _assets(html)
    assert any(a.endswith(".js") for a in assets), assets
    prefix = static("")
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), f"not same-origin: {url}"
        assert url.startswith(prefix), f"not a static file: {url}"
        assert finders.find(url.removeprefix(prefix).split("?")[0]), f"missing static file: {url}"
    # Nothing reaches out: no other origin anywhere in the page (validator badge included).
    assert "http://" not in html and "https://" not in html


def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_docs(client, db):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_anonymous_caller_does_not_get_the_openapi_document(client, db):
    response = client.get(SCHEMA)
    assert response.status_code in {302, 401}
    assert b"paths" not in response.content


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.HANDLER])
def test_a_signed_in_user_without_a_staff_role_may_not_read_the_docs(client, tree, role):
    client.force_login(make_user(f"u_{role}", password=None, role=role, node=tree["410105001"]))
    assert client.get(DOCS).status_code == 403
    assert client.get(SCHEMA).status_code == 403


def test_staff_read_the_openapi_document(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response.json()["paths"]
