"""The locator: which grid is this point in?

All grid polygons are held in process in Shapely 2 STRtrees, built once and rebuilt when the tree's version number
in the database moves. Finest wins, and a dedicated grid (school, hospital, market ...) wins over an ordinary one.
Lookups first ask the tree of leaves (nodes with no children, plus dedicated grids); only points that fall in no
leaf ask the tree of inner nodes. A point outside every grid gets the nearest grid within a set distance as a
suggestion.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Exists, OuterRef

from fengqiao.grids.geometry import metres_to_degrees
from fengqiao.grids.models import GridNode, GridVersion, Kind


@dataclass(frozen=True)
class Location:
    """The answer for one point: the grid it lies in, or a nearby suggestion when it lies in none."""

    node_id: int | None
    code: str | None
    path: str | None
    suggestion_id: int | None = None
    suggestion_code: str | None = None
    suggestion_metres: float | None = None
    node_fields: tuple[Any, ...] | None = None  # the grid's identity, as in ``NODE_FIELDS``

    @property
    def found(self) -> bool:
        return self.node_id is not None

    def node(self) -> GridNode | None:
        """The grid found, without a query: its identity fields are loaded, any other field loads on first use."""
        if self.node_fields is None:
            return None
        # from_db takes the values in the model's field order, whatever order the names come in.
        values = dict(zip(NODE_FIELDS, self.node_fields, strict=True))
        names = [f.attname for f in GridNode._meta.concrete_fields if f.attname in values]
        return GridNode.from_db("default", names, [values[n] for n in names])


# The fields of a grid the locator keeps in memory, enough to file a report in it and name it.
NODE_FIELDS = ("id", "code", "name", "path", "depth", "level", "kind", "parent_id")


class _Tree:
    """One STRtree plus the identity fields and ranks of its polygons."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        # A row: the NODE_FIELDS values, then the geometry.
        self.nodes = [r[: len(NODE_FIELDS)] for r in rows]
        self.ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.codes = [r[1] for r in rows]
        self.paths = [r[3] for r in rows]
        geoms = shapely.from_geojson([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        # Rank: dedicated grids first, then depth, then (for overlapping equals) the smaller polygon; higher wins.
        base = np.array([(1000 if r[6] != Kind.ORDINARY else 0) + r[4] for r in rows], dtype=np.float64)
        areas = shapely.area(geoms) if rows else np.array([], dtype=np.float64)
        largest = float(areas.max()) if len(areas) else 1.0
        self.rank = base + 0.5 * (1.0 - areas / (largest or 1.0))
        shapely.prepare(geoms)
        self.geoms = geoms
        self.tree = shapely.STRtree(geoms)

    def __len__(self) -> int:
        return len(self.ids)

    def best_single(self, point: shapely.Point) -> int:
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return -1
        if len(hits) == 1:
            return int(hits[0])
        return int(hits[np.argmax(self.rank[hits])])

    def best_many(self, points: np.ndarray) -> np.ndarray:
        """Index into this tree of the best polygon for every point, -1 where none."""
        out = np.full(len(points), -1, dtype=np.int64)
        if len(self) == 0 or len(points) == 0:
            return out
        pt_idx, geom_idx = self.tree.query(points, predicate="intersects")
        if len(pt_idx) == 0:
            return out
        # Sort by point then rank so the last row per point is the winner.
        order = np.lexsort((self.rank[geom_idx], pt_idx))
        pt_sorted, geom_sorted = pt_idx[order], geom_idx[order]
        last = np.r_[pt_sorted[1:] != pt_sorted[:-1], True]
        out[pt_sorted[last]] = geom_sorted[last]
        return out


class Locator:
    def __init__(self, version: int) -> None:
        self.version = version
        has_children = GridNode.objects.filter(parent=OuterRef("pk"))
        rows = list(
            GridNode.objects.exclude(geometry="")
            .annotate(inner=Exists(has_children))
            .values_list(*NODE_FIELDS, "geometry", "inner")
        )
        kind = NODE_FIELDS.index("kind")
        self.leaves = _Tree([r[:-1] for r in rows if not r[-1] or r[kind] != Kind.ORDINARY])
        self.inner = _Tree([r[:-1] for r in rows if r[-1] and r[kind] == Kind.ORDINARY])
        self.suggest_degrees = metres_to_degrees(settings.FENGQIAO_LOCATOR_SUGGEST_METRES)

    def __len__(self) -> int:
        return len(self.leaves) + len(self.inner)

    def locate(self, lon: float, lat: float, *, suggest: bool = True) -> Location:
        point = shapely.Point(lon, lat)
        for tree in (self.leaves, self.inner):
            i = tree.best_single(point)
            if i >= 0:
                return Location(int(tree.ids[i]), tree.codes[i], tree.paths[i], node_fields=tree.nodes[i])
        if not suggest:
            return Location(None, None, None)
        return self._suggest(point)

    def _suggest(self, point: shapely.Point) -> Location:
        best: tuple[float, _Tree, int] | None = None
        for tree in (self.leaves, self.inner):
            if len(tree) == 0:
                continue
            idx, dist = tree.tree.query_nearest(point, max_distance=self.suggest_degrees, return_distance=True)
            if len(idx) and (best is None or dist[0] < best[0]):
                best = (float(dist[0]), tree, int(idx[0]))
        if best is None:
            return Location(None, None, None)
        dist, tree, i = best
        metres = dist * 111_320.0 * float(np.cos(np.radians(point.y)))
        return Location(None, None, None, int(tree.ids[i]), tree.codes[i], round(metres, 1))

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Grid ids for arrays of points (-1 where a point lies in no grid)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        result = np.full(len(points), -1, dtype=np.int64)
        best = self.leaves.best_many(points)
        hit = best >= 0
        result[hit] = self.leaves.ids[best[hit]]
        missing = np.flatnonzero(~hit)
        if len(missing) and len(self.inner):
            inner_best = self.inner.best_many(points[missing])
            found = inner_best >= 0
            result[missing[found]] = self.inner.ids[inner_best[found]]
        return result


_lock = threading.Lock()
_current: Locator | None = None
_checked_at = 0.0


def current_version() -> int:
    return GridVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def get_locator() -> Locator:
    """The process's locator, rebuilt when the grid version in the database has moved."""
    global _current, _checked_at
    now = time.monotonic()
    loc = _current
    if loc is not None and now - _checked_at < settings.FENGQIAO_LOCATOR_CHECK_SECONDS:
        return loc
    version = current_version()
    with _lock:
        if _current is None or _current.version != version:
            _current = Locator(version)
        _checked_at = now
        return _current


def invalidate() -> None:
    """Forget the locator (this process changed the grids); the next lookup rebuilds it."""
    global _current
    with _lock:
        _current = None


def locate(lon: float, lat: float) -> Location:
    return get_locator().locate(lon, lat)


def locate_many(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    return get_locator().locate_many(lons, lats)
