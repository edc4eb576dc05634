"""Admin for base data: the county's configuration of key-person categories. Records about persons are read
through the pages, scoped and need-to-know, never listed here."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.core.admin import ConfigAdmin
from fengqiao.people.models import KeyCategory


@admin.register(KeyCategory)
class KeyCategoryAdmin(ConfigAdmin):
    list_display = ["name", "code", "red_days", "yellow_days", "blue_days", "retention_days", "order", "active"]
    list_editable = ["red_days", "yellow_days", "blue_days", "order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "red_days", "yellow_days", "blue_days", "retention_days", "purpose", "order", "active"]
