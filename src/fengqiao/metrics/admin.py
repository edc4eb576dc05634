"""Admin for indicators (weights are edited here) and, read-only, the counters and monthly reports."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.core.admin import ConfigAdmin, ReadOnlyAdmin
from fengqiao.metrics.models import DailyGridStat, Indicator, MonthlyReport, PendingDelta


@admin.register(Indicator)
class IndicatorAdmin(ConfigAdmin):
    list_display = ["code", "name", "weight", "active", "description"]
    list_editable = ["weight", "active"]


@admin.register(DailyGridStat)
class DailyGridStatAdmin(ReadOnlyAdmin):
    list_display = [
        "node_path",
        "day",
        "reported",
        "registered",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "acks",
        "acks_on_time",
        "patrols",
        "visits",
        "diaries",
    ]
    list_filter = ["day"]
    search_fields = ["node_path"]
    show_full_result_count = False


@admin.register(PendingDelta)
class PendingDeltaAdmin(ReadOnlyAdmin):
    list_display = ["node_path", "day", "reported", "closed", "created_at"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["node", "month", "generated_at"]
