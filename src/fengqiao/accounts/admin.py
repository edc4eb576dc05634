"""Admin for accounts, memberships (who holds which role where) and departments, under 三员分立.

The system administrator keeps user accounts (create, disable, reset password); the security administrator grants
roles (memberships); only the superuser, for installation, sets the superuser and staff flags, groups and per-user
permissions. Everyone else works inside their jurisdiction, and nobody edits their own roles.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Department, Membership, User
from fengqiao.core import scoping
from fengqiao.core.admin import (
    CONFIG_EDIT_ROLES,
    CONFIG_VIEW_ROLES,
    NOBODY,
    SECURITY_ADMIN,
    SYSTEM_ADMIN,
    THREE_ADMINS,
    JurisdictionAdmin,
    RoleAdmin,
    govern,
)
from fengqiao.core.audit import record

# Who may read accounts and memberships (to know who serves where); only these change them.
ACCOUNT_VIEW_ROLES = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, "dispatcher", "leader"})
ACCOUNT_EDIT_ROLES = frozenset({SYSTEM_ADMIN})
ROLE_GRANT_ROLES = frozenset({SECURITY_ADMIN})


def users_within_reach(queryset: QuerySet[User], actor: Any) -> QuerySet[User]:
    """Users an administrator may manage: never a superuser or one of the three administrators (whose accounts are
    the superuser's, so no administrator can take over another's), and none who serves outside the actor's reach.

    A user with no membership at all (a new account waiting for a post) is within everybody's reach, so the system
    administrator can create it and the security administrator can then give it a role.
    """
    if actor.is_superuser:
        return queryset
    paths = scoping.paths_of(actor)
    if not paths:
        return queryset.none()
    outside = Membership.objects.filter(user=OuterRef("pk")).exclude(scoping.path_q(paths, "node_path"))
    administrators = Membership.objects.filter(user=OuterRef("pk"), role__in=THREE_ADMINS)
    return queryset.filter(is_superuser=False).exclude(Exists(outside)).exclude(Exists(administrators))


def _audit_grid_path(user: User) -> str:
    """Where an account's audit row belongs: its first post, so the audit administrator of that area reads it."""
    return str(user.memberships.order_by("node_path").values_list("node_path", flat=True).first() or "")


