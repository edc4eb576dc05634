"""No existence oracle: an object the caller may not see answers exactly like one that does not exist.

A 403 for a foreign code and a 404 for a made-up one would let any signed-in account find out which codes exist.
Each test asks for a foreign object and for a missing one with a code of the same length, and compares status,
body and headers; only what differs on every response anyway (CSRF tokens, CSP nonces) is blanked out.
Signed-in look-ups by code are rate-limited per user too, so an account cannot walk through codes.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.permissions.world import build_world

RANDOM_PER_RESPONSE = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
    re.compile(r"(nonce=\"?)[A-Za-z0-9+/=_-]+"),
    re.compile(r"('nonce-)[A-Za-z0-9+/=_-]+"),
]


def _normal(text: str, code: str) -> str:
    if len(code) > 3:  # a page may echo the code asked for; a short number would match anything
        text = text.replace(code, "<code>")
    text = text.replace(f">{code}<", "><code><")  # the 404 page shows what was asked for
    for pattern in RANDOM_PER_RESPONSE:
        text = pattern.sub(r"\1<random>", text)
    return text


def _answer(client: Client, url: str, code: str) -> tuple[int, str, dict[str, str]]:
    response = client.get(url)
    headers = {k: _normal(v, code) for k, v in response.headers.items() if k.lower() != "set-cookie"}
    body = response.content.decode().replace(url, "<the path asked for>")  # e.g. the language form's "next"
    return response.status_code, _normal(body, code), headers


def _missing(code: str) -> str:
    """A code of the same shape and length that no object has."""
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


@pytest.fixture
def world(db, settings):
    settings.FENGQIAO_RATE_LIMITS = False
    return build_world()


def _signed_in(world, role: str = "worker") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


CASES = [
    ("event", "/api/v1/events/{}", lambda o: o.tracking_code),
    ("event", "/api/v1/events/{}/timeline", lambda o: o.tracking_code),
    ("event", "/events/{}/", lambda o: o.tracking_code),
    ("dispute", "/api/v1/disputes/{}", lambda o: o.tracking_code),
    ("dispute", "/disputes/{}/", lambda o: o.tracking_code),
    ("instruction", "/api/v1/dispatch/instructions/{}", lambda o: str(o.pk)),
    ("instruction", "/dispatch/i/{}/", lambda o: str(o.pk)),
    ("grid", "/api/v1/grids/{}", lambda o: o.code),
    ("grid", "/grids/{}/", lambda o: o.code),
]


@pytest.mark.parametrize(("kind", "pattern", "key"), CASES, ids=[c[1] for c in CASES])
def test_a_foreign_object_answers_exactly_like_a_missing_one(world, kind, pattern, key):
    client = _signed_in(world)
    code = key(world.obj(kind, "out"))
    missing = _missing(code)
    from django.urls import resolve

    resolve(pattern.format(code))  # the URL exists: a 404 here is the object's answer, not the router's
    foreign = _answer(client, pattern.format(code), code)
    absent = _answer(client, pattern.format(missing), missing)
    assert foreign[0] == 404
    assert foreign == absent


def test_an_event_of_another_street_is_a_404_on_the_api_with_the_same_json(world):
    client = _signed_in(world)
    code = world.obj("event", "out").tracking_code
    body = client.get(f"/api/v1/events/{code}").json()
    assert body["code"] == "not_found"
    assert "管辖" not in body["detail"]


def test_a_worker_cannot_walk_through_event_codes_on_the_pages(world, settings):
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "3/m"
    client = _signed_in(world)
    code = world.obj("event", "in").tracking_code
    assert [client.get(f"/events/{code}/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"/events/{code}/")
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()


def test_a_worker_cannot_walk_through_codes_on_the_api(world, settings):
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "3/m"
    client = _signed_in(world, "dispatcher")
    event = world.obj("event", "in").tracking_code
    dispute = world.obj("dispute", "in").tracking_code
    answers = [
        client.get(f"/api/v1/events/{event}").status_code,
        client.get(f"/api/v1/disputes/{dispute}").status_code,
        client.get(f"/api/v1/events/{_missing(event)}").status_code,
    ]
    assert answers == [200, 200, 404]
    refused = client.get(f"/api/v1/disputes/{dispute}")
    assert refused.status_code == 429
    assert refused.json() == {"detail": "请求过于频繁，请稍后再试。", "code": "rate_limited"}


def test_the_search_boxes_count_as_look_ups(world, settings):
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "2/m"
    client = _signed_in(world, "dispatcher")
    assert client.get("/events/", {"q": "E"}).status_code == 200
    assert client.get("/disputes/", {"q": "D"}).status_code == 200
    assert client.get("/events/", {"q": "E1"}).status_code == 429
    assert client.get("/api/v1/disputes/", {"q": "D1"}).status_code == 429
    # Browsing the queue without a search is not a look-up by code.
    assert client.get("/events/").status_code == 200


def test_the_export_of_a_search_counts_as_a_look_up(world, settings):
    """The export takes the workbench's filters, its search box included: it must not walk codes past the limit."""
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "1/m"
    client = _signed_in(world, "dispatcher")
    assert client.get("/metrics/export/events.xlsx", {"q": "E"}).status_code == 200
    refused = client.get("/metrics/export/events.xlsx", {"q": "E1"})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()
    assert client.get("/metrics/export/events.xlsx").status_code == 200


def test_each_user_has_their_own_look_up_budget(world, settings):
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "1/m"
    code = world.obj("event", "in").tracking_code
    assert _signed_in(world, "worker").get(f"/events/{code}/").status_code == 200
    assert _signed_in(world, "dispatcher").get(f"/events/{code}/").status_code == 200


def test_one_action_counts_as_one_look_up(world, settings):
    settings.FENGQIAO_RATE_LIMITS = True
    settings.FENGQIAO_RATE_LOOKUP = "1/m"
    client = _signed_in(world, "dispatcher")
    dispute = world.obj("dispute", "in").tracking_code
    # The route fetches the case before and after the step: still one look-up.
    response = client.post(f"/api/v1/disputes/{dispute}/accept", "{}", content_type="application/json")
    assert response.status_code != 429
