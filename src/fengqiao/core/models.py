"""The audit trail: an append-only log of every state change, and the base for things that live in grids."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """The audit trail is never edited or deleted."""


class ActionQuerySet(models.QuerySet["Action"]):
    # The chain sealer writes seq/prev_hash/row_hash/sealed_at by its own raw UPDATE (core.auditchain); the ORM
    # path stays closed for everybody.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit trail is append-only")

    def for_object(self, obj: models.Model) -> ActionQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class Action(models.Model):
    """One thing somebody did: who, when, to what, from which state to which, and why."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    verb = models.CharField(_("操作"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    workflow = models.CharField(_("流程"), max_length=32, blank=True)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    grid_path = models.CharField(_("网格路径"), max_length=255, blank=True)
    # The hash chain, filled in by the sealer after the row is committed (NULL: not sealed yet). Nullable so writers
    # never touch them and SQLite adds the columns without rebuilding the table.
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(_("前一哈希"), max_length=80, null=True, blank=True, editable=False)
    row_hash = models.CharField(_("本条哈希"), max_length=80, null=True, blank=True, editable=False)
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True, editable=False)

    objects: ClassVar[ActionQuerySet] = ActionQuerySet.as_manager()  # type: ignore[assignment]

    jurisdiction_path_field = "grid_path"

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]
        # Every index here is what a query needs (docs/decisions/0180; tests/core/test_audit_indexes.py EXPLAINs them).
        indexes = [
            # One object's trail (the case page's history); also serves the content type's protect check.
            models.Index(fields=["content_type", "object_id", "at"]),
            # The audit log scoped to a jurisdiction: equality and prefix on the path, in every collation.
            models.Index(fields=["grid_path"], opclasses=["varchar_pattern_ops"], name="core_action_path_idx"),
            # The audit log filtered by what was done (equality only: no `_like` twin).
            models.Index(fields=["verb"], name="core_action_verb_idx"),
            # Only the rows waiting for the sealer: a small index however long the trail grows.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="core_action_unsealed"),
        ]
        constraints = [
            # One row per position in the chain: two sealers racing can never fork it. Partial, so SQLite creates it
            # as an index instead of rebuilding the table.
            models.UniqueConstraint(fields=["seq"], condition=models.Q(seq__isnull=False), name="core_action_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit trail is append-only")


class AuditAnchorQuerySet(models.QuerySet["AuditAnchor"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit anchors are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit anchors are append-only")


class AuditAnchor(models.Model):
    """The chain's head after a seal run: cutting rows off the tail no longer matches the last anchor."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    seq = models.BigIntegerField(_("链序号"), db_index=True)
    row_hash = models.CharField(_("链头哈希"), max_length=80)
    rows = models.PositiveIntegerField(_("本次封存条数"), default=0)

    objects: ClassVar[AuditAnchorQuerySet] = AuditAnchorQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")
        ordering = ["-seq", "-id"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.row_hash}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit anchors are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit anchors are append-only")


class InGrid(models.Model):
    """Something that lives in a grid: it keeps the finest grid and that grid's path for one-range scoping."""

    grid = models.ForeignKey("grids.GridNode", verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="+")
    grid_path = models.CharField(_("网格路径"), max_length=255, db_index=True, editable=False)

    jurisdiction_path_field = "grid_path"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        """Columns computed from others before a write: by save(), and by writers that insert in bulk."""
        if self.grid_id is not None:
            self.grid_path = self.grid.path


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{timezone.localdate():%Y/%m}/{filename}"


class Attachment(models.Model):
    """A cleaned image attached to a case (event, dispute ...): the stored copy carries no EXIF metadata."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(_("用途"), max_length=32, blank=True)  # report, result, evidence, agreement ...
    file = models.FileField(_("文件"), upload_to=attachment_path)
    thumbnail = models.FileField(_("缩略图"), upload_to=attachment_path, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RateCounter(models.Model):
    """Requests counted per key and time bucket, for rate limits that hold across server processes."""

    key = models.CharField(max_length=200)
    bucket = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)  # epoch seconds when the bucket ends

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="ratecounter_key_bucket")]

    def __str__(self) -> str:
        return f"{self.key}@{self.bucket}: {self.count}"


class DeadlineWarning(models.Model):
    """The ledger of deadline warnings (core.deadlines): one row per case, signal and run of its clock.

    The unique row is the claim a worker takes before it notifies anyone, so each warning goes out once even with
    two workers; a clock started again (a new stage, an approved extension) has a new due time and may warn again.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField(_("对象编号"))
    signal = models.CharField(_("提醒"), max_length=32)
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("超时提醒")
        verbose_name_plural = _("超时提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "signal", "due_at"], name="deadline_warning_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.signal}"
