from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Department
from fengqiao.core.admin import SECURITY_ADMIN, ConfigAdmin, JurisdictionAdmin, ReadOnlyAdmin, RoleAdmin, name_model
from fengqiao.events.models import ApiClient, Category, Device, DeviceNonce, Event, Extension, Summons, Supervision


@admin.register(Category)
class CategoryAdmin(ConfigAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "tier",
        "department",
        "handle_amount",
        "handle_unit",
        "public",
        "active",
    ]
    list_filter = ["tier", "active", "public", "requires_acceptance"]
    search_fields = ["code", "name"]

    @admin.display(description=_("默认责任部门类别"), ordering="department_kind")
    def department(self, obj: Category) -> str:
        kinds = dict(Department.Kind.choices)
        return str(kinds.get(obj.department_kind, obj.department_kind or "—"))


@admin.register(Event)
class EventAdmin(JurisdictionAdmin):
    list_display = ["tracking_code", "category", "state", "source", "grid", "reported_at", "due_at"]
    list_filter = ["state", "source", "tier"]
    search_fields = ["tracking_code", "description"]
    raw_id_fields = [
        "grid",
        "category",
        "lead_department",
        "merged_into",
        "reporter",
        "owner_node",
        "first_receiver",
        "first_receiver_node",
    ]
    exclude = ["reporter_phone"]
    readonly_fields = ["state", "tracking_code", "due_at", "warn_at", "stage_started_at"]
    list_select_related = ["category", "grid"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        # Events change only through the workflow, so the audit trail is complete.
        return False


@admin.register(Supervision)
class SupervisionAdmin(RoleAdmin):
    """Written by the workflow; the superuser alone sees it here."""

    list_display = ["event", "issued_by", "issued_at"]
    raw_id_fields = ["event", "issued_by"]


@admin.register(Summons)
class SummonsAdmin(RoleAdmin):
    """吹哨报到: written by the whistle's workflow and shown on the event's page; the superuser alone sees it here (and
    may delete it with its event, as with supervision orders)."""

    list_display = ["event", "department", "state", "summoned_at", "reported_at"]
    raw_id_fields = ["event", "department"]


@admin.register(Extension)
class ExtensionAdmin(RoleAdmin):
    """Requested and decided on the event's page; the superuser alone sees it here."""

    list_display = ["event", "hours", "state", "requested_at"]
    raw_id_fields = ["event", "requested_by", "decided_by"]


@admin.register(Device)
class DeviceAdmin(JurisdictionAdmin):
    list_display = ["code", "name", "category", "grid", "active"]
    raw_id_fields = ["grid", "category"]


@admin.register(ApiClient)
class ApiClientAdmin(RoleAdmin):
    """Systems allowed to call the API: a security setting, kept by the security administrator."""

    view_roles = frozenset({SECURITY_ADMIN})
    change_roles = frozenset({SECURITY_ADMIN})

    list_display = ["name", "active", "created_at"]
    readonly_fields = ["key_index"]


name_model(DeviceNonce, _("设备防重放随机数"))


@admin.register(DeviceNonce)
class DeviceNonceAdmin(ReadOnlyAdmin):
    """Nonces devices have used (replay protection), kept by the platform itself."""

    list_display = ["device", "nonce", "seen_at"]
