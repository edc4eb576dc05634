"""Admin for base data: the county's configuration of key-person categories, and the estates' gate controllers.
Records about persons are read through the pages, scoped and need-to-know, never listed here."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.core import crypto
from fengqiao.core.admin import CONFIG_VIEW_ROLES, SECURITY_ADMIN, ConfigAdmin, JurisdictionAdmin
from fengqiao.people import rentals
from fengqiao.people.models import Gate, KeyCategory


@admin.register(KeyCategory)
class KeyCategoryAdmin(ConfigAdmin):
    list_display = ["name", "code", "red_days", "yellow_days", "blue_days", "retention_days", "order", "active"]
    list_editable = ["red_days", "yellow_days", "blue_days", "order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "red_days", "yellow_days", "blue_days", "retention_days", "purpose", "order", "active"]


class GateForm(forms.ModelForm):
    """A gate controller of an estate; its API key is issued here and shown once."""

    issue_api_key = forms.BooleanField(label=_("生成新的接口密钥（仅显示一次，旧密钥立即失效）"), required=False)

    class Meta:
        model = Gate
        fields = ["name", "grid", "webhook_url", "active"]

    def clean_webhook_url(self) -> str:
        url = str(self.cleaned_data.get("webhook_url") or "")
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("推送地址须为 http 或 https 地址。"))
        return url


@admin.register(Gate)
class GateAdmin(JurisdictionAdmin):
    """门禁: the gates that ask whether a tenant's code may pass. Their API keys are security settings, kept by the
    security administrator of the area (as referring bodies' keys are); a new gate gets its key at once."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = frozenset({SECURITY_ADMIN})
    change_roles = frozenset({SECURITY_ADMIN})
    form = GateForm
    list_display = ["name", "grid", "webhook_url", "active"]
    list_filter = ["active"]
    search_fields = ["name", "grid__name", "grid__code"]
    raw_id_fields = ["grid"]

    def save_model(self, request: HttpRequest, obj: Gate, form: Any, change: bool) -> None:
        if not change:
            # Unusable until the key below replaces it: the digest of a secret nobody holds.
            obj.key_index = crypto.fingerprint(secrets.token_urlsafe(32))
        super().save_model(request, obj, form, change)
        if not change or form.cleaned_data.get("issue_api_key"):
            key = rentals.issue_gate_key(actor=request.user, gate=obj)
            messages.warning(
                request,
                format_html(gettext("门禁接口密钥（仅显示这一次，请当面交给门禁厂商配置）：<code>{}</code>"), key),
            )
