"""Petitions (信访件), the joint petition meetings (三级信访联席会议) that discuss them, and the follow-up orders the
meetings give.

A petition lives in its finest grid (``InGrid``), so scoping is one prefix. The petitioner's name, ID number, phone and
address are personal data: encrypted at rest, found by keyed hash (ID number, phone), shown masked. The statutory
clocks are stored on the row when they start (``ack_due_at``, ``handle_due_at``); they are declared in
``petitions.clocks`` and coloured by ``core.deadlines``, never stored as a colour.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii
from fengqiao.core.models import InGrid

GROUP_SIZE = 5  # 集体访: five or more petitioners


class Form(models.TextChoices):
    VISIT = "visit", _("走访")
    LETTER = "letter", _("来信")
    ONLINE = "online", _("网上信访")
    PHONE = "phone", _("电话")


class Category(models.TextChoices):
    LAND = "land", _("征地拆迁")
    LABOUR = "labour", _("劳动社保")
    HOUSING = "housing", _("城建住房")
    ENVIRONMENT = "environment", _("生态环境")
    LAW = "law", _("政法")
    RURAL = "rural", _("农村农业")
    CIVIL = "civil", _("民政")
    OTHER = "other", _("其他")


class Petition(InGrid):
    """One petition (信访件), from registration to closure, with every time point kept."""

    tracking_code = models.CharField(_("信访件编号"), max_length=20, unique=True)
    form = models.CharField(_("信访形式"), max_length=8, choices=Form.choices)
    petitioner_name = pii.EncryptedTextField(_("信访人姓名"))
    petitioner_id_number = pii.EncryptedTextField(_("身份证号"), blank=True, index_field="id_index")
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    petitioner_phone = pii.EncryptedTextField(_("联系电话"), blank=True, index_field="phone_index")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    petitioner_address = pii.EncryptedTextField(_("住址"), blank=True)
    petitioners = models.PositiveIntegerField(_("信访人数"), default=1)
    is_group = models.BooleanField(_("集体访"), default=False)
    category = models.CharField(_("问题类别"), max_length=12, choices=Category.choices)
    matter = models.TextField(_("信访事项"))
    received_on = models.DateField(_("收到日期"))
    is_repeat = models.BooleanField(_("重复信访"), default=False)
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("此前信访件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    state = models.CharField(_("状态"), max_length=14, default="registered", db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    opinion = models.TextField(_("处理意见书"), blank=True)
    extension_days = models.PositiveSmallIntegerField(_("申请延期天数"), default=0)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_reason = models.TextField(_("复查请求"), blank=True)
    # Time points.
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("出具意见时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    extension_requested_at = models.DateTimeField(_("申请延期时间"), null=True, blank=True)
    extended_at = models.DateTimeField(_("批准延期时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    # Clocks (core.deadlines): the colour is computed from these and "now".
    ack_due_at = models.DateTimeField(_("告知期限"), null=True, blank=True)
    ack_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    handle_due_at = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    handle_warn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["grid_path", "state"]), models.Index(fields=["category", "received_on"])]

    def __str__(self) -> str:
        return self.tracking_code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_index = pii.blind_index(self.petitioner_id_number) if self.petitioner_id_number else ""
        self.phone_index = pii.blind_index(self.petitioner_phone) if self.petitioner_phone else ""
        self.is_group = self.petitioners >= GROUP_SIZE
        super().save(*args, **kwargs)

    @property
    def state_label(self) -> str:
        from fengqiao.petitions.workflow import STATES

        return str(STATES.get(self.state, self.state))

    @property
    def name_masked(self) -> str:
        name = self.petitioner_name or ""
        return (name[:1] + "*" * (len(name) - 1)) if len(name) > 1 else name

    @property
    def phone_masked(self) -> str:
        return pii.mask(self.petitioner_phone)

    @property
    def id_masked(self) -> str:
        return pii.mask(self.petitioner_id_number)

    @property
    def address_masked(self) -> str:
        address = self.petitioner_address or ""
        return (address[:6] + "****") if len(address) > 6 else ("****" if address else "")

    def audit_masks(self) -> dict[str, str]:
        """Full personal values → masked: audit rows about the petition carry only the masked forms."""
        masks = {self.petitioner_name: self.name_masked}
        for full, masked in (
            (self.petitioner_phone, self.phone_masked),
            (self.petitioner_id_number, self.id_masked),
            (self.petitioner_address, self.address_masked),
        ):
            if full:
                masks[full] = masked
        return masks


class LinkedCase(models.Model):
    """An event or dispute the centre linked to a petition by its tracking code (checked in the centre's area)."""

    class Kind(models.TextChoices):
        EVENT = "event", _("事件")
        DISPUTE = "dispute", _("矛盾纠纷")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    code = models.CharField(_("查询码"), max_length=20)

    class Meta:
        verbose_name = _("关联案件")
        verbose_name_plural = _("关联案件")
        constraints = [models.UniqueConstraint(fields=["petition", "kind", "code"], name="petitions_link_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class Meeting(models.Model):
    """三级信访联席会议: a joint meeting at a county, street or community node."""

    node = models.ForeignKey(
        "grids.GridNode", verbose_name=_("召开层级/区域"), on_delete=models.PROTECT, related_name="+"
    )
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("会议日期"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("信访联席会议")
        verbose_name_plural = _("信访联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


class AgendaItem(models.Model):
    """One item on a meeting's agenda: a petition, or a matter in words, and what the meeting decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    petition = models.ForeignKey(
        Petition, verbose_name=_("信访件"), null=True, blank=True, on_delete=models.PROTECT, related_name="agenda"
    )
    text = models.TextField(_("议题"), blank=True)
    decision = models.TextField(_("会议决定"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:40] or str(self.petition)


class FollowUpOrder(models.Model):
    """A follow-up order a meeting gives a department, due by a date: a small case with its own clock."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="orders")
    item = models.ForeignKey(
        AgendaItem, verbose_name=_("议题"), null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    code = models.CharField(_("编号"), max_length=24, unique=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.TextField(_("督办事项"))
    state = models.CharField(_("状态"), max_length=8, default="open", db_index=True)
    due_on = models.DateField(_("完成期限"))
    ordered_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)
    node_path = models.CharField(max_length=255, db_index=True, editable=False)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.meeting.node_path
        super().save(*args, **kwargs)


class LeaderCase(models.Model):
    """领导包案: a petition, or a dispute or event named by its tracking code, owned by one leader with a plan
    (一案一策), milestones and a deadline on its own clock."""

    code = models.CharField(_("包案编号"), max_length=24, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("包案领导"), on_delete=models.PROTECT, related_name="+"
    )
    petition = models.ForeignKey(
        Petition, verbose_name=_("信访件"), null=True, blank=True, on_delete=models.PROTECT, related_name="leader_cases"
    )
    # Or a case of another app, by its tracking code (a small generic link: no import of events or disputes).
    link_kind = models.CharField(_("案件类别"), max_length=8, choices=LinkedCase.Kind.choices, blank=True)
    link_code = models.CharField(_("查询码"), max_length=20, blank=True)
    grid_path = models.CharField(max_length=255, db_index=True, editable=False)
    plan = models.TextField(_("化解方案（一案一策）"))
    state = models.CharField(_("状态"), max_length=8, default="open", db_index=True)
    due_on = models.DateField(_("化解期限"))
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    assigned_at = models.DateTimeField(_("包案时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    result = models.TextField(_("化解结果"), blank=True)
    on_duty = models.BooleanField(_("值班接案"), default=False)  # given to the leader on duty (交值班领导)

    jurisdiction_path_field = "grid_path"

    class Meta:
        verbose_name = _("领导包案")
        verbose_name_plural = _("领导包案")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.code

    @property
    def subject(self) -> str:
        if self.petition_id is not None:
            return f"{_('信访件')} {self.petition}"
        return f"{self.get_link_kind_display()} {self.link_code}"


class Milestone(models.Model):
    """A step of a leader's plan, due by a date, marked done by the leader."""

    case = models.ForeignKey(LeaderCase, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due_on = models.DateField(_("节点期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("包案节点")
        verbose_name_plural = _("包案节点")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


# -- duty rota (坐班) -------------------------------------------------------------------------------------------------
class DutyShift(models.Model):
    """坐班: the leader on duty at a centre (a district, street or community node) on one date."""

    node = models.ForeignKey("grids.GridNode", verbose_name=_("综治中心"), on_delete=models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    day = models.DateField(_("值班日期"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("值班领导"), on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    set_at = models.DateTimeField(_("排班时间"), default=timezone.now)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("值班排班")
        verbose_name_plural = _("值班排班")
        ordering = ["day", "node_path"]
        constraints = [models.UniqueConstraint(fields=["node", "day"], name="petitions_one_duty_leader_a_day")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.node_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


# -- supervision with accountability (联合督导 + 追责问责) -------------------------------------------------------------
class Outcome(models.TextChoices):
    NONE = "none", _("不追责")
    TALK = "talk", _("约谈")
    NOTICE = "notice", _("通报")
    ACCOUNT = "account", _("问责")


class SupervisionOrder(models.Model):
    """督导/督办: a finding about a case or a unit in general, the responsible unit (a department, or the centre of a
    grid node) and person, a rectification deadline on its own clock, the unit's rectification report, and the
    accountability outcome a leader decides (kept, with every correction, in ``AccountabilityDecision``)."""

    class Subject(models.TextChoices):
        EVENT = "event", _("事件")
        DISPUTE = "dispute", _("矛盾纠纷")
        PETITION = "petition", _("信访件")

    code = models.CharField(_("督导编号"), max_length=24, unique=True)
    node = models.ForeignKey("grids.GridNode", verbose_name=_("责任区域"), on_delete=models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    link_kind = models.CharField(_("案件类别"), max_length=8, choices=Subject.choices, blank=True)
    link_code = models.CharField(_("查询码"), max_length=20, blank=True)
    finding = models.TextField(_("发现问题"))
    state = models.CharField(_("状态"), max_length=10, default="open", db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    ordered_at = models.DateTimeField(_("下达时间"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    deadline_at = models.DateTimeField(_("整改截止"), null=True, blank=True, editable=False)  # kept after it stops
    rectification = models.TextField(_("整改报告"), blank=True)
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    outcome = models.CharField(_("追责结果"), max_length=8, choices=Outcome.choices, blank=True, db_index=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("督导督办")
        verbose_name_plural = _("督导督办")
        ordering = ["-ordered_at", "-id"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.department.node_path if self.department_id and self.department else self.node.path
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        if self.department is not None:
            return self.department.name
        return f"{self.node.name}{_('综治中心')}"

    @property
    def on_time(self) -> bool:
        return self.rectified_at is not None and self.deadline_at is not None and self.rectified_at <= self.deadline_at

    @property
    def subject(self) -> str:
        if not self.link_kind:
            return str(_("单位工作"))
        return f"{self.get_link_kind_display()} {self.link_code}"


class AccountabilityDecision(models.Model):
    """One accountability decision on a supervision order: the first one, or a correction of the one before (never
    an edit: the rows are only ever added)."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("追责结果"), max_length=8, choices=Outcome.choices)
    reason = models.TextField(_("理由"))
    corrects = models.ForeignKey(
        "self", verbose_name=_("更正"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("追责问责决定")
        verbose_name_plural = _("追责问责决定")
        ordering = ["decided_at", "id"]
        constraints = [
            # One first decision per order; each decision corrected at most once (a chain, never a fork).
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(corrects__isnull=True), name="petitions_outcome_decided_once"
            ),
            models.UniqueConstraint(fields=["corrects"], name="petitions_outcome_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_outcome_display()}"


# -- social stability risk assessment (社会稳定风险评估, 稳评) ------------------------------------------------------
class RiskGrade(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


class RiskAssessment(models.Model):
    """稳评: before a decision or project, the four standard dimensions with their findings, a risk grade and the
    conditions (整改/化解 measures) that must be met before the decision may be recorded as taken."""

    code = models.CharField(_("稳评编号"), max_length=24, unique=True)
    node = models.ForeignKey("grids.GridNode", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    matter = models.CharField(_("评估事项"), max_length=200)
    description = models.TextField(_("事项说明"), blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("决策单位"), on_delete=models.PROTECT, related_name="+"
    )
    legality = models.TextField(_("合法性"), blank=True)
    rationality = models.TextField(_("合理性"), blank=True)
    feasibility = models.TextField(_("可行性"), blank=True)
    controllability = models.TextField(_("可控性"), blank=True)
    grade = models.CharField(_("风险等级"), max_length=8, choices=RiskGrade.choices, blank=True)
    state = models.CharField(_("状态"), max_length=10, default="draft", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决策时间"), null=True, blank=True)
    decision = models.TextField(_("决策情况"), blank=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("社会稳定风险评估")
        verbose_name_plural = _("社会稳定风险评估")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


class RiskCondition(models.Model):
    """A measure (整改/化解) the assessment sets before the decision, tracked to completion: who and by when."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="conditions")
    measure = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("落实人"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("落实期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("落实情况"), blank=True)

    class Meta:
        verbose_name = _("稳评化解措施")
        verbose_name_plural = _("稳评化解措施")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.measure[:40]
