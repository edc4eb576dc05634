"""Requests refused up front: bodies over their path's budget (413), and NUL characters, which PostgreSQL cannot
store and no person types."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from fengqiao.core.errors import CoreErrorCode, error_response

NUL = "\x00"


class RejectNullCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            has_null = self._has_null(request)
        except MultiPartParserError:
            return error_response(CoreErrorCode.BAD_BODY, _("请求体格式错误。"), status=400)
        if has_null:
            message = _("请求中含有不允许的空字符（NUL）。")
            if request.path.startswith("/open311/"):
                return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
            return error_response(CoreErrorCode.NULL_CHARACTER, message, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_null(request: HttpRequest) -> bool:
        if NUL in request.path or any(NUL in key or NUL in v for key, vs in request.GET.lists() for v in vs):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            return b"\\u0000" in request.body or b"\x00" in request.body
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(NUL in key or NUL in v for key, vs in request.POST.lists() for v in vs)
        return False


class LimitRequestBody:
    """Bodies over the path's budget are answered 413 before Django reads or parses them (等保: resource control).

    The budget is the first of ``FENGQIAO_BODY_LIMITS`` (regex, bytes) matching the path, else
    ``FENGQIAO_BODY_LIMIT_DEFAULT``. A declared Content-Length is checked without reading anything; a chunked body
    (no length) is read up to the budget and refused once it passes it, else handed on whole.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = self.limit_for(request.path_info)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            if not declared.isdigit():
                return self._answer(request, 400, CoreErrorCode.BAD_LENGTH, _("请求头 Content-Length 无效。"))
            if int(declared) > limit:
                return self._too_large(request, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = self._read_chunked(request, limit)
            if body is None:
                return self._too_large(request, limit)
            # Django reads a body only as far as Content-Length says; give it the counted one.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = io.BytesIO(body)
            request._read_started = False  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def limit_for(path: str) -> int:
        for pattern, limit in _body_limits():
            if pattern.match(path):
                return limit
        return int(getattr(settings, "FENGQIAO_BODY_LIMIT_DEFAULT", 1024 * 1024))

    @staticmethod
    def _read_chunked(request: HttpRequest, limit: int) -> bytes | None:
        stream = request.META.get("wsgi.input")
        if stream is None:
            return b""
        parts: list[bytes] = []
        total = 0
        while True:
            part = stream.read(64 * 1024)
            if not part:
                return b"".join(parts)
            total += len(part)
            if total > limit:
                return None
            parts.append(part)

    def _too_large(self, request: HttpRequest, limit: int) -> HttpResponse:
        mb = max(1, limit // (1024 * 1024))
        message = _("上传内容过大：本页面一次最多接收 %(mb)s MB，请减少或压缩照片后重试。") % {"mb": mb}
        return self._answer(request, 413, CoreErrorCode.BODY_TOO_LARGE, message)

    @staticmethod
    def _answer(request: HttpRequest, status: int, code: CoreErrorCode, message: str) -> HttpResponse:
        if request.path_info.startswith("/open311/"):
            return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
        if request.path_info.startswith("/api/"):
            return error_response(code, message, status=status)
        page = render_to_string("body_refused.html", {"status": status, "message": message})
        response = HttpResponse(page, status=status)
        response["Connection"] = "close"  # the unread body must not be taken for the next request
        return response


@functools.cache
def _cached_limits(limits: tuple[tuple[str, int], ...]) -> list[tuple[re.Pattern[str], int]]:
    return [(re.compile(pattern), int(limit)) for pattern, limit in limits]


def _body_limits() -> list[tuple[re.Pattern[str], int]]:
    return _cached_limits(tuple((str(p), int(n)) for p, n in getattr(settings, "FENGQIAO_BODY_LIMITS", ())))