@admin.register(Department)
class DepartmentAdmin(JurisdictionAdmin):
    view_roles = CONFIG_VIEW_ROLES
    add_roles = CONFIG_EDIT_ROLES
    change_roles = CONFIG_EDIT_ROLES
    delete_roles = NOBODY
    list_display = ["name", "code", "kind", "node", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["node"]


class MembershipForm(forms.ModelForm):
    """The rules of granting a role that a limited choice list cannot express; the actor is set per request."""

    actor: Any = None

    class Meta:
        model = Membership
        fields = ["user", "node", "role", "department", "active", "since"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actor = self.actor
        user = data.get("user") or getattr(self.instance, "user", None)
        role = data.get("role")
        if actor is not None and not actor.is_superuser:
            if user is not None and user.pk == actor.pk:
                raise ValidationError(gettext("不能为自己授予或修改角色，须由另一位安全管理员办理。"))
            if role == SECURITY_ADMIN:
                self.add_error("role", gettext("安全管理员只能由安装平台时的超级管理员任命。"))
        # Even the superuser keeps the three administrators apart.
        if user is not None and role in THREE_ADMINS:
            others = Membership.objects.filter(user=user, role__in=THREE_ADMINS - {role})
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "role", gettext("系统管理员、安全管理员、审计管理员须由不同的人担任，该用户已担任其中另一角色。")
                )
        return data


@admin.register(Membership)
class MembershipAdmin(JurisdictionAdmin):
    """任职: only the security administrator grants, changes or revokes roles, inside their jurisdiction."""

    view_roles = ACCOUNT_VIEW_ROLES
    add_roles = ROLE_GRANT_ROLES
    change_roles = ROLE_GRANT_ROLES
    delete_roles = ROLE_GRANT_ROLES
    form = MembershipForm
    list_display = ["user", "role", "node", "department", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "user__full_name", "node__name", "node__code"]
    autocomplete_fields = ["user", "node", "department"]
    list_select_related = ["user", "node", "department"]

    def _may_touch(self, request: HttpRequest, obj: Membership | None) -> bool:
        """Nobody changes their own roles, and a security administrator's post is the superuser's to change."""
        if obj is None or request.user.is_superuser:
            return True
        return obj.user_id != request.user.pk and obj.role != SECURITY_ADMIN

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A post changes role, place or state; moving it to another person is a new grant.
        return ["user"] if obj is not None and not request.user.is_superuser else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            verb="membership_change" if change else "membership_grant",
            target=obj,
            data={
                "user": obj.user.get_username(),
                "role": obj.role,
                "node": obj.node.code,
                "active": obj.active,
                "changed": sorted(form.changed_data),
            },
        )

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        self._record_revoke(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset.select_related("user", "node"):
            self._record_revoke(request, obj)
        super().delete_queryset(request, queryset)

    def _record_revoke(self, request: HttpRequest, obj: Membership) -> None:
        data = {"user": obj.user.get_username(), "role": obj.role, "node": obj.node.code}
        record(actor=request.user, verb="membership_revoke", target=obj, data=data)


class MembershipInline(admin.TabularInline):
    """The user's posts, shown on the account; granted only through 任职 (the superuser alone edits them here)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["node", "department"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # shown only on an account the viewer may already see

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


class AccountForm(UserChangeForm):
    """The phone is personal data: the form shows it masked and takes a new one typed in; blank keeps it."""

    new_phone = forms.CharField(
        label=_("新手机号"),
        required=False,
        max_length=20,
        help_text=_("留空则不修改；当前号码只显示脱敏形式。"),
    )

    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        exclude = ["phone"]

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("new_phone"):
            self.instance.phone = self.cleaned_data["new_phone"]
        return super().save(commit=commit)


PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    """Accounts: the system administrator's, inside their jurisdiction; privileges are the superuser's alone."""

    view_roles = ACCOUNT_VIEW_ROLES
    add_roles = ACCOUNT_EDIT_ROLES
    change_roles = ACCOUNT_EDIT_ROLES
    delete_roles = NOBODY
    form = AccountForm
    list_display = ["username", "full_name", "phone_masked", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["phone_masked", "last_login", "date_joined"]
    inlines = [MembershipInline]
    actions = ["reset_second_factor"]

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_superuser or user.has_role(*ROLE_GRANT_ROLES))

    @admin.action(description=_("重置动态口令（手机丢失时）"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The security administrator clears a lost authenticator; the user enrols again at the next sign-in."""
        done = 0
        for user in queryset.exclude(pk=request.user.pk):
            if not user.totp_secret and not user.totp_confirmed_at:
                continue
            User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None)
            record(
                actor=request.user,
                verb="totp_reset",
                target=user,
                data={"user": user.get_username()},
                grid_path=_audit_grid_path(user),
            )
            done += 1
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, gettext("不能重置自己的动态口令，须由另一位安全管理员办理。"), level="warning")
        self.message_user(request, gettext("已重置 %(n)d 个账号的动态口令，下次登录时重新绑定。") % {"n": done})

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj: User) -> str:
        return obj.phone_masked

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        rights: tuple[str, ...] = ("is_active",)
        if request.user.is_superuser:
            rights += PRIVILEGE_FIELDS
        return (
            (None, {"fields": ("username", "password")}),
            (_("个人信息"), {"fields": ("full_name", "phone_masked", "new_phone", "email")}),
            (_("权限"), {"fields": rights}),
            (_("时间"), {"fields": ("last_login", "date_joined")}),
        )

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Posts are granted through 任职; a new account has none to show.
        return self.inlines if obj is not None or request.user.is_superuser else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return users_within_reach(admin.ModelAdmin.get_queryset(self, request), request.user)

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser and not change:
            # A forged body cannot reach these: the form lacks them, and a new account starts without them too.
            obj.is_staff = obj.is_superuser = False
        super().save_model(request, obj, form, change)
        changed = sorted(f for f in form.changed_data if f not in {"password", "password1", "password2", "new_phone"})
        if "new_phone" in form.changed_data:
            changed.append("phone")
        record(
            actor=request.user,
            verb="user_change" if change else "user_create",
            target=obj,
            data={"user": obj.get_username(), "changed": changed},
            grid_path=_audit_grid_path(obj),
        )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                record(
                    actor=request.user,
                    verb="password_reset",
                    target=user,
                    data={"user": user.get_username()},
                    grid_path=_audit_grid_path(user),
                )
        return response


# Third-party admins under the same rules: groups and per-model permissions are the superuser's; the security
# administrator reads the sign-in lockouts.
govern(Group)
for _label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
    govern(_label, view_roles=ROLE_GRANT_ROLES)
govern("django_tasks_database.DBTaskResult")
