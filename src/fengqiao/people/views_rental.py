"""Pages of rentals and floating population: the worker's letting register, the room's printable QR card, the
tenant's public form and status page (no login), and the worker's verification queue on the phone.

The public pages carry no identifiers in their URLs but the room code printed on the door; the status page is
opened by the receipt secret alone (misses are rate limited by ``core.receipts``), and nothing on them tells
whether a person was already known.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import pages, receipts
from fengqiao.core.errors import DomainError, NotFound, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import limit
from fengqiao.people import rentals
from fengqiao.people.models import Rental, Room, Tenancy

may_register = holds(*rentals.FIELD_ROLES)
REFUSED = gettext_lazy("只有网格长、专职网格员和兼职网格员可以办理出租房屋和租户登记。")
# same-origin, not no-referrer: Chromium sends "Origin: null" on a form post from a no-referrer page, which CSRF
# refuses; the secret in the status page's address still never goes to another site.


# The worker's pages.


class RentalForm(forms.Form):
    room = forms.ModelChoiceField(label=gettext_lazy("房屋"), queryset=Room.objects.none(), empty_label=None)
    landlord_name = forms.CharField(label=gettext_lazy("房东姓名"), max_length=50)
    landlord_id_number = forms.CharField(label=gettext_lazy("房东身份证号"), max_length=18)
    landlord_phone = forms.CharField(label=gettext_lazy("房东电话"), max_length=20)
    max_tenants = forms.IntegerField(label=gettext_lazy("核定居住人数"), min_value=1, max_value=50, initial=4)
    group_link = forms.URLField(
        label=gettext_lazy("微网格群二维码链接"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=gettext_lazy("租户核验通过后看到的微网格群（如企业微信群）入群链接，以 https:// 开头。"),
    )


@login_required
@only_for(may_register, REFUSED)
def rental_list(request: AuthenticatedRequest) -> HttpResponse:
    """出租房屋: the lettings of the worker's grids, with tenants waiting to be verified."""
    waiting = rentals.tenancies_for(actor=request.user, states=[Tenancy.State.SUBMITTED]).count()
    items = list(rentals.rentals_for(actor=request.user)[:200])
    return render(request, "people/rental_list.html", {"rentals": items, "waiting": waiting})


