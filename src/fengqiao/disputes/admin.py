"""Admin for the catalogue, organisations, mediators and the case library (cases are worked on their pages)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii, scoping
from fengqiao.core.admin import (
    CONFIG_EDIT_ROLES,
    CONFIG_VIEW_ROLES,
    SECURITY_ADMIN,
    ConfigAdmin,
    JurisdictionAdmin,
    ReadOnlyAdmin,
    RoleAdmin,
)
from fengqiao.disputes import referrals
from fengqiao.disputes.models import (
    REFERRING_SOURCES,
    Agreement,
    Attendance,
    CaseStudy,
    Dispute,
    DisputeType,
    Feedback,
    LeaderNote,
    Mediator,
    Organisation,
    PanelSeat,
    Party,
    PartyLink,
    Referrer,
    Session,
    Signature,
    Source,
    Update,
)


@admin.register(DisputeType)
class DisputeTypeAdmin(ConfigAdmin):
    list_display = [
        "code",
        "name",
        "industry",
        "assign_hours",
        "first_update_hours",
        "close_days",
        "revisit_days",
        "ladder_name",
        "active",
    ]
    list_editable = ["assign_hours", "first_update_hours", "close_days", "revisit_days", "active"]

    @admin.display(description=_("调解层级体系"), ordering="ladder")
    def ladder_name(self, obj: DisputeType) -> str:
        """The ladder by its name, never its code (an empty code is the county default, named as such)."""
        from fengqiao.disputes.tiers import ladder

        return ladder(obj.ladder).name if obj.ladder else gettext("（全县默认层级）")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "ladder":  # one of the configured ladders (disputes.tiers), never a free code
            from fengqiao.disputes.tiers import ladder_field

            return ladder_field(label=db_field.verbose_name, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 0
    raw_id_fields = ["user"]
    filter_horizontal = ["specialties"]


@admin.register(Organisation)
class OrganisationAdmin(JurisdictionAdmin):
    """Mediation organisations are base configuration, kept by the system administrator in their jurisdiction."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = CONFIG_EDIT_ROLES
    change_roles = CONFIG_EDIT_ROLES
    list_display = ["name", "kind", "industry", "node", "leader", "active"]
    list_filter = ["kind", "industry", "active"]
    search_fields = ["name", "node__name", "node__code"]
    raw_id_fields = ["node", "leader"]
    filter_horizontal = ["specialties"]
    inlines = [MediatorInline]


