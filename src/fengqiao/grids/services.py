"""Commands that change the grid tree: create, update, import. Each validates first and writes all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from fengqiao.accounts.models import User
from fengqiao.core import audit
from fengqiao.core.errors import DomainError
from fengqiao.grids import geometry as geo
from fengqiao.grids.errors import GridErrorCode
from fengqiao.grids.models import CODE_LENGTHS, GridNode, GridVersion, Kind, Level


class GridValidationError(DomainError):
    """One or more problems with grid data; ``problems`` lists (feature index or code, reason)."""

    def __init__(self, problems: list[tuple[Any, str]]) -> None:
        self.problems = problems
        text = "；".join(
            _("第 %(i)s 项：%(reason)s") % {"i": where, "reason": reason}
            if isinstance(where, int)
            else f"{where}：{reason}"
            for where, reason in problems
        )
        super().__init__(text, code=GridErrorCode.INVALID_GRID)


@dataclass
class NodeData:
    """A node as submitted (by a form, the API or an import file), before it is written."""

    code: str
    name: str
    level: int
    parent_code: str | None = None
    kind: str = Kind.ORDINARY
    geometry: Any = None
    households: int = 0
    population: int = 0
    shape: BaseGeometry | None = field(default=None, repr=False)


def tolerance_m() -> float:
    return float(settings.FENGQIAO_GRID_TOLERANCE_METRES)


def bump_version() -> int:
    """Tell every locator that the tree changed."""
    updated = GridVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        GridVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    transaction.on_commit(_forget_local_locator)
    return GridVersion.objects.get(pk=1).version


def _forget_local_locator() -> None:
    from fengqiao.grids import locator

    locator.invalidate()


def check_fields(data: NodeData, parent: GridNode | NodeData | None) -> list[str]:
    """Problems with one node's own fields and its code relative to the parent."""
    problems: list[str] = []
    if not data.code or not data.code.strip():
        problems.append(_("缺少编码。"))
    if not data.name or not str(data.name).strip():
        problems.append(_("缺少名称。"))
    if data.level not in Level.values:
        problems.append(_("层级无效：%(level)s（应为 1 市 至 6 微网格）。") % {"level": data.level})
        return problems
    if data.kind not in Kind.values:
        problems.append(_("类型无效：%(kind)s。") % {"kind": data.kind})
    if data.kind != Kind.ORDINARY and data.level not in (Level.GRID, Level.MICRO):
        problems.append(_("专属网格只能设在网格或微网格层级。"))
    if data.households < 0 or data.population < 0:
        problems.append(_("户数和人口不能为负数。"))
    if parent is None:
        if data.level != Level.CITY and data.parent_code:
            problems.append(_("上级 %(code)s 不存在。") % {"code": data.parent_code})
        elif data.level != Level.CITY:
            problems.append(_("只有市级节点可以没有上级。"))
    else:
        if data.level <= parent.level:
            problems.append(_("层级必须低于上级（上级为第 %(level)s 级）。") % {"level": parent.level})
        if not data.code.startswith(parent.code) or len(data.code) <= len(parent.code):
            problems.append(
                _("编码 %(code)s 必须以上级编码 %(parent)s 开头并更长。") % {"code": data.code, "parent": parent.code}
            )
    expected = CODE_LENGTHS.get(Level(data.level)) if data.level in Level.values else None
    if data.kind == Kind.ORDINARY and expected and data.code and len(data.code) != expected:
        problems.append(
            _("%(level)s编码应为 %(n)s 位，实际 %(m)s 位。")
            % {"level": Level(data.level).label, "n": expected, "m": len(data.code)}
        )
    if data.kind == Kind.ORDINARY and data.code and not data.code.isdigit():
        problems.append(_("普通网格编码只能包含数字。"))
    return problems


def _shape_of(item: GridNode | NodeData) -> BaseGeometry | None:
    if isinstance(item, NodeData):
        return item.shape
    return geo.parse(item.geometry) if item.geometry else None


def validate_batch(items: list[NodeData]) -> list[tuple[int, str]]:
    """Validate a batch of nodes against each other and the database; returns (index, reason) problems."""
    problems: list[tuple[int, str]] = []
    by_code: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.code in by_code:
            problems.append((i, _("编码 %(code)s 在文件中重复。") % {"code": item.code}))
        by_code[item.code] = i
        if item.geometry in (None, "", {}):
            item.shape = None
            if item.level >= Level.COMMUNITY:
                problems.append((i, _("缺少边界。")))
            continue
        try:
            item.shape = geo.parse(item.geometry)
        except geo.GeometryError as exc:
            problems.append((i, str(exc)))
            item.shape = None

    existing_parents = {
        n.code: n
        for n in GridNode.objects.filter(code__in={it.parent_code for it in items if it.parent_code} - set(by_code))
    }
    parents: dict[int, GridNode | NodeData | None] = {}
    for i, item in enumerate(items):
        parent: GridNode | NodeData | None = None
        if item.parent_code:
            parent = (
                items[by_code[item.parent_code]]
                if item.parent_code in by_code
                else existing_parents.get(item.parent_code)
            )
        parents[i] = parent
        problems.extend((i, reason) for reason in check_fields(item, parent))
        if parent is not None and item.shape is not None:
            parent_shape = _shape_of(parent)
            if parent_shape is not None and not geo.lies_within(item.shape, parent_shape, tolerance_m()):
                problems.append((i, _("边界超出上级 %(code)s 的范围。") % {"code": parent.code}))

    # Ordinary siblings must not overlap: check each new node against the others and the stored siblings.
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.shape is not None and item.kind == Kind.ORDINARY and item.parent_code:
            groups.setdefault(item.parent_code, []).append(i)
    for parent_code, members in groups.items():
        stored = [
            n
            for n in GridNode.objects.filter(parent__code=parent_code, kind=Kind.ORDINARY).exclude(code__in=by_code)
            if n.geometry
        ]
        shapes = [items[i].shape for i in members] + [geo.parse(n.geometry) for n in stored]
        labels = [items[i].code for i in members] + [n.code for n in stored]
        tree = STRtree(shapes)
        for pos, i in enumerate(members):
            shape = items[i].shape
            assert shape is not None
            for other in tree.query(shape):
                other = int(other)
                if other == pos or (other < len(members) and other < pos):
                    continue
                if geo.overlaps_beyond(shape, shapes[other], tolerance_m()):
                    problems.append((i, _("与同级网格 %(other)s 重叠。") % {"other": labels[other]}))
    return sorted(problems, key=lambda p: p[0])


