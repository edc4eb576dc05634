"""指挥调度: instructions (stored once, read through the grid tree), receipts, notifications, patrols and duty rules.

An instruction is one row plus a few :class:`InstructionTarget` rows (node path × role); a worker's inbox is the
instructions whose target path is an ancestor-or-self of one of their membership paths. Receipts (read, 签收,
completion report) are the only per-worker rows.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import InGrid


class Instruction(models.Model):
    """One instruction or task (指令/任务) addressed to nodes (everyone under them), optionally to some roles."""

    class Kind(models.TextChoices):
        INSTRUCTION = "instruction", _("指令")
        TASK = "task", _("任务")
        # A campaign (专项排查): each addressee answers with a screening record, which completes their receipt.
        SCREENING = "screening", _("专项排查")

    class Priority(models.IntegerChoices):
        NORMAL = 1, _("一般")
        URGENT = 2, _("紧急")
        CRITICAL = 3, _("特急")

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), on_delete=models.PROTECT, related_name="sent_instructions"
    )
    sender_name = models.CharField(_("发送人姓名"), max_length=150, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.INSTRUCTION)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices, default=Priority.NORMAL)
    deadline = models.DateTimeField(_("完成期限"), null=True, blank=True)
    requires_ack = models.BooleanField(_("需要签收"), default=True)
    requires_report = models.BooleanField(_("需要反馈办理情况"), default=False)
    roles = models.JSONField(_("限定角色"), default=list, blank=True)  # empty: everyone under the nodes
    # The deepest node covering every target: what the admin and the sender's scope match against.
    scope_path = models.CharField(_("范围路径"), max_length=255, db_index=True, editable=False)
    target_names = models.CharField(_("发送范围"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("催办次数"), default=0)
    # When the addressees who owed an acknowledgement were counted (at the deadline): see AcknowledgementsDue.
    due_counted_at = models.DateTimeField(_("应签收人数统计时间"), null=True, blank=True, editable=False)

    jurisdiction_path_field = "scope_path"

    class Meta:
        verbose_name = _("指令")
        verbose_name_plural = _("指令")
        ordering = ["-id"]
        indexes = [models.Index(fields=["sender", "-id"])]

    def __str__(self) -> str:
        return self.title


class InstructionTarget(models.Model):
    """One addressed node (and role; empty = every role). The inbox query is ``path IN (ancestors)``."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="targets")
    node = models.ForeignKey("grids.GridNode", verbose_name=_("网格/区域"), on_delete=models.PROTECT, related_name="+")
    path = models.CharField(_("路径"), max_length=255)
    role = models.CharField(_("角色"), max_length=20, blank=True)

    jurisdiction_path_field = "path"

    class Meta:
        verbose_name = _("发送对象")
        verbose_name_plural = _("发送对象")
        indexes = [models.Index(fields=["path", "role", "instruction"], name="dispatch_target_inbox_idx")]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "path", "role"], name="dispatch_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.role}".strip()


