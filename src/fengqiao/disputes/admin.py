"""Admin for the catalogue, organisations, mediators and the case library (cases are worked on their pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii, scoping
from fengqiao.core.admin import (
    CONFIG_EDIT_ROLES,
    CONFIG_VIEW_ROLES,
    ConfigAdmin,
    JurisdictionAdmin,
    ReadOnlyAdmin,
    RoleAdmin,
)
from fengqiao.disputes.models import (
    Agreement,
    CaseStudy,
    Dispute,
    DisputeType,
    Mediator,
    Organisation,
    Party,
    Session,
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
        "ladder",
        "active",
    ]
    list_editable = ["assign_hours", "first_update_hours", "close_days", "revisit_days", "active"]

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
