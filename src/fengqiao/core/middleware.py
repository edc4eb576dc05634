"""Requests carrying NUL characters are refused up front: PostgreSQL cannot store them, and no person types them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

NUL = "\x00"


class RejectNullCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            has_null = self._has_null(request)
        except MultiPartParserError:
            return JsonResponse({"code": "bad_body", "detail": _("请求体格式错误。")}, status=400)
        if has_null:
            message = _("请求中含有不允许的空字符（NUL）。")
            if request.path.startswith("/open311/"):
                return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
            return JsonResponse({"code": "null_character", "detail": message}, status=400)
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
