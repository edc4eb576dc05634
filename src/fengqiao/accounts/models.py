"""Users, their roles where they serve (memberships), and departments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii


class Role(models.TextChoices):
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("专职网格员")
    PART_TIME_WORKER = "part_time_worker", _("兼职网格员")
    INFORMANT = "informant", _("信息员")
    DISPATCHER = "dispatcher", _("综治中心调度员")
    HANDLER = "handler", _("职能部门办理人")
    MEDIATOR = "mediator", _("调解员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")
    # The other two of the three administrators of 等保 2.0 level 3 (三员分立): none can do another's work.
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


WORKER_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER, Role.INFORMANT})


class User(AbstractUser):
    """A person who signs in. Phone numbers are personal data: encrypted, found by keyed hash, shown masked."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = pii.EncryptedTextField(_("手机号"), blank=True, index_field="phone_index")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Sign-in security (等保 2.0 level 3, identity authentication): password age, where the last sign-in came from,
    # failures since then, and the optional second factor (its secret encrypted like any personal data).
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now, editable=False)
    last_login_ip = models.CharField(_("上次登录地址"), max_length=64, blank=True, editable=False)
    failed_logins = models.PositiveIntegerField(_("上次登录后失败次数"), default=0, editable=False)
    totp_secret = pii.EncryptedTextField(_("动态口令密钥"), blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(_("动态口令启用时间"), null=True, blank=True, editable=False)
    totp_last_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def phone_masked(self) -> str:
        return pii.mask(self.phone)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = pii.blind_index(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        # A hash upgrade on sign-in calls set_password; it is not a change of password and must not reset its age.
        changed = self.password_changed_at
        try:
            return super().check_password(raw_password)
        finally:
            self.password_changed_at = changed

    @cached_property
    def active_memberships(self) -> list[Membership]:
        return list(self.memberships.filter(active=True).select_related("node", "department"))

    def jurisdiction_paths(self) -> frozenset[str] | None:
        """The subtrees this user serves; None for the whole territory (superusers)."""
        if self.is_superuser:
            return None
        return frozenset(m.node.path for m in self.active_memberships)

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles)) or (self.is_superuser and Role.ADMIN in roles)

    @property
    def primary_role(self) -> str:
        """The role the home page is built around: the widest-reaching one the user holds."""
        if self.is_superuser:
            return Role.ADMIN
        order = [
            Role.ADMIN,
            Role.LEADER,
            Role.DISPATCHER,
            Role.HANDLER,
            Role.MEDIATOR,
            Role.GRID_LEADER,
            Role.GRID_WORKER,
            Role.PART_TIME_WORKER,
            Role.INFORMANT,
        ]
        held = self.roles()
        return next((r for r in order if r in held), "")


class Department(models.Model):
    """A functional department (职能部门) belonging to a node: a county's police bureau, a street's office."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("综治中心")
        POLICE = "police", _("公安")
        PETITION = "petition", _("信访")
        LAND = "land", _("自然资源")
        HOUSING = "housing", _("住建")
        URBAN = "urban", _("城管")
        LABOUR = "labour", _("人社")
        EMERGENCY = "emergency", _("应急管理")
        MARKET = "market", _("市场监管")
        JUSTICE = "justice", _("司法")
        CIVIL = "civil", _("民政")
        ENVIRONMENT = "environment", _("生态环境")
        STABILITY = "stability", _("维稳")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    node = models.ForeignKey(
        "grids.GridNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="departments"
    )
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["node_path", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


class Membership(models.Model):
    """Ties a user to a node with a role: who serves where. The node's subtree is the user's jurisdiction."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    node = models.ForeignKey(
        "grids.GridNode", verbose_name=_("网格/区域"), on_delete=models.PROTECT, related_name="memberships"
    )
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    active = models.BooleanField(_("在岗"), default=True)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [models.UniqueConstraint(fields=["user", "node", "role"], name="membership_unique_role_per_node")]
        indexes = [models.Index(fields=["role", "node_path"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)
