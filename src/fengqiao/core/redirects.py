"""Redirect targets that come from the request (``next``) stay on this site: no open redirects."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe(request: HttpRequest, target: str) -> bool:
    """True for a path or URL on this host (https when the request is); never ``//x``, ``/\\x``, ``javascript:``."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """The request's ``next`` (POST, then GET) when it is safe, else ``fallback``."""
    target = str(request.POST.get(field) or request.GET.get(field) or "")
    return target if is_safe(request, target) else fallback
