"""Events (事件): categories, the events themselves, and the records around them (supervision, extensions, devices).

An event lives in its finest grid (``InGrid``). Its colour is never stored: the stage it is in has a deadline
(``due_at``) and an orange threshold (``warn_at``), and ``core.sla`` turns them into green/orange/red in SQL.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core import crypto, pii
from fengqiao.core.models import InGrid


class Tier(models.TextChoices):
    """四事分办: who handles it — small things in the grid, urgent ones in the community, and so on up."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区/村")
    STREET = "street", _("街道/乡镇")
    COUNTY = "county", _("区/县")


TIER_ORDER: list[str] = [Tier.GRID, Tier.COMMUNITY, Tier.STREET, Tier.COUNTY]


class Category(models.Model):
    """A two-level catalogue (大类/小类) with who handles it and how long each stage may take."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("小时")
        WORKDAYS = "workdays", _("工作日")

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("大类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    department_kind = models.CharField(_("默认责任部门类别"), max_length=16, blank=True)
    tier = models.CharField(_("处置层级"), max_length=10, choices=Tier.choices, default=Tier.COMMUNITY)
    register_hours = models.FloatField(_("核实立案时限（小时）"), default=2)
    sign_hours = models.FloatField(_("签收时限（小时）"), default=2)
    handle_amount = models.FloatField(_("办理时限"), default=3)
    handle_unit = models.CharField(_("办理时限单位"), max_length=10, choices=Unit.choices, default=Unit.WORKDAYS)
    verify_hours = models.FloatField(_("核查时限（小时）"), default=24)
    requires_acceptance = models.BooleanField(_("需现场整改验收（安全隐患）"), default=False)
    allows_skip_level = models.BooleanField(_("允许越级上报"), default=False)
    keywords = models.TextField(_("示例描述（用于智能分类，每行一条）"), blank=True)
    public = models.BooleanField(
        _("公开（Open311 可见）"),
        default=False,
        help_text=_("默认不公开。治安、信访、困难群众、投诉、矛盾纠纷、重点人员等敏感类别不得公开。"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事件分类")
        verbose_name_plural = _("事件分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class Source(models.TextChoices):
    PATROL = "patrol", _("网格员巡查")
    RESIDENT = "resident", _("群众随手拍")
    HOTLINE = "hotline", _("12345 热线")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    IOT = "iot", _("物联感知")


class HotlineKind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")


def new_public_id() -> str:
    """Open311's service_request_id: random, and unrelated to the tracking code a resident holds."""
    return secrets.token_hex(10)


# The open states (events.workflow.OPEN_STATES, which imports this module; tests/events/test_indexes.py holds the two
# equal): the queue's partial index covers exactly these.
QUEUE_STATES = ("reported", "registered", "routed", "signed", "in_progress", "handled", "verified")


