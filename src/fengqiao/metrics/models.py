"""考核评价: per-node per-day counters, the pending changes not yet rolled up, indicators and monthly reviews."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Counters(models.Model):
    """The counters of ``metrics.counters.COUNTERS`` as columns."""

    reported = models.IntegerField(_("上报"), default=0)
    discovered = models.IntegerField(_("巡查发现"), default=0)
    registered = models.IntegerField(_("立案"), default=0)
    handled = models.IntegerField(_("处置"), default=0)
    closed = models.IntegerField(_("办结"), default=0)
    closed_on_time = models.IntegerField(_("按时办结"), default=0)
    closed_grid = models.IntegerField(_("网格办结"), default=0)
    closed_community = models.IntegerField(_("社区/村办结"), default=0)
    closed_street = models.IntegerField(_("街道/乡镇办结"), default=0)
    closed_county = models.IntegerField(_("区/县办结"), default=0)
    handling_hours = models.FloatField(_("办结用时合计（小时）"), default=0)
    rated = models.IntegerField(_("评价"), default=0)
    satisfied = models.IntegerField(_("满意"), default=0)
    disputes_entered = models.IntegerField(_("纠纷录入"), default=0)
    disputes_concluded = models.IntegerField(_("纠纷办结"), default=0)
    disputes_resolved = models.IntegerField(_("纠纷化解"), default=0)
    acks = models.IntegerField(_("指令签收"), default=0)
    acks_on_time = models.IntegerField(_("按时签收"), default=0)
    acks_due = models.IntegerField(_("应签收"), default=0)
    patrols = models.IntegerField(_("巡查"), default=0)
    visits = models.IntegerField(_("入户走访"), default=0)
    diaries = models.IntegerField(_("民情日志"), default=0)

    class Meta:
        abstract = True


class DailyGridStat(Counters):
    """The counters of one node's whole subtree for one local day. Every node with activity that day has a row."""

    node_path = models.CharField(_("节点路径"), max_length=255)
    day = models.DateField(_("日期"))

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("网格日统计")
        verbose_name_plural = _("网格日统计")
        constraints = [models.UniqueConstraint(fields=["node_path", "day"], name="metrics_stat_node_day")]

    def __str__(self) -> str:
        return f"{self.node_path} {self.day}"


class PendingDelta(Counters):
    """A change to the counters of one finest grid on one day, written in the same transaction as the change.

    Insert-only, so busy intake never waits on a hot city-level row; the roll-up job folds them into
    :class:`DailyGridStat` for the grid and every node above it, a few seconds later.
    """

    node_path = models.CharField(max_length=255)
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("待汇总变更")
        verbose_name_plural = _("待汇总变更")

    def __str__(self) -> str:
        return f"{self.node_path} {self.day}"


class Indicator(models.Model):
    """One assessment indicator (考核指标) and its weight in the composite score."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    weight = models.FloatField(_("权重"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    description = models.CharField(_("口径说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight:g}）"


def report_path(instance: MonthlyReport, filename: str) -> str:
    return f"reports/{instance.month:%Y-%m}/{filename}"


class MonthlyReport(models.Model):
    """月度讲评: the monthly review of one unit, stored as XLSX and PDF."""

    node = models.ForeignKey("grids.GridNode", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    xlsx = models.FileField(_("Excel"), upload_to=report_path, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("月度讲评")
        verbose_name_plural = _("月度讲评")
        ordering = ["-month", "node_path"]
        constraints = [models.UniqueConstraint(fields=["node", "month"], name="metrics_report_node_month")]

    def __str__(self) -> str:
        return f"{self.node_path} {self.month:%Y-%m}"