class Receipt(models.Model):
    """One addressee's traces on one instruction: read, acknowledged (签收), completion reported."""

    # The unique (instruction, user) and the (user, instruction) index below serve both foreign keys: no single-column
    # twins (docs/decisions/0180).
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dispatch_receipts", db_index=False
    )
    node_path = models.CharField(max_length=255, editable=False)  # the addressed membership's node, for tracking
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    report = models.TextField(_("办理情况"), blank=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("签收回执")
        verbose_name_plural = _("签收回执")
        constraints = [models.UniqueConstraint(fields=["instruction", "user"], name="dispatch_receipt_once")]
        indexes = [models.Index(fields=["user", "instruction"])]

    def __str__(self) -> str:
        return f"{self.instruction_id}/{self.user_id}"


class AcknowledgementsDue(models.Model):
    """How many addressees under one node owed an acknowledgement when an instruction's deadline passed.

    Instructions fan out on read, so a worker who never acknowledges leaves no receipt; this snapshot, taken once at
    the deadline by a periodic job, is what lets the assessment count them (指令按时签收率 = on time ÷ due).
    """

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="acknowledgements_due")
    node_path = models.CharField(max_length=255, db_index=True)
    deadline = models.DateTimeField(_("完成期限"))
    addressees = models.PositiveIntegerField(_("应签收人数"))

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("应签收人数")
        verbose_name_plural = _("应签收人数")
        constraints = [
            models.UniqueConstraint(fields=["instruction", "node_path"], name="dispatch_ack_due_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.node_path} {self.addressees}"


class Notification(models.Model):
    """One message in one user's inbox: assignments, deadline warnings, supervision orders, reminders ..."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="dispatch_notif_inbox_idx")]

    def __str__(self) -> str:
        return self.title


def check_point(lon: Any, lat: Any) -> tuple[float, float]:
    """A WGS-84 position, or a ValidationError saying what is wrong with it."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError(_("坐标必须是数字。"), code="bad_point") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValidationError(_("坐标必须是有限的数字。"), code="bad_point")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError(
            _("坐标超出范围：经度应在 -180～180 之间，纬度应在 -90～90 之间（收到 %(lon)s, %(lat)s）。")
            % {"lon": x, "lat": y},
            code="bad_point",
        )
    if x == 0 and y == 0:
        raise ValidationError(_("坐标 (0, 0) 不是有效的定位结果，请等待定位完成。"), code="bad_point")
    return x, y


class Patrol(InGrid):
    """One patrol (巡查) walked by one grid worker: start, end and the GPS points recorded on the way."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="patrols"
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    points_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    distance_m = models.FloatField(_("里程（米）"), default=0)
    note = models.TextField(_("巡查情况"), blank=True)

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["worker", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="dispatch_one_open_patrol"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PatrolPoint(models.Model):
    # Indexed by the track index below, which leads with the patrol (a second index on it alone would be a twin).
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points", db_index=False)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    accuracy = models.FloatField(_("精度（米）"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # The phone's key for the batch this point came in: a batch sent again after a lost answer adds nothing.
    batch = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("轨迹点")
        verbose_name_plural = _("轨迹点")
        ordering = ["recorded_at", "id"]
        indexes = [
            # A patrol's track in order, its last point (read backwards before each batch), deleting a patrol.
            models.Index(fields=["patrol", "recorded_at", "id"], name="dispatch_point_track_idx"),
            # Whether a phone's batch is already in (a retry after a lost answer): without it, every batch of a long
            # patrol read all of the patrol's points.
            models.Index(fields=["patrol", "batch"], name="dispatch_point_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lon:.6f},{self.lat:.6f}"

    def clean(self) -> None:
        check_point(self.lon, self.lat)


class Visit(InGrid):
    """A household visit (入户走访); linked to a house or person by reference once base data exists."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    address = models.CharField(_("走访地址"), max_length=200)
    person_name = models.CharField(_("走访对象"), max_length=50, blank=True)
    house_ref = models.CharField(_("房屋编号"), max_length=64, blank=True)  # people app's house, when loaded
    person_ref = models.CharField(_("人员编号"), max_length=64, blank=True)
    note = models.TextField(_("走访情况"))
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # The worker's idempotency key, scoped to the worker: a visit queued offline and sent twice is recorded once.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["worker", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.address} {self.visited_at:%Y-%m-%d}"


class Diary(InGrid):
    """The daily work diary (民情日志): one per worker per day."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="diaries"
    )
    day = models.DateField(_("日期"))
    text = models.TextField(_("日志内容"))
    written_at = models.DateTimeField(_("填写时间"), default=timezone.now)

    class Meta:
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["worker", "day"], name="dispatch_one_diary_a_day")]

    def __str__(self) -> str:
        return f"{self.worker} {self.day}"


class DutyRule(models.Model):
    """A duty rule per role: do ``count`` of ``what`` every ``hours`` (e.g. 3 patrols a day)."""

    class What(models.TextChoices):
        PATROL = "patrol", _("巡查")
        VISIT = "visit", _("入户走访")
        RISK_REPORT = "risk_report", _("风险上报")
        DIARY = "diary", _("民情日志")
        SCREENING = "screening", _("矛盾排查")

    role = models.CharField(_("角色"), max_length=20)
    what = models.CharField(_("工作"), max_length=16, choices=What.choices)
    count = models.PositiveSmallIntegerField(_("次数"))
    hours = models.PositiveSmallIntegerField(_("每（小时）"), default=24)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("履职规则")
        verbose_name_plural = _("履职规则")
        ordering = ["role", "what"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="dispatch_duty_count_positive"),
            models.CheckConstraint(condition=Q(hours__gte=1), name="dispatch_duty_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.count} × {self.get_what_display()} / {self.hours}h"


class Screening(InGrid):
    """One worker's screening result (矛盾纠纷排查) for one grid and period: how many disputes were found, or an
    explicit zero report (零报告). ``instruction`` names the campaign (专项排查) it answers; empty: routine screening.

    The point of 零报告 is that silence is not a report: found == 0 must be ticked as "none found", and a grid
    without a record for the period is listed as missing.
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="screenings"
    )
    period_start = models.DateField(_("排查期起"))
    period_end = models.DateField(_("排查期止"))
    instruction = models.ForeignKey(
        Instruction,
        verbose_name=_("专项排查指令"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    found = models.PositiveIntegerField(_("发现矛盾纠纷（件）"))  # no default: a count is always stated
    none_found = models.BooleanField(_("零报告（未发现矛盾纠纷）"), default=False)
    note = models.TextField(_("排查情况"), blank=True)
    recorded_at = models.DateTimeField(_("填报时间"), default=timezone.now, db_index=True)
    # The worker's idempotency key, scoped to the worker: a record queued offline and sent twice is recorded once.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("矛盾排查")
        verbose_name_plural = _("矛盾排查")
        ordering = ["-period_start", "-recorded_at"]
        indexes = [
            models.Index(fields=["worker", "recorded_at"]),
            models.Index(fields=["period_start", "period_end"]),
        ]
        constraints = [
            # NULL instructions are distinct in a plain unique index (SQLite and PostgreSQL alike), so routine
            # screenings get their own partial index.
            models.UniqueConstraint(
                fields=["worker", "grid", "period_start", "instruction"],
                condition=Q(instruction__isnull=False),
                name="dispatch_one_campaign_screening",
            ),
            models.UniqueConstraint(
                fields=["worker", "grid", "period_start"],
                condition=Q(instruction__isnull=True),
                name="dispatch_one_routine_screening",
            ),
            models.CheckConstraint(
                condition=Q(found__gt=0, none_found=False) | Q(found=0, none_found=True),
                name="dispatch_screening_zero_report_explicit",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="dispatch_screening_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def clean(self) -> None:
        if self.found is None:
            return  # the field's own check reports the missing count
        if self.found == 0 and not self.none_found:
            raise ValidationError(_("未发现矛盾纠纷时须勾选“零报告”。"), code="zero_report_required")
        if self.found > 0 and self.none_found:
            raise ValidationError(_("已发现矛盾纠纷，不能同时勾选“零报告”。"), code="zero_report_conflict")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(_("排查期止不能早于排查期起。"), code="bad_period")
