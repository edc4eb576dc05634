"""The grid tree: administrative regions down to micro-grids, plus dedicated grids, each with its polygon."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CITY = 1, _("市")
    DISTRICT = 2, _("区/县")
    STREET = 3, _("街道/乡镇")
    COMMUNITY = 4, _("社区/村")
    GRID = 5, _("网格")
    MICRO = 6, _("微网格")


class Kind(models.TextChoices):
    ORDINARY = "ordinary", _("普通网格")
    SCHOOL = "school", _("学校专属网格")
    HOSPITAL = "hospital", _("医院专属网格")
    ENTERPRISE = "enterprise", _("企业专属网格")
    MARKET = "market", _("市场专属网格")
    PARK = "park", _("园区专属网格")


# Digits a code has at each level: China's division codes (4/6/9/12) then three digits per grid level.
CODE_LENGTHS = {
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
    Level.MICRO: 18,
}


class GridNode(models.Model):
    """One node of the tree. ``path`` is the chain of codes from the root, ending in ``/``."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False, default=0)
    geometry = models.TextField(_("边界 (GeoJSON)"), blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(_("中心经度"), null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True, editable=False)
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)

    jurisdiction_path_field = "path"

    class Meta:
        verbose_name = _("网格节点")
        verbose_name_plural = _("网格节点")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "code"]),
            models.Index(fields=["min_lon", "min_lat", "max_lon", "max_lat"], name="grid_bbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_dedicated(self) -> bool:
        return self.kind != Kind.ORDINARY

    @property
    def division_code(self) -> str:
        """The 12-digit administrative division code for levels down to community/village."""
        if self.level <= Level.COMMUNITY:
            return self.code.ljust(12, "0")
        return self.code[:12]

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def compute_path(self, parent: GridNode | None) -> None:
        self.path = f"{parent.path if parent else ''}{self.code}/"
        self.depth = (parent.depth + 1) if parent else 0

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.compute_path(self.parent)
        super().save(*args, **kwargs)


class GridVersion(models.Model):
    """A single counter bumped whenever any grid changes; locators in every process rebuild when it moves."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("网格版本")
        verbose_name_plural = _("网格版本")

    def __str__(self) -> str:
        return str(self.version)
