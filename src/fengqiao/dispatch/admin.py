"""Admin for dispatch data, scoped to the user's jurisdiction where a row lives in the grid tree."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.core.admin import ConfigAdmin, JurisdictionAdmin, ReadOnlyAdmin
from fengqiao.dispatch.models import (
    AcknowledgementsDue,
    Diary,
    DutyRule,
    Instruction,
    InstructionTarget,
    Notification,
    Patrol,
    PatrolPoint,
    Receipt,
    Screening,
    Visit,
)


class TargetInline(admin.TabularInline):
    model = InstructionTarget
    extra = 0
    fields = ["node", "path", "role"]
    readonly_fields = ["node", "path", "role"]
    can_delete = False


@admin.register(Instruction)
class InstructionAdmin(JurisdictionAdmin):
    list_display = ["id", "title", "kind", "priority", "sender_name", "target_names", "created_at"]
    list_filter = ["kind", "priority", "requires_ack"]
    search_fields = ["title", "body", "sender_name"]
    date_hierarchy = "created_at"
    readonly_fields = ["sender", "scope_path", "target_names", "created_at", "reminded_at", "reminders"]
    inlines = [TargetInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sent through the page or the API, so scope checks and live push happen


@admin.register(Receipt)
class ReceiptAdmin(JurisdictionAdmin):
    list_display = ["instruction", "user", "read_at", "acknowledged_at", "completed_at"]
    raw_id_fields = ["instruction", "user"]


@admin.register(AcknowledgementsDue)
class AcknowledgementsDueAdmin(ReadOnlyAdmin):
    """Written once per instruction at its deadline by the worker."""

    list_display = ["instruction", "node_path", "deadline", "addressees"]


@admin.register(Patrol)
class PatrolAdmin(JurisdictionAdmin):
    list_display = ["worker", "grid", "started_at", "ended_at", "points_count", "distance_m"]
    raw_id_fields = ["worker", "grid"]
    date_hierarchy = "started_at"


@admin.register(Visit)
class VisitAdmin(JurisdictionAdmin):
    list_display = ["worker", "grid", "address", "person_name", "visited_at"]
    raw_id_fields = ["worker", "grid"]
    search_fields = ["address", "person_name", "note"]


@admin.register(Diary)
class DiaryAdmin(JurisdictionAdmin):
    list_display = ["worker", "grid", "day", "written_at"]
    raw_id_fields = ["worker", "grid"]


@admin.register(Screening)
class ScreeningAdmin(JurisdictionAdmin):
    list_display = ["worker", "grid", "period_start", "period_end", "found", "none_found", "instruction", "recorded_at"]
    list_filter = ["none_found"]
    raw_id_fields = ["worker", "grid", "instruction"]


@admin.register(DutyRule)
class DutyRuleAdmin(ConfigAdmin):
    list_display = ["role", "what", "count", "hours", "active"]
    list_filter = ["role", "what", "active"]
    list_editable = ["count", "hours", "active"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(InstructionTarget)
class InstructionTargetAdmin(ReadOnlyAdmin):
    list_display = ["instruction", "path", "role"]


@admin.register(PatrolPoint)
class PatrolPointAdmin(ReadOnlyAdmin):
    list_display = ["patrol", "lon", "lat"]
