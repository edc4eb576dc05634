"""Admin for the catalogue, organisations, mediators and the case library (cases are worked on their pages)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii
from fengqiao.core.admin import ReadOnlyAdmin
from fengqiao.disputes.models import (
    Agreement,
    CaseStudy,
    DeadlineWarning,
    Dispute,
    DisputeType,
    Mediator,
    Organisation,
    Party,
    Session,
    Update,
)


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "industry",
        "assign_hours",
        "first_update_hours",
        "close_days",
        "revisit_days",
        "active",
    ]
    list_editable = ["assign_hours", "first_update_hours", "close_days", "revisit_days", "active"]


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 0
    raw_id_fields = ["user"]
    filter_horizontal = ["specialties"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "industry", "node", "leader", "active"]
    list_filter = ["kind", "industry", "active"]
    search_fields = ["name", "node__name", "node__code"]
    raw_id_fields = ["node", "leader"]
    filter_horizontal = ["specialties"]
    inlines = [MediatorInline]


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "title", "is_expert", "active"]
    list_filter = ["is_expert", "active", "organisation__kind"]
    search_fields = ["user__username", "user__full_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    filter_horizontal = ["specialties"]


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "published", "created_at"]
    list_filter = ["type", "published"]
    search_fields = ["title", "facts", "points"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
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


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "flag", "sent_at"]
    list_filter = ["flag"]
