"""Admin pieces shared by every app: every admin list and form is scoped to the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fengqiao.core import scoping
from fengqiao.core.models import Action, Attachment, RateCounter

# Roles allowed into the admin for data in their own jurisdiction; reading vs. editing.
ADMIN_VIEW_ROLES = {"admin", "dispatcher", "leader"}
ADMIN_EDIT_ROLES = {"admin", "dispatcher"}


def _roles(request: HttpRequest) -> set[str]:
    user: Any = request.user
    if not user.is_authenticated or not user.is_staff:
        return set()
    return set(user.roles())


class JurisdictionAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows are limited to the user's subtrees; roles, not per-model permissions, decide."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoping.scope(super().get_queryset(request), request.user)

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return True
        field = getattr(obj, "jurisdiction_path_field", "grid_path")
        return scoping.covers(request.user, str(getattr(obj, field, "") or ""))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _roles(request) & ADMIN_VIEW_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if request.user.is_superuser:
            return True
        return bool(_roles(request) & ADMIN_VIEW_ROLES) and self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if request.user.is_superuser:
            return True
        return bool(_roles(request) & ADMIN_EDIT_ROLES) and self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _roles(request) & ADMIN_EDIT_ROLES)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the platform writes itself (counters, receipts, files): visible to administrators, never edited here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "purpose", "content_type", "object_id", "width", "height", "uploaded_at"]
    list_filter = ["purpose"]


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnlyAdmin):
    list_display = ["key", "bucket", "count", "expires"]
    search_fields = ["key"]


@admin.register(Action)
class ActionAdmin(JurisdictionAdmin):
    list_display = ["at", "actor_name", "verb", "object_repr", "from_state", "to_state"]
    list_filter = ["verb", "workflow"]
    search_fields = ["object_repr", "actor_name", "note"]
    date_hierarchy = "at"

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
