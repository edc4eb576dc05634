"""Deliberation (议事协商: 民事民提、民事民议、民事民决) and the public notice board (三务公开).

A topic (议题) is raised by a resident or the community's staff about one or more grids of a community; the centre
accepts it with a promised answer date (a clock on the core) or declines it; meetings, a vote of one household one
vote within the topic's grids, the decision, its carrying out and the households' rating follow, each public to the
community. A household votes through a participant whom the grid staff bound to it (绑定户); the vote is stored per
household, unique per topic, so a second member of the same household cannot vote again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """议题: one matter put to the residents of some grids of a community."""

    community = models.ForeignKey(
        "grids.GridNode", verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    grids = models.ManyToManyField("grids.GridNode", verbose_name=_("涉及网格"), related_name="+")
    code = models.CharField(_("议题编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("议题"), max_length=100)
    body = models.TextField(_("内容"), max_length=2000)
    state = models.CharField(_("状态"), max_length=12, default="raised", db_index=True)
    raised_by = models.ForeignKey(
        "participation.Participant",
        verbose_name=_("提出居民"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    answer_on = models.DateField(_("承诺答复日期"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("答复期限"), null=True, blank=True, editable=False)
    answer_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_reason = models.CharField(_("不予受理原因"), max_length=500, blank=True)
    voting_opened_at = models.DateTimeField(_("开始表决"), null=True, blank=True)
    decided_at = models.DateTimeField(_("形成决定"), null=True, blank=True)
    decision = models.ForeignKey(
        "Option", verbose_name=_("表决结果"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_text = models.TextField(_("决定内容"), max_length=2000, blank=True)
    carry_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    carry_started_at = models.DateTimeField(_("开始落实"), null=True, blank=True)
    carry_due_at = models.DateTimeField(_("落实期限"), null=True, blank=True, editable=False)
    carry_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("落实完成"), null=True, blank=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.community.path
        super().save(*args, **kwargs)


class Option(models.Model):
    """表决选项: one answer the households choose between."""

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("选项"), max_length=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("表决选项")
        verbose_name_plural = _("表决选项")
        ordering = ["topic", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "label"], name="deliberation_option_unique")]

    def __str__(self) -> str:
        return self.label


class Meeting(models.Model):
    """议事会议 (阳光议事厅): held online, offline or both, with the residents present."""

    class Kind(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        BOTH = "both", _("线上线下同步")

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="meetings")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("形式"), max_length=8, choices=Kind.choices, default=Kind.OFFLINE)
    at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点或线上会议"), max_length=200)
    note = models.TextField(_("会议纪要"), max_length=2000, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+"
    )

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.topic.title} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.topic.community_path
        super().save(*args, **kwargs)


class Attendance(models.Model):
    """到会: a participant present at a meeting, recorded by the staff (once)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        "participation.Participant", verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    points = models.PositiveIntegerField(_("获得积分"), default=0)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("到会记录")
        verbose_name_plural = _("到会记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="deliberation_attend_once"),
        ]

    def __str__(self) -> str:
        return str(self.participant)


class Binding(models.Model):
    """绑定户: the grid staff confirmed that a participant lives in a household; a resident cannot claim a room.
    A participant has at most one current binding; an ended one stays in the record."""

    participant = models.ForeignKey(
        "participation.Participant", verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey("people.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    grid_path = models.CharField(max_length=255, db_index=True, editable=False)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT, related_name="+"
    )
    bound_at = models.DateTimeField(_("绑定时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("绑定户")
        verbose_name_plural = _("绑定户")
        ordering = ["-bound_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=Q(ended_at__isnull=True), name="deliberation_one_current_binding"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.household}"


class Vote(models.Model):
    """一户一票: the household's vote on a topic, cast by a bound member; the public sees counts only."""

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="votes")
    option = models.ForeignKey(Option, verbose_name=_("选项"), on_delete=models.PROTECT, related_name="votes")
    household = models.ForeignKey("people.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participation.Participant", verbose_name=_("投票人"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    at = models.DateTimeField(_("投票时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["topic", "household"], name="deliberation_one_vote_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.topic.code} {self.option.label}"


class Progress(models.Model):
    """落实进展: a dated note on carrying out the decision."""

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="progress")
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    note = models.TextField(_("进展"), max_length=1000)
    on = models.DateField(_("日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("填报时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.note[:30]}"


class Rating(models.Model):
    """评价: a household's score (1–5) of how the decision was carried out, one per household."""

    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="ratings")
    household = models.ForeignKey("people.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participation.Participant", verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    score = models.PositiveSmallIntegerField(_("评分"))
    at = models.DateTimeField(_("评价时间"), default=timezone.now)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("落实评价")
        verbose_name_plural = _("落实评价")
        constraints = [
            models.UniqueConstraint(fields=["topic", "household"], name="deliberation_one_rating_per_household"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="deliberation_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.topic.code} {self.score}"


class Notice(models.Model):
    """三务公开: a notice of the community's affairs, finances or party affairs. It shows the publishing unit and
    role, never the clerk's name; the publishing user is kept in the record. Withdrawn notices leave the public page
    and stay here."""

    class Category(models.TextChoices):
        AFFAIRS = "affairs", _("村务/居务")
        FINANCE = "finance", _("财务")
        PARTY = "party", _("党务")

    community = models.ForeignKey(
        "grids.GridNode", verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="+"
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.CharField(_("类别"), max_length=8, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=5000)
    publisher = models.CharField(_("发布单位"), max_length=100)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    jurisdiction_path_field = "community_path"

    class Meta:
        verbose_name = _("三务公开")
        verbose_name_plural = _("三务公开")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.community_path = self.community.path
        super().save(*args, **kwargs)
