"""The grid tree: administrative regions down to micro-grids, plus dedicated grids, each with its polygon."""

from __future__ import annotations

import time
from collections.abc import Iterable
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

    @property
    def full_name(self) -> str:
        """The node as people tell it apart: its community and the levels below it ("甲社区 / 第3网格"), since grid
        and micro-grid names ("第3网格", "2号楼栋微网格") repeat from one community to the next. A community, or
        anything above, is named alone. Names of ancestors are remembered for a few seconds (see full_names)."""
        cached = getattr(self, "_full_name", None)
        if cached is None:
            cached = full_names([self])[self.path]
        return cached

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def compute_path(self, parent: GridNode | None) -> None:
        self.path = f"{parent.path if parent else ''}{self.code}/"
        self.depth = (parent.depth + 1) if parent else 0

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.compute_path(self.parent)
        super().save(*args, **kwargs)
        _NAMES.pop(self.code, None)  # a renamed community shows at once in this process


class GridVersion(models.Model):
    """A single counter bumped whenever any grid changes; locators in every process rebuild when it moves."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("网格版本")
        verbose_name_plural = _("网格版本")

    def __str__(self) -> str:
        return str(self.version)


# Names of communities and grids by code, kept a few seconds: every list row names its grid with its community.
_NAMES: dict[str, tuple[float, int, str]] = {}
NAME_CACHE_SECONDS = 30.0
FULL_NAME_SEPARATOR = " / "


def full_names(nodes: Iterable[GridNode]) -> dict[str, str]:
    """``{path: full name}`` for the nodes, with one query for all the ancestors not yet remembered; each node also
    keeps its own, so ``node.full_name`` costs nothing afterwards."""
    nodes = list(nodes)
    now = time.monotonic()
    wanted = {code for n in nodes if n.level > Level.COMMUNITY for code in n.ancestor_codes()[:-1]}
    missing = [code for code in wanted if code not in _NAMES or now - _NAMES[code][0] >= NAME_CACHE_SECONDS]
    if missing:
        for code, level, name in GridNode.objects.filter(code__in=missing).values_list("code", "level", "name"):
            _NAMES[code] = (now, level, name)
    found: dict[str, str] = {}
    for node in nodes:
        if node.level <= Level.COMMUNITY:
            text = node.name
        else:
            above = [_NAMES[c] for c in node.ancestor_codes()[:-1] if c in _NAMES]
            below = [name for _t, level, name in above if level >= Level.COMMUNITY]
            if not below and above:  # no community above it (a grid straight under a street): name its parent
                below = [above[-1][2]]
            text = FULL_NAME_SEPARATOR.join([*below, node.name])
        node._full_name = text  # type: ignore[attr-defined]
        found[node.path] = text
    return found


def forget_names(*args: Any, **kwargs: Any) -> None:
    _NAMES.clear()