class Event(InGrid):
    """One reported problem, from its report to its closure and rating."""

    # Index hygiene (docs/decisions/0180): every index on this table is declared in Meta with the query that uses
    # it; fields leave Django's implicit ones (a `_like` twin beside every text key, a single-column twin beside
    # every composite that starts with the same column) to those declarations. tests/events/test_indexes.py holds
    # the list to the database and EXPLAINs the queries.
    grid_path = models.CharField(_("网格路径"), max_length=255, editable=False)
    tracking_code = models.CharField(_("查询码"), max_length=20)
    public_id = models.CharField(_("公开编号"), max_length=24, default=new_public_id, editable=False)
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    hotline_kind = models.CharField(_("热线类型"), max_length=12, choices=HotlineKind.choices, blank=True)
    description = models.TextField(_("描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # Metres between the reported position and the grid the event was filed in (a QR code's grid, or one the worker
    # chose), when they are far apart: the dispatcher is asked to check. Empty when the position lies in its grid.
    position_mismatch_m = models.PositiveIntegerField(_("定位偏离网格（米）"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    reporter_name = models.CharField(_("上报人姓名"), max_length=50, blank=True)
    reporter_phone = pii.EncryptedTextField(_("上报人电话"), blank=True, index_field="reporter_phone_index")
    # Kept for re-keying and a future search by phone; no query reads it yet, so it carries no index (decision 0180).
    reporter_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    state = models.CharField(_("状态"), max_length=20, default="reported")
    tier = models.CharField(_("处置层级"), max_length=10, choices=Tier.choices, default=Tier.COMMUNITY)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_events",
        db_index=False,
    )
    co_departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("协办部门"), blank=True, related_name="co_events"
    )
    # 四事分办: the centre whose queue the event is in and which acts on it (events.tiers); higher centres may step in.
    owner_node = models.ForeignKey(
        "grids.GridNode",
        verbose_name=_("责任中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # 首接负责制: whoever first received the matter (the window, the hotline, the worker on patrol) and the post they
    # received it at; empty for residents' reports, Open311 and sensors, which the owning centre answers for (兜底).
    first_receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首接责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="first_received_events",
        db_index=False,
    )
    first_receiver_node = models.ForeignKey(
        "grids.GridNode",
        verbose_name=_("首接岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        db_index=False,
    )
    reason = models.TextField(_("不予立案/退回理由"), blank=True)
    result = models.TextField(_("处置结果"), blank=True)
    acceptance = models.TextField(_("验收意见"), blank=True)
    stars = models.PositiveSmallIntegerField(_("评价星级"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    # A hash of (channel, caller, the caller's key): one caller's key never finds another caller's event.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, editable=False)
    # Keyed hash of the secret shown once on the reporter's receipt (core.receipts); empty when none was issued.
    reporter_secret_index = models.CharField(max_length=64, blank=True, editable=False)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The clock of the stage the event is in (declared in events.clocks); empty when no clock runs (closed, merged,
    # not registered). Sent warnings are in core's ledger (core.DeadlineWarning).
    stage_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("本环节时限"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    extended = models.BooleanField(_("已延期"), default=False)
    supervised = models.BooleanField(_("已督办"), default=False)
    # 即报即办 (小事网格办): reported by a grid worker as already solved, and closed at once; figures count it.
    on_the_spot = models.BooleanField(_("即报即办"), default=False)
    spot_check = models.CharField(_("抽查"), max_length=10, blank=True, default="")
    # 现场验收: the grid worker a hazard's acceptance is assigned to, who confirms on site with a photo.
    acceptance_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收网格员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acceptances",
        db_index=False,
    )

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-reported_at"]
        constraints = [
            # Lookups by equality only: no `_like` twin (a unique field would get one).
            models.UniqueConstraint(fields=["tracking_code"], name="events_event_tracking_code_key"),
            models.UniqueConstraint(fields=["public_id"], name="events_event_public_id_key"),
            models.UniqueConstraint(fields=["idempotency_key"], name="events_event_idempotency_key_key"),
        ]
        indexes = [
            # Scoping (core.scoping): `grid_path = p OR grid_path LIKE 'p/%'`, with or without a state filter; the
            # pattern operator class serves equality and prefix in every collation.
            models.Index(
                fields=["grid_path", "state"], opclasses=["varchar_pattern_ops", "varchar_ops"], name="event_path_idx"
            ),
            # The deadline sweep and the colour counts: open states with their due times.
            models.Index(fields=["state", "due_at"], name="event_state_due_idx"),
            # A department's queue.
            models.Index(fields=["lead_department", "state"], name="event_dept_state_idx"),
            # A centre's own queue (四事分办, events.tiers).
            models.Index(fields=["owner_node", "state"], name="event_owner_state_idx"),
            # Category filters and the category suggester's training read.
            models.Index(fields=["category", "state", "reported_at"], name="event_cat_state_idx"),
            # The queue's first page (selectors.event_queue): open events in deadline order, red first, then orange,
            # then green, those without a clock last, newest first among equals. Walked in this order, a
            # jurisdiction's first 30 are found without sorting all its open events (bench/scale.py).
            models.Index(
                fields=["due_at", "-reported_at"], condition=models.Q(state__in=QUEUE_STATES), name="event_queue_idx"
            ),
            # 即报即办 抽查: the few closed events drawn and not yet checked.
            models.Index(fields=["closed_at"], condition=models.Q(spot_check="pending"), name="event_spot_idx"),
            # Rarely set references: indexed only where set (deleting the user or node they point at, their lists).
            models.Index(
                fields=["acceptance_worker"],
                condition=models.Q(acceptance_worker__isnull=False),
                name="event_acceptance_worker_idx",
            ),
            models.Index(
                fields=["first_receiver"], condition=models.Q(first_receiver__isnull=False), name="event_receiver_idx"
            ),
            models.Index(
                fields=["first_receiver_node"],
                condition=models.Q(first_receiver_node__isnull=False),
                name="event_receiver_node_idx",
            ),
            models.Index(
                fields=["merged_into"], condition=models.Q(merged_into__isnull=False), name="event_merged_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    # New reports may be written in batches (core.groupcommit): save() derives nothing fill_derived() does not.
    group_commit = True

    def fill_derived(self) -> None:
        super().fill_derived()
        self.reporter_phone_index = pii.blind_index(self.reporter_phone) if self.reporter_phone else ""

    @property
    def state_label(self) -> str:
        from fengqiao.events.workflow import STATES

        return str(STATES.get(self.state, self.state))

    @property
    def position_mismatch_text(self) -> str:
        """What the dispatcher is told when the reported position lies far from the grid the event is filed in."""
        metres = self.position_mismatch_m
        if metres is None:
            return ""
        far = (
            _("约 %(n)s 公里") % {"n": f"{metres / 1000:.0f}" if metres >= 10_000 else f"{metres / 1000:.1f}"}
            if metres >= 1000
            else _("约 %(n)s 米") % {"n": metres}
        )
        if self.source == Source.RESIDENT:
            return str(_("定位与二维码网格相距 %(far)s，请核实。") % {"far": far})
        return str(_("定位与所选网格相距 %(far)s，请核实。") % {"far": far})

    @property
    def reporter_phone_masked(self) -> str:
        return pii.mask(self.reporter_phone)

    def audit_masks(self) -> dict[str, str]:
        """A resident reporter's name and phone with their masked forms: audit rows (core.audit) carry only these."""
        masks: dict[str, str] = {}
        if self.reporter_id is None and self.reporter_name:
            masks[self.reporter_name] = pii.mask(self.reporter_name)
        if self.reporter_phone:
            masks[self.reporter_phone] = self.reporter_phone_masked
        return masks


class Supervision(models.Model):
    """督办: an order from above to hurry an open event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="supervisions")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("督办意见"))
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")

    def __str__(self) -> str:
        return f"{self.event} {self.issued_at:%Y-%m-%d}"


class Extension(models.Model):
    """延期申请: a handler asks for more time; the dispatcher approves (the deadline moves) or rejects."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hours = models.PositiveIntegerField(_("延长小时数"))
    reason = models.TextField(_("申请理由"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self) -> str:
        return f"{self.event} +{self.hours}h"


class Device(InGrid):
    """An IoT sensor (smoke, gas, e-bike charging) that raises events through the webhook, signed with its secret."""

    code = models.CharField(_("设备编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    category = models.ForeignKey(Category, verbose_name=_("告警分类"), on_delete=models.PROTECT)
    secret = pii.EncryptedTextField(_("签名密钥"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    address = models.CharField(_("安装位置"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("感知设备")
        verbose_name_plural = _("感知设备")

    def __str__(self) -> str:
        return self.name


class DeviceNonce(models.Model):
    """A nonce a device has used, kept while its timestamp could still be accepted, so a request is never replayed."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "nonce"], name="device_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class ApiClient(models.Model):
    """A system allowed to post through Open311 / the API with an ``api_key``, stored as its SM3 (or SHA-256) digest.

    API keys are random and long, so an unkeyed digest is enough, and it does not change when the data keys rotate.
    Hashes written before (a blind index under the data key) are replaced the first time the client is seen.
    """

    name = models.CharField(_("名称"), max_length=100)
    key_index = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return self.name

    def set_key(self, key: str) -> None:
        self.key_index = crypto.fingerprint(key)

    @staticmethod
    def _older_hashes(key: str) -> list[str]:
        """What this key was stored as under the other provider, or as the old keyed blind index."""
        current = crypto.ring().provider.name
        others = [crypto.fingerprint(key, name) for name in crypto.PROVIDERS if name != current]
        return others + crypto.legacy_indexes(pii.normalise(key))

    @classmethod
    def for_key(cls, key: str) -> ApiClient | None:
        """The active client with this key. Known keys are remembered for a few seconds, so a busy client costs no
        query per request; a change to any client in this process forgets them, other processes within
        ``API_KEY_CACHE_SECONDS``."""
        if not key:
            return None
        index = crypto.fingerprint(key)
        now = time.monotonic()
        hit = _known_keys.get(index)
        if hit is not None and hit[0] > now:
            return hit[1]
        client = cls.objects.filter(key_index=index, active=True).first()
        if client is None:
            client = cls.objects.filter(key_index__in=cls._older_hashes(key), active=True).first()
            if client is not None:  # upgrade in place: the next data-key rotation will not lock it out
                cls.objects.filter(pk=client.pk).update(key_index=index)
                client.key_index = index
        if client is not None:  # unknown keys are not remembered: nobody can fill the memory with guesses
            if len(_known_keys) >= 1024:
                _known_keys.clear()
            _known_keys[index] = (now + API_KEY_CACHE_SECONDS, client)
        else:
            _known_keys.pop(index, None)
        return client


API_KEY_CACHE_SECONDS = 10.0
_known_keys: dict[str, tuple[float, ApiClient]] = {}


def forget_api_keys(**kwargs: Any) -> None:
    _known_keys.clear()


models.signals.post_save.connect(forget_api_keys, sender=ApiClient, dispatch_uid="forget_api_keys_save")
models.signals.post_delete.connect(forget_api_keys, sender=ApiClient, dispatch_uid="forget_api_keys_delete")


class SummonsState(models.TextChoices):
    """Where one department stands on a whistle (吹哨报到)."""

    SUMMONED = "summoned", _("待签收")
    SIGNED = "signed", _("已签收")
    ARRANGED = "arranged", _("已安排到场")
    REPORTED = "reported", _("已报到反馈")


class Summons(models.Model):
    """One department called to an event by a whistle (吹哨报到): it signs, says who comes and when, reports back.

    The clocks (签收, 报到反馈) are declared in ``events.clocks``; the steps in ``events.workflow.SUMMONS_FLOW``.
    """

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("报到部门"), on_delete=models.PROTECT, related_name="summonses"
    )
    # The event's grid, copied so the audit trail and scoping read one column.
    grid_path = models.CharField(max_length=255, db_index=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=12, choices=SummonsState.choices, default=SummonsState.SUMMONED, db_index=True
    )
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("吹哨人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summoned_at = models.DateTimeField(_("吹哨时间"), default=timezone.now, db_index=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    attendee = models.CharField(_("到场人员"), max_length=100, blank=True)
    arrive_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    report = models.TextField(_("报到反馈"), blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    sign_warn_at = models.DateTimeField(null=True, blank=True)
    report_due_at = models.DateTimeField(_("反馈时限"), null=True, blank=True)
    report_warn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        ordering = ["summoned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "department"], name="summons_once_per_department")]
        indexes = [models.Index(fields=["department", "summoned_at"])]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """How a notification or the audit log names the row: the event's code and the department."""
        return f"{self.event.tracking_code}·{self.department.name}"

    @property
    def state_label(self) -> str:
        return str(SummonsState(self.state).label) if self.state in SummonsState.values else self.state

    @property
    def on_time(self) -> bool | None:
        """Whether the report came within its clock; None while not reported."""
        if self.reported_at is None:
            return None
        return self.report_due_at is None or self.reported_at <= self.report_due_at


class SpotCheck(models.TextChoices):
    """抽查 of an event solved on the spot (即报即办)."""

    NONE = "", _("不抽查")
    PENDING = "pending", _("待抽查")
    CONFIRMED = "confirmed", _("抽查通过")
    REOPENED = "reopened", _("抽查退回")
