from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Department, Membership, User
from fengqiao.core import scoping
from fengqiao.core.admin import JurisdictionAdmin


@admin.register(Department)
class DepartmentAdmin(JurisdictionAdmin):
    list_display = ["name", "code", "kind", "node", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["node"]


@admin.register(Membership)
class MembershipAdmin(JurisdictionAdmin):
    list_display = ["user", "role", "node", "department", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "user__full_name", "node__name", "node__code"]
    raw_id_fields = ["user", "node", "department"]
    list_select_related = ["user", "node", "department"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["node", "department"]


@admin.register(User)
class UserAdmin(JurisdictionAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "phone_masked", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj: User) -> str:
        return obj.phone_masked

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A user is in scope when they serve somewhere inside the viewer's jurisdiction.
        qs = admin.ModelAdmin.get_queryset(self, request)
        memberships = scoping.scope(Membership.objects.filter(user=OuterRef("pk")), request.user)
        if request.user.is_superuser:
            return qs
        return qs.filter(Exists(memberships))

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()
