"""Admin pieces shared by every app: roles decide who may do what, and every list and form keeps to a jurisdiction.

Separation of duties (三员分立, GB/T 22239-2019 level 3): the system administrator keeps accounts and base
configuration, the security administrator grants roles and keeps security settings, the audit administrator reads the
audit trail; none can do another's work. Django's per-model permissions (groups, user permissions) play no part here:
each admin class names the roles that may view, add, change and delete its rows. The superuser, for installation
only, may do everything and every request it makes to the admin is audited (``core.superuser_audit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import ForeignKey, ManyToManyField, Model, Q, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.core import audit, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.models import Action, Attachment, AuditAnchor, DeadlineWarning, RateCounter

# Role codes as accounts.models.Role spells them (core imports no app).
SYSTEM_ADMIN = "admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
THREE_ADMINS = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN})

# Business data (events, patrols, instructions ...): dispatchers and leaders in their jurisdiction, as on the pages.
BUSINESS_VIEW_ROLES = frozenset({"dispatcher", "leader"})
BUSINESS_EDIT_ROLES = frozenset({"dispatcher"})
# Base configuration (grids, departments, catalogues, weights): the system administrator keeps it; others read it.
CONFIG_VIEW_ROLES = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, "dispatcher", "leader"})
CONFIG_EDIT_ROLES = frozenset({SYSTEM_ADMIN})
NOBODY: frozenset[str] = frozenset()


def _roles(request: HttpRequest) -> set[str]:
    user: Caller = request.user
    if not signed_in(user) or not user.is_staff or not user.is_active:
        return set()
    return set(user.roles())


def out_of_reach_message(field_label: Any) -> str:
    return gettext("所选的“%(field)s”不存在，或不在您的管辖范围内。") % {"field": field_label}


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # Django's ModelAdmin takes no type parameter at run time
    _ModelAdmin = admin.ModelAdmin


class RoleAdmin(_ModelAdmin):
    """A ModelAdmin governed by roles: each action names the roles allowed; the superuser may do all.

    Choices offered for a related row (a grid, a department, a user) are the rows the editor may see in that row's
    own admin, so a forged id of something outside the editor's reach fails validation like a missing one.
    """

    view_roles: ClassVar[frozenset[str]] = NOBODY
    add_roles: ClassVar[frozenset[str]] = NOBODY
    change_roles: ClassVar[frozenset[str]] = NOBODY
    delete_roles: ClassVar[frozenset[str]] = NOBODY

    def _allowed(self, request: HttpRequest, roles: frozenset[str]) -> bool:
        if request.user.is_superuser:
            return bool(request.user.is_active)
        return bool(_roles(request) & roles)

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.view_roles | self.add_roles | self.change_roles | self.delete_roles)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, self.view_roles | self.change_roles) and self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, self.change_roles) and self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.add_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, self.delete_roles) and self._in_scope(request, obj)

    def _reachable(self, request: HttpRequest, model: type[Model]) -> QuerySet[Any] | None:
        related = self.admin_site._registry.get(model)
        if isinstance(related, RoleAdmin) and not request.user.is_superuser:
            return related.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        queryset = self._reachable(request, db_field.remote_field.model)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
            kwargs.setdefault("error_messages", {})["invalid_choice"] = out_of_reach_message(db_field.verbose_name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        queryset = self._reachable(request, db_field.remote_field.model)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
            kwargs.setdefault("error_messages", {})["invalid_choice"] = out_of_reach_message(db_field.verbose_name)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class JurisdictionAdmin(RoleAdmin):
    """Rows limited to the user's subtrees; out of them a row answers exactly like a missing one.

    By default business data: dispatchers edit and leaders read inside their jurisdiction.
    """

    view_roles = BUSINESS_VIEW_ROLES
    add_roles = BUSINESS_EDIT_ROLES
    change_roles = BUSINESS_EDIT_ROLES
    delete_roles = NOBODY

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoping.scope(super().get_queryset(request), request.user)

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return True
        field = getattr(obj, "jurisdiction_path_field", "grid_path")
        return scoping.covers(request.user, str(getattr(obj, field, "") or ""))


class ConfigAdmin(RoleAdmin):
    """Base configuration with no place in the tree (catalogues, weights, rules): the system administrator's."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = CONFIG_EDIT_ROLES
    change_roles = CONFIG_EDIT_ROLES


