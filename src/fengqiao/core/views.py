"""The home page, shaped by the user's role, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from fengqiao.core import home as home_content


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", home_content.for_user(request.user))


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