@admin.register(Mediator)
class MediatorAdmin(JurisdictionAdmin):
    """A mediator lives where their organisation does."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = CONFIG_EDIT_ROLES
    change_roles = CONFIG_EDIT_ROLES
    list_display = ["user", "organisation", "title", "is_expert", "active"]
    list_filter = ["is_expert", "active", "organisation__kind"]
    search_fields = ["user__username", "user__full_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    filter_horizontal = ["specialties"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mediator]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return scoping.scope(qs, request.user, field="organisation__node_path")

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or scoping.covers(request.user, obj.organisation.node_path)  # type: ignore[attr-defined]


@admin.register(CaseStudy)
class CaseStudyAdmin(RoleAdmin):
    list_display = ["title", "type", "published", "created"]
    list_filter = ["type", "published"]
    search_fields = ["title", "facts", "points"]

    @admin.display(description=_("创建时间"), ordering="created_at")
    def created(self, obj: CaseStudy) -> object:
        return obj.created_at


@admin.register(Dispute)
class DisputeAdmin(RoleAdmin):
    """Read-only: cases change through their workflow, never by editing rows."""

    list_display = ["tracking_code", "type", "state", "risk", "grid", "entered_at"]
    list_filter = ["state", "risk", "type", "source"]
    search_fields = ["tracking_code"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    """Parties are shown masked; the full identifiers are only revealed, and logged, on the case page."""

    list_display = ["dispute", "role", "kind", "masked_name", "masked_phone"]
    list_filter = ["role", "kind"]
    exclude = ["name", "phone", "id_number", "phone_index", "id_index"]

    @admin.display(description=_("姓名"))
    def masked_name(self, obj: Party) -> str:
        return pii.mask(obj.name)

    @admin.display(description=_("电话"))
    def masked_phone(self, obj: Party) -> str:
        return pii.mask(obj.phone)


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["dispute"]


@admin.register(Update)
class UpdateAdmin(ReadOnlyAdmin):
    list_display = ["dispute"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "version"]


@admin.register(PanelSeat)
class PanelSeatAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "mediator", "lead"]


@admin.register(LeaderNote)
class LeaderNoteAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "at"]


@admin.register(PartyLink)
class PartyLinkAdmin(ReadOnlyAdmin):
    """Only the token's keyed hash is stored, and not even that is shown: a link is issued on the case page."""

    list_display = ["party", "created_at", "expires_at", "revoked_at"]
    exclude = ["token_index"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "party", "joined_at"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """The drawn image is personal data: it is seen on the signed document, never in the admin."""

    list_display = ["party", "kind", "signed_at"]
    exclude = ["image"]


class ReferrerForm(forms.ModelForm):
    """A referring body; the callback secret and the API key are written here and never shown again."""

    new_callback_secret = forms.CharField(
        label=_("新的回传签名密钥"),
        required=False,
        min_length=16,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则保持不变；至少 16 个字符，与对方系统约定。"),
    )
    generate_callback_secret = forms.BooleanField(label=_("生成新的回传签名密钥（仅显示一次）"), required=False)
    issue_api_key = forms.BooleanField(label=_("生成新的接口密钥（仅显示一次，旧密钥立即失效）"), required=False)

    class Meta:
        model = Referrer
        fields = ["name", "source", "node", "callback_url", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "source" in self.fields:  # absent when the viewer may only read
            keep = {*REFERRING_SOURCES, self.instance.source} if self.instance.pk else set(REFERRING_SOURCES)
            self.fields["source"].choices = [c for c in Source.choices if c[0] in keep]  # type: ignore[attr-defined]

    def clean_callback_url(self) -> str:
        url = str(self.cleaned_data.get("callback_url") or "")
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("结果回传地址须为 http 或 https 地址。"))
        return url


@admin.register(Referrer)
class ReferrerAdmin(JurisdictionAdmin):
    """Referring bodies: their keys and callback secrets are security settings, kept by the security administrator."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = frozenset({SECURITY_ADMIN})
    change_roles = frozenset({SECURITY_ADMIN})
    form = ReferrerForm
    list_display = ["name", "source", "node", "callback_url", "has_key", "active"]
    list_filter = ["source", "active"]
    search_fields = ["name", "node__name", "node__code"]
    raw_id_fields = ["node"]

    @admin.display(description=_("接口密钥"), boolean=True)
    def has_key(self, obj: Referrer) -> bool:
        return bool(obj.api_key_index)

    def save_model(self, request: HttpRequest, obj: Referrer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        secret = data.get("new_callback_secret") or ""
        if data.get("generate_callback_secret"):
            secret = secrets.token_urlsafe(32)
            messages.warning(
                request,
                format_html(gettext("回传签名密钥（仅显示这一次，请当面交给对方系统管理员）：<code>{}</code>"), secret),
            )
        if secret:
            referrals.set_callback_secret(actor=request.user, referrer=obj, secret=secret)  # type: ignore[arg-type]
        if data.get("issue_api_key"):
            key = referrals.issue_api_key(actor=request.user, referrer=obj)  # type: ignore[arg-type]
            messages.warning(
                request,
                format_html(gettext("接口密钥（仅显示这一次，旧密钥已失效）：<code>{}</code>"), key),
            )


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    """Outcome deliveries to referring bodies, written by the platform (attempts and errors kept); each case page shows
    its own, within the viewer's reach, so the admin list is left to the installer."""

    list_display = ["dispute", "referrer", "event", "attempts", "delivered_at", "last_error"]
    list_filter = ["event"]
    exclude = ["payload"]