class ReadOnlyAdmin(RoleAdmin):
    """Records the platform writes itself (counters, receipts, files): visible to the superuser, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def name_model(model: type[Model], name: Any) -> None:
    """Give a model without a Chinese name one for the admin.

    Set here rather than in the model's Meta: Django records Meta names in migrations, and a name shown to
    administrators is no part of the schema. Meta keeps precedence where it names the model itself.
    """
    if "verbose_name" not in model._meta.original_attrs:
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name


def govern(
    model: type[Model] | str,
    *,
    view_roles: frozenset[str] = NOBODY,
    site: admin.AdminSite = admin.site,
) -> None:
    """Put a third-party model's admin under the role policy: the named roles may read; writing stays the superuser's
    (and only as far as the original admin allows)."""
    from django.apps import apps

    if isinstance(model, str):
        model = apps.get_model(model)
    original = type(site._registry[model])

    class Governed(RoleAdmin, original):  # type: ignore[valid-type,misc]
        def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
            return RoleAdmin.has_add_permission(self, request) and original.has_add_permission(self, request, *args)

        def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
            return RoleAdmin.has_change_permission(self, request, obj) and original.has_change_permission(
                self, request, obj
            )

        def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
            return RoleAdmin.has_delete_permission(self, request, obj) and original.has_delete_permission(
                self, request, obj
            )

        @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
        def action_checkbox(self, obj: Model) -> SafeString:
            # A third-party row describes itself in English (its __str__); name it by its model and number instead.
            label = f"{obj._meta.verbose_name} {obj.pk}"
            attrs = {"class": "action-select", "aria-label": format_html(gettext("选择此对象执行操作 - {}"), label)}
            return forms.CheckboxInput(attrs, lambda value: False).render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    Governed.view_roles = view_roles
    Governed.__name__ = Governed.__qualname__ = f"Governed{original.__name__}"
    site.unregister(model)
    site.register(model, Governed)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "purpose", "content_type", "object_id", "width", "height", "uploaded_at"]
    list_filter = ["purpose"]


name_model(RateCounter, _("限流计数"))


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnlyAdmin):
    list_display = ["key", "bucket", "count", "expires"]
    search_fields = ["key"]


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(ReadOnlyAdmin):
    list_display = ["content_type", "object_id", "signal", "due_at", "sent_at"]
    list_filter = ["signal"]


class VerbFilter(admin.SimpleListFilter):
    """Filter the trail by what was done, named as its users name it."""

    title = _("操作")
    parameter_name = "verb"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        rows = Action.objects.order_by().values_list("verb", "workflow").distinct()
        labels = {verb: audit.verb_label(verb, workflow) for verb, workflow in rows}
        return sorted(labels.items(), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(verb=self.value()) if self.value() else queryset


@admin.register(Action)
class ActionAdmin(JurisdictionAdmin):
    """The audit trail: read by the audit administrator only, written by nobody here (三员分立)."""

    view_roles = frozenset({AUDIT_ADMIN})
    add_roles = NOBODY
    change_roles = NOBODY
    delete_roles = NOBODY
    list_display = ["at", "actor_name", "what", "object_repr", "from_label", "to_label", "seq"]
    list_filter = [VerbFilter]
    search_fields = ["object_repr", "actor_name", "note"]
    date_hierarchy = "at"

    @admin.display(description=_("操作"), ordering="verb")
    def what(self, obj: Action) -> str:
        return audit.verb_label(obj.verb, obj.workflow)

    @admin.display(description=_("原状态"))
    def from_label(self, obj: Action) -> str:
        return audit.state_label(obj.from_state, obj.workflow)

    @admin.display(description=_("新状态"))
    def to_label(self, obj: Action) -> str:
        return audit.state_label(obj.to_state, obj.workflow)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Rows that belong to no grid (accounts, superuser use) are platform-wide: every audit administrator reads them.
        qs = admin.ModelAdmin.get_queryset(self, request)
        paths = scoping.paths_of(request.user)
        if paths is None:
            return qs
        return qs.filter(scoping.path_q(paths, "grid_path") | Q(grid_path=""))

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or not obj.grid_path or super()._in_scope(request, obj)  # type: ignore[attr-defined]


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    """The audit chain's sealed heads: evidence for the audit administrator, written only by the sealing job."""

    view_roles = frozenset({AUDIT_ADMIN})
    list_display = ["seq", "at", "rows", "row_hash"]