@login_required
@only_for(may_register, REFUSED)
def rental_new(request: AuthenticatedRequest) -> HttpResponse:
    form = pages.styled(RentalForm(request.POST or None))
    form.fields["room"].queryset = rentals.rooms_for(actor=request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rental = rentals.register_rental(
                actor=request.user,
                room=data["room"],
                landlord_name=data["landlord_name"],
                landlord_id_number=data["landlord_id_number"],
                landlord_phone=data["landlord_phone"],
                max_tenants=data["max_tenants"],
                group_link=data["group_link"] or "",
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已登记出租房屋，请打印房屋二维码贴在门口。"))
            return redirect("people:rental_card", pk=rental.pk)
    return render(request, "people/rental_new.html", {"form": form})


@login_required
@only_for(may_register, REFUSED)
def rental_card(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The printable room QR card (一房一码): it opens the public tenant form of this room."""
    try:
        rental = rentals.rental_for(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    url = request.build_absolute_uri(reverse("people:tenant_form", args=[rental.room.code]))
    tenancies = list(rental.tenancies.select_related("person").order_by("-submitted_at")[:50])
    return render(
        request,
        "people/rental_card.html",
        {"rental": rental, "url": url, "qr_svg": pages.qr_svg(url, 8), "tenancies": tenancies},
    )


@login_required
@only_for(may_register, REFUSED)
@require_POST
def rental_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        rental = rentals.rental_for(actor=request.user, pk=pk)
        rentals.end_rental(actor=request.user, rental=rental)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已停租，租户的门禁凭证已注销。"))
    return redirect("people:rental_list")


@login_required
@only_for(may_register, REFUSED)
def tenancy_queue(request: AuthenticatedRequest) -> HttpResponse:
    """租户核验: registrations waiting for the worker, then the verified ones."""
    waiting = list(rentals.tenancies_for(actor=request.user, states=[Tenancy.State.SUBMITTED])[:100])
    verified = list(rentals.tenancies_for(actor=request.user, states=[Tenancy.State.VERIFIED])[:100])
    return render(request, "people/tenant_queue.html", {"waiting": waiting, "verified": verified})


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("未通过原因"), max_length=200)


@login_required
@only_for(may_register, REFUSED)
def tenancy_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        tenancy = rentals.tenancy_for(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    credential = rentals.active_credential(tenancy)
    return render(
        request,
        "people/tenant_detail.html",
        {
            "t": tenancy,
            "credential": credential,
            "reject_form": pages.styled(RejectForm()),
            "count": rentals.verified_count(tenancy.rental),
        },
    )


ACTIONS = {
    "verify": (lambda actor, t, post: rentals.verify_tenancy(actor=actor, tenancy=t), gettext_lazy("已核验通过。")),
    "reject": (
        lambda actor, t, post: rentals.reject_tenancy(actor=actor, tenancy=t, reason=post.get("reason", "")),
        gettext_lazy("已退回，租户会看到原因。"),
    ),
    "end": (lambda actor, t, post: rentals.end_tenancy(actor=actor, tenancy=t), gettext_lazy("已办理退租。")),
}


@login_required
@only_for(may_register, REFUSED)
@require_POST
def tenancy_act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(action)
    try:
        tenancy = rentals.tenancy_for(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    act, done = ACTIONS[action]
    try:
        act(request.user, tenancy, request.POST)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("people:tenancy_detail", pk=tenancy.pk)


# The tenant's public pages (no login).


class TenantFormFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    move_in = forms.DateField(
        label=gettext_lazy("入住日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    consent = forms.BooleanField(
        label=gettext_lazy("我已阅读并同意上述个人信息处理说明"),
        required=False,
    )


@never_cache
@limit("tenant_form", "FENGQIAO_RATE_PUBLIC_REPORT")
def tenant_form(request: HttpRequest, room_code: str) -> HttpResponse:
    """The page the room's QR code opens: the tenant registers with their phone (流动人口扫码登记)."""
    rental = rentals.open_rental_of(room_code) if len(room_code) <= 40 else None
    form = pages.styled(TenantFormFields(request.POST or None, initial={"move_in": timezone.localdate()}))
    if request.method == "POST" and rental is not None and form.is_valid():
        data = form.cleaned_data
        try:
            _tenancy, secret = rentals.register_tenant(
                room_code=room_code,
                data=rentals.TenantForm(
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    move_in=data["move_in"],
                    consent=data["consent"],
                ),
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            return redirect(f"{reverse('people:tenant_status')}?{urlencode({'k': secret, 'new': 1})}")
    context = {"form": form, "rental": rental, "purpose": rentals.PURPOSE_TEXT}
    return pages.private(render(request, "people/tenant_form.html", context, status=200 if rental else 404))


@never_cache
@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
def tenant_status(request: HttpRequest) -> HttpResponse:
    """The tenant's own page, opened by the secret given at registration: 待核验, then the micro-grid group's QR
    and the door code (collected here, shown once)."""
    secret = (request.POST.get("k") or request.GET.get("k") or "").strip()
    if not receipts.allowed_to_try(request):
        return pages.private(render(request, "429.html", {"message": _("尝试次数过多，请稍后再试。")}, status=429))
    tenancy = rentals.tenancy_for_secret(secret)
    if tenancy is None:
        if secret:
            receipts.count_miss(request)
        return pages.private(render(request, "people/tenant_invalid.html", status=404))
    code = ""
    if request.method == "POST":
        try:
            code = rentals.claim_credential(tenancy=tenancy)
        except DomainError as exc:
            show_error(request, exc)
            return redirect(f"{reverse('people:tenant_status')}?{urlencode({'k': secret})}")
    credential = rentals.active_credential(tenancy) if tenancy.state == Tenancy.State.VERIFIED else None
    rental: Rental = tenancy.rental
    context: dict[str, Any] = {
        "t": tenancy,
        "rental": rental,
        "secret": secret,
        "new": request.GET.get("new") == "1",
        "credential": credential,
        "collected": credential is not None and rentals.collected(credential),
        "code": code,
        "code_grouped": " ".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "code_qr": pages.qr_svg(code, 6) if code else "",
        "group_qr": pages.qr_svg(rental.group_link, 6)
        if rental.group_link and tenancy.state == Tenancy.State.VERIFIED
        else "",
        "idle_days": rentals.idle_days(),
        "expires": _expiry(credential),
    }
    return pages.private(render(request, "people/tenant_status.html", context))


def _expiry(credential: Any) -> dt.datetime | None:
    if credential is None:
        return None
    return (credential.last_seen_at or credential.issued_at) + dt.timedelta(days=rentals.idle_days())
