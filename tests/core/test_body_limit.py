"""Oversized request bodies are answered 413 before Django reads or parses them, by a budget per path."""

from __future__ import annotations

import io
import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from fengqiao.core.middleware import LimitRequestBody

MB = 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = read


def reached(request):
    return HttpResponse(str(len(request.body)))


def passed(request):
    return HttpResponse("passed")  # the view decides; Django's own caps apply when it reads the body


def test_an_api_body_over_its_budget_gets_a_json_413(client, db):
    body = json.dumps({"description": "x" * (2 * MB)})
    response = client.post("/api/v1/events", body, content_type="application/json")
    assert response.status_code == 413
    answer = response.json()
    assert answer["code"] == "body_too_large"
    assert "1 MB" in answer["detail"]


def test_a_raw_content_length_claiming_gigabytes_is_refused_without_reading_the_body(client, db):
    response = client.generic(
        "POST",
        "/events/report/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(4 * 1024 * MB),
        **{"wsgi.input": Untouchable()},
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "上传内容过大" in response.content.decode()


def test_the_photo_pages_have_a_larger_budget_than_the_api(settings):
    middleware = LimitRequestBody(passed)
    factory = RequestFactory()
    five_mb = factory.post("/events/r/410105001001001/", b"x" * (5 * MB), content_type="application/octet-stream")
    assert middleware(five_mb).status_code == 200
    api = factory.post("/api/v1/events", b"x" * (5 * MB), content_type="application/json")
    assert middleware(api).status_code == 413
    huge = factory.post("/events/r/410105001001001/", b"", content_type="application/octet-stream")
    huge.META["CONTENT_LENGTH"] = str(settings.FENGQIAO_BODY_LIMIT_UPLOADS + 1)
    assert middleware(huge).status_code == 413


def test_open311_gets_its_own_error_format(client, db):
    response = client.post(
        "/open311/v2/requests.json", b"x" * (2 * MB), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response.json()[0]["code"] == 413


@pytest.mark.parametrize("length", ["abc", "-1", "1e9"])
def test_a_malformed_content_length_is_a_bad_request(length):
    request = RequestFactory().post("/api/v1/events", b"{}", content_type="application/json")
    request.META["CONTENT_LENGTH"] = length
    assert LimitRequestBody(reached)(request).status_code == 400


def chunked(path: str, body: bytes, **extra):
    request = RequestFactory().generic("POST", path, b"", content_type="application/json", **extra)
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(body)
    return request


def test_a_chunked_body_over_the_budget_is_counted_and_refused():
    response = LimitRequestBody(reached)(chunked("/api/v1/events", b"x" * (2 * MB)))
    assert response.status_code == 413


def test_a_chunked_body_within_the_budget_reaches_the_view_whole():
    response = LimitRequestBody(reached)(chunked("/api/v1/events", b'{"a": 1}'))
    assert response.status_code == 200
    assert response.content == b"8"


def test_bodyless_requests_pass():
    request = RequestFactory().get("/api/v1/events")
    assert LimitRequestBody(reached)(request).status_code == 200


def test_django_never_holds_a_large_body_in_memory(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2 * MB
    assert "fengqiao.core.middleware.LimitRequestBody" in settings.MIDDLEWARE
    # Before anything that reads the body (the NUL check, CSRF, sessions).
    assert settings.MIDDLEWARE.index("fengqiao.core.middleware.LimitRequestBody") < settings.MIDDLEWARE.index(
        "fengqiao.core.middleware.RejectNullCharacters"
    )