def _apply(item: NodeData, parent: GridNode | None) -> tuple[GridNode, bool]:
    node = GridNode.objects.filter(code=item.code).first()
    created = node is None
    if node is None:
        node = GridNode(code=item.code)
    node.name = str(item.name).strip()
    node.level = item.level
    node.kind = item.kind
    node.parent = parent
    node.households = item.households
    node.population = item.population
    if item.shape is not None:
        node.geometry = geo.to_text(item.shape)
        for key, value in geo.derived_fields(item.shape).items():
            setattr(node, key, value)
    node.save()
    return node, created


def save_nodes(*, actor: User | None, items: list[NodeData], verb: str = "grid.save") -> list[GridNode]:
    """Create or update nodes (parents before children); all are validated first and written in one transaction."""
    problems = validate_batch(items)
    if problems:
        raise GridValidationError(list(problems))
    order = sorted(range(len(items)), key=lambda i: items[i].level)
    saved: dict[str, GridNode] = {}
    with transaction.atomic():
        for i in order:
            item = items[i]
            parent = None
            if item.parent_code:
                parent = saved.get(item.parent_code) or GridNode.objects.get(code=item.parent_code)
            node, created = _apply(item, parent)
            if node.path and any(c.path != node.path + c.code + "/" for c in node.children.all()[:1]):
                _repath_subtree(node)
            saved[node.code] = node
            audit.record(
                actor=actor,
                verb=verb,
                target=node,
                data={"created": created, "level": node.level, "kind": node.kind},
                grid_path=node.path,
            )
        bump_version()
    return [saved[items[i].code] for i in range(len(items))]


def _repath_subtree(node: GridNode) -> None:
    for child in node.children.all():
        child.save()
        _repath_subtree(child)


def create_node(*, actor: User, data: NodeData) -> GridNode:
    return save_nodes(actor=actor, items=[data], verb="grid.create")[0]


def feature_to_data(feature: Any) -> NodeData:
    """Read one GeoJSON feature; raises ValueError with a translated reason when it is not usable."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise ValueError(_("不是 GeoJSON Feature。"))
    props = feature.get("properties") or {}
    if not isinstance(props, Mapping):
        raise ValueError(_("properties 必须是对象。"))
    try:
        level = int(props.get("level"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(_("缺少或无效的 level（1–6）。")) from None
    try:
        households = int(props.get("households") or 0)
        population = int(props.get("population") or 0)
    except (TypeError, ValueError):
        raise ValueError(_("households/population 必须是整数。")) from None
    return NodeData(
        code=str(props.get("code") or "").strip(),
        name=str(props.get("name") or "").strip(),
        level=level,
        parent_code=(str(props["parent_code"]).strip() or None) if props.get("parent_code") else None,
        kind=str(props.get("kind") or Kind.ORDINARY),
        geometry=feature.get("geometry"),
        households=households,
        population=population,
    )


def import_geojson(*, actor: User | None, data: Any) -> list[GridNode]:
    """Import a FeatureCollection. Every bad feature is reported by index and reason; nothing is written then."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise GridValidationError([("file", _("不是有效的 JSON：%(err)s") % {"err": exc.msg})]) from exc
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise GridValidationError([("file", _("文件必须是 GeoJSON FeatureCollection。"))])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GridValidationError([("file", _("文件中没有要素（features）。"))])
    items: list[NodeData] = []
    positions: list[int] = []
    problems: list[tuple[Any, str]] = []
    for i, feature in enumerate(features):
        try:
            items.append(feature_to_data(feature))
            positions.append(i)
        except ValueError as exc:
            problems.append((i, str(exc)))
    if problems:
        # Check the readable features too, so one run names every bad feature.
        problems.extend((positions[j], reason) for j, reason in validate_batch(items))
        raise GridValidationError(sorted(problems, key=lambda p: p[0]))
    return save_nodes(actor=actor, items=items, verb="grid.import")


def node_feature(node: GridNode, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": json.loads(node.geometry) if node.geometry else None,
        "properties": {
            "code": node.code,
            "name": node.name,
            "level": node.level,
            "kind": node.kind,
            "parent_code": node.parent.code if node.parent_id and node.parent else None,
            "households": node.households,
            "population": node.population,
            **extra,
        },
    }


def export_geojson(*, nodes: Iterable[GridNode]) -> dict[str, Any]:
    """A FeatureCollection that :func:`import_geojson` reads back unchanged."""
    return {"type": "FeatureCollection", "features": [node_feature(n) for n in nodes]}
