"""Residents take part (居民参与): a community's points scheme (积分制), its participants, the append-only points
ledger, and the love supermarket (爱心超市) where points buy daily goods.

The balance on a participant is the sum of its ledger entries, kept in the same transaction as each entry by a
conditional UPDATE; a CHECK constraint keeps it from ever going below zero, whatever the code above it does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii


class Scheme(models.Model):
    """One community's points scheme, opened by its QR code: the token is printed on the community's notice board,
    so it is public (it opens the registration form and the ranking, nothing else)."""

    community = models.OneToOneField(
        "grids.GridNode", verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="points_scheme"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    token = models.CharField(_("二维码标识"), max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(_("开通时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("积分方案")
        verbose_name_plural = _("积分方案")

    def __str__(self) -> str:
        return str(self.community.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.community.path
        super().save(*args, **kwargs)


class Participant(models.Model):
    """参与者: a resident who registered by the community's QR code. The personal code that opens their page is a
    bearer secret: only its digest is kept."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民")
        PARTY_MEMBER = "party_member", _("党员（双报到）")
        RED_ARMBAND = "red_armband", _("志愿者·红袖章")
        POLICE_VOLUNTEER = "police_volunteer", _("志愿者·义警")
        FIVE_ELDERS = "five_elders", _("志愿者·五老")
        WORTHY = "worthy", _("志愿者·乡贤")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("积分方案"), on_delete=models.PROTECT, related_name="participants"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = pii.EncryptedTextField(_("姓名"))
    phone = pii.EncryptedTextField(_("手机号"), index_field="phone_index")
    phone_index = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("身份"), max_length=20, choices=Kind.choices, default=Kind.RESIDENT)
    party_unit = models.CharField(_("所在党组织"), max_length=100, blank=True)
    code_index = models.CharField(max_length=100, unique=True, editable=False)
    balance = models.IntegerField(_("积分余额"), default=0, editable=False)
    consented_at = models.DateTimeField(_("同意个人信息处理时间"))
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("参与者")
        verbose_name_plural = _("参与者")
        ordering = ["-balance", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "phone_index"], name="participation_one_per_phone"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="participation_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name_masked

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.scheme.community_path
        self.phone_index = pii.blind_index(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    def audit_masks(self) -> dict[str, str]:
        return {v: m for v, m in ((self.name, self.name_masked), (self.phone, self.phone_masked)) if v}

    @property
    def name_masked(self) -> str:
        return (self.name[:1] + "*" * (len(self.name) - 1)) if len(self.name) > 1 else self.name

    @property
    def phone_masked(self) -> str:
        return pii.mask(self.phone)


class Rule(models.Model):
    """积分规则: an action worth points, who confirms it, and how often it may be awarded to one participant."""

    class Confirmer(models.TextChoices):
        GRID = "grid", _("本社区网格员（或综治中心）")
        CENTRE = "centre", _("社区综治中心")

    class Period(models.TextChoices):
        DAY = "day", _("每天")
        WEEK = "week", _("每周")
        MONTH = "month", _("每月")

    scheme = models.ForeignKey(Scheme, verbose_name=_("积分方案"), on_delete=models.PROTECT, related_name="rules")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    label = models.CharField(_("事项"), max_length=100)
    points = models.PositiveIntegerField(_("积分"))
    confirmer = models.CharField(_("确认人"), max_length=10, choices=Confirmer.choices, default=Confirmer.GRID)
    period = models.CharField(_("限次周期"), max_length=10, choices=Period.choices, default=Period.MONTH)
    limit = models.PositiveSmallIntegerField(_("每周期最多次数"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["scheme", "label"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="participation_rule_points_positive")]

    def __str__(self) -> str:
        return f"{self.label}（+{self.points}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.scheme.community_path
        super().save(*args, **kwargs)


class Item(models.Model):
    """爱心超市的商品: a daily good priced in points, with its stock (never below zero)."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("积分方案"), on_delete=models.PROTECT, related_name="items")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("商品"), max_length=100)
    price = models.PositiveIntegerField(_("兑换积分"))
    stock = models.IntegerField(_("库存"), default=0)
    active = models.BooleanField(_("上架"), default=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("爱心超市商品")
        verbose_name_plural = _("爱心超市商品")
        ordering = ["scheme", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="participation_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="participation_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.scheme.community_path
        super().save(*args, **kwargs)


class Redemption(models.Model):
    """兑换: items taken from the love supermarket for points, by the shopkeeper, against the resident's code."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="redemptions"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    item = models.ForeignKey(Item, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    cost = models.PositiveIntegerField(_("消耗积分"))
    shopkeeper = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("兑换时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item.name} × {self.quantity}"


class Entry(models.Model):
    """积分台账的一条: append-only. A correction is a new negative entry pointing at the one it reverses (once:
    the pointer is unique); nothing is ever edited or deleted."""

    class Kind(models.TextChoices):
        AWARD = "award", _("获得积分")
        REVERSAL = "reversal", _("冲正")
        REDEMPTION = "redemption", _("兑换")

    participant = models.ForeignKey(
        Participant, verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="entries"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    points = models.IntegerField(_("积分"))
    rule = models.ForeignKey(Rule, verbose_name=_("规则"), null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    confirmer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("冲正的记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    redemption = models.OneToOneField(
        Redemption, verbose_name=_("兑换"), null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["participant", "rule", "at"], name="participation_entry_period")]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="participation_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("ledger entries are append-only")
        self.community_path = self.participant.community_path
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("ledger entries are append-only")


class Team(models.Model):
    """队伍: one of a community's volunteer teams (红袖章巡逻队, 义警队, 五老调解队 …), its leader and members, all
    participants of that community."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("红袖章巡逻队")
        POLICE = "police", _("义警队")
        ELDERS = "elders", _("五老调解队")
        WORTHY = "worthy", _("乡贤理事会")
        PARTY = "party", _("党员志愿服务队")
        OTHER = "other", _("其他志愿服务队")

    scheme = models.ForeignKey(Scheme, verbose_name=_("积分方案"), on_delete=models.PROTECT, related_name="teams")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("队伍名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.PATROL)
    leader = models.ForeignKey(
        Participant, verbose_name=_("队长"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(Participant, verbose_name=_("队员"), related_name="teams", blank=True)
    created_at = models.DateTimeField(_("组建时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("志愿队伍")
        verbose_name_plural = _("志愿队伍")
        ordering = ["scheme", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="participation_team_name_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.scheme.community_path
        super().save(*args, **kwargs)


class Task(models.Model):
    """志愿任务或巡逻班次: posted by the community's staff in one of its grids, with a number of places that residents
    claim. ``claimed`` counts the live claims; it moves only by conditional UPDATEs and a CHECK keeps it within the
    places, so two claims on the last place cannot both win. Recording (``recorded_at``) happens once."""

    class Kind(models.TextChoices):
        TASK = "task", _("志愿任务")
        PATROL = "patrol", _("群防巡逻")

    scheme = models.ForeignKey(Scheme, verbose_name=_("积分方案"), on_delete=models.PROTECT, related_name="tasks")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    grid = models.ForeignKey(
        "grids.GridNode", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="participation_tasks"
    )
    grid_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    title = models.CharField(_("标题"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveSmallIntegerField(_("名额"))
    claimed = models.PositiveSmallIntegerField(_("已认领"), default=0, editable=False)
    rule = models.ForeignKey(Rule, verbose_name=_("积分规则"), on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    seen = models.TextField(_("巡逻或任务情况"), blank=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("志愿任务和巡逻班次")
        verbose_name_plural = _("志愿任务和巡逻班次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(claimed__lte=F("places")), name="participation_task_within_places"),
            models.CheckConstraint(condition=Q(places__gt=0), name="participation_task_places_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="participation_task_window"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.scheme.community_path
        self.grid_path = self.grid.path
        super().save(*args, **kwargs)

    @property
    def left(self) -> int:
        return max(self.places - self.claimed, 0)


class Claim(models.Model):
    """认领: a participant takes one place of a task; cancelled before it starts, or marked present or absent when
    it is recorded. One live claim per participant and task; the award for coming is linked once."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="claims")
    participant = models.ForeignKey(
        Participant, verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="claims"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    claimed_at = models.DateTimeField(_("认领时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    present = models.BooleanField(_("到场"), null=True, blank=True)
    entry = models.OneToOneField(
        Entry, verbose_name=_("积分记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="claim"
    )

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("任务认领")
        verbose_name_plural = _("任务认领")
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "participant"],
                condition=Q(cancelled_at__isnull=True),
                name="participation_one_live_claim",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.participant}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.task.community_path
        super().save(*args, **kwargs)


class Review(models.Model):
    """季度议: the community centre's quarterly review of a party member who reported to the community (双报到)."""

    class Grade(models.TextChoices):
        GOOD = "good", _("好")
        FAIR_GOOD = "fair_good", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")

    participant = models.ForeignKey(
        Participant, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="reviews"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    grade = models.CharField(_("评价等次"), max_length=10, choices=Grade.choices)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评议人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("评议时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("党员季度评议")
        verbose_name_plural = _("党员季度评议")
        ordering = ["-year", "-quarter", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "year", "quarter"], name="participation_one_review"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="participation_review_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.get_grade_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.participant.community_path
        super().save(*args, **kwargs)
