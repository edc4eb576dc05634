"""Sign-in pages: password, second factor, password change. Lockout after repeated failures is django-axes' job,
the rules themselves live in accounts.security; these views only parse, call and render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts import security
from fengqiao.core import audit
from fengqiao.core.ratelimit import limit
from fengqiao.core.redirects import is_safe


@method_decorator(limit("login", "FENGQIAO_RATE_LOGIN"), name="dispatch")
class LoginView(auth_views.LoginView):
    """用户名密码登录; /login/ and /admin/login/ both come here, so both share one throttle and one lockout."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and security.address_over_failure_limit(request):
            return render(request, "429.html", {"message": _("该地址登录失败次数过多，请稍后再试。")}, status=429)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: auth_forms.AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_success_url()
        if security.second_factor_required(user):
            security.begin_second_factor(self.request, user, next_url)
            return redirect("login_verify")
        security.complete_sign_in(self.request, user)
        return redirect(next_url)


class AdminLoginView(LoginView):
    """The admin's door: the same view, landing on the admin, and no redirect loop for a signed-in non-staff user."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.redirect_authenticated_user = bool(request.user.is_active and request.user.is_staff)
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = context.get("next") or reverse("admin:index")
        return context


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("动态口令"), max_length=12)


@limit("totp", "FENGQIAO_RATE_TOTP")
def verify(request: HttpRequest) -> HttpResponse:
    """第二步：动态口令 (TOTP). Enrols on first use; each code works once; wrong codes are counted."""
    user = security.pending_user(request)
    if user is None:
        messages.info(request, _("请先输入用户名和密码。"))
        return redirect("login")
    enrolling = user.totp_confirmed_at is None
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if security.verify_code(user, form.cleaned_data["code"]):
            next_url = str(request.session.get(security.PENDING, {}).get("next") or "")
            request.session.pop(security.PENDING, None)
            if enrolling:
                security.confirm_enrolment(user)
            security.complete_sign_in(request, user)
            return redirect(next_url if is_safe(request, next_url) else settings.LOGIN_REDIRECT_URL)
        if not security.count_code_try(request):
            messages.error(request, _("动态口令错误次数过多，请重新登录。"))
            return redirect("login")
        form.add_error("code", _("动态口令不正确或已使用过，请输入验证器上显示的最新 6 位数字。"))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "account": user.username}
    if enrolling:
        context["qr"] = security.enrolment_qr(user)
        context["secret"] = security.enrolment_secret(user)
    return render(request, "registration/verify.html", context)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean_new_password1(self) -> str:
        new = str(self.cleaned_data.get("new_password1") or "")
        if new and self.user.check_password(new):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"), code="password_unchanged")
        return new


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: also where an expired password sends its owner."""

    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["expired"] = security.password_expired(self.request.user)
        context["max_age_days"] = settings.FENGQIAO_PASSWORD_MAX_AGE_DAYS
        return context

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=form.user, verb="password_changed", target=form.user)
        messages.success(self.request, _("密码已修改。"))
        return response
