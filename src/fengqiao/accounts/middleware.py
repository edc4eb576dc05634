"""Sign-in rules enforced on every request of a signed-in session: the absolute session lifetime, the idle deadline
pushed back (at most once a minute), and a password past its age allowing nothing but changing it. API-key clients
carry no session and are not concerned."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fengqiao.accounts import security
from fengqiao.accounts.errors import AccountErrorCode
from fengqiao.core.errors import error_response

# Paths a user with an expired password may still reach: the change page itself, signing out, assets, the language.
OPEN_PREFIXES = ("/account/password/", "/logout/", "/static/", "/jsi18n/", "/i18n/", "/favicon")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


class SignInPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if security.session_too_old(request):
                logout(request)
                message = _("登录已超过最长时限，请重新登录。")
                if _wants_json(request):
                    return error_response(AccountErrorCode.SESSION_EXPIRED, message, status=401)
                messages.info(request, message)
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            security.keep_session_alive(request)
            if security.password_expired(user) and not request.path.startswith(OPEN_PREFIXES):
                message = _("您的密码已超过有效期，请先修改密码后再继续使用。")
                if _wants_json(request):
                    return error_response(AccountErrorCode.PASSWORD_EXPIRED, message, status=403)
                return redirect("password_change")
        return self.get_response(request)
