"""Polygons for the demo city: an outline, Voronoi subdivision of a parent into children, small dedicated grids.

Children tile their parent: a Voronoi diagram of seed points inside the parent, extended over it, each cell cut
by the parent. One Lloyd step (seeds moved to their cells' centres) evens the cell sizes out. Coordinates are
snapped to a 1e-6 degree grid (about 0.1 m), far below the 5 m tolerance the grid checks allow.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from fengqiao.grids.geometry import METRES_PER_DEGREE

GRID_SIZE = 1e-6
# Parts smaller than this (in square degrees, about 1 m²) are dropped: slivers from cutting along a bent edge.
MIN_PART_AREA = 1e-10


class SubdivisionError(RuntimeError):
    pass


def polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygonal part of ``geom`` (Polygon or MultiPolygon) without slivers; None when nothing is left."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return geom if geom.area > MIN_PART_AREA else None
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > MIN_PART_AREA]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def snap(geom: BaseGeometry) -> BaseGeometry | None:
    return polygonal(shapely.set_precision(geom, GRID_SIZE))


def city_outline(
    rng: np.random.Generator, centre: tuple[float, float], half_width: float, half_height: float
) -> BaseGeometry:
    """A rounded, gently wobbling outline (a super-ellipse with a few random harmonics on its radius)."""
    n = 96
    theta = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    wobble = np.zeros(n)
    for k in (2, 3, 5, 7):
        wobble += rng.uniform(0.01, 0.035) * np.sin(k * theta + rng.uniform(0, 2 * math.pi))
    radius = np.minimum(0.93 + wobble, 1.0)  # never beyond the box given by the half sizes
    c, s = np.cos(theta), np.sin(theta)
    power = 2.0 / 4.0  # exponent 4: nearly square with round corners
    x = centre[0] + half_width * radius * np.sign(c) * np.abs(c) ** power
    y = centre[1] + half_height * radius * np.sign(s) * np.abs(s) ** power
    outline = snap(Polygon(np.column_stack([x, y])))
    assert outline is not None and outline.is_valid
    return outline


def sample_points(parent: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniformly random points strictly inside ``parent``."""
    shapely.prepare(parent)
    minx, miny, maxx, maxy = parent.bounds
    fill = max(parent.area / max((maxx - minx) * (maxy - miny), 1e-18), 0.05)
    found: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        k = int((n - have) / fill * 1.3) + 8
        xs = rng.uniform(minx, maxx, k)
        ys = rng.uniform(miny, maxy, k)
        inside = shapely.contains_xy(parent, xs, ys)
        pts = np.column_stack([xs[inside], ys[inside]])
        found.append(pts)
        have += len(pts)
        if have >= n:
            break
    pts = np.concatenate(found)[:n]
    if len(pts) < n:
        raise SubdivisionError("could not place seed points inside the parent")
    return pts


def _cells(parent: BaseGeometry, pts: np.ndarray, *, ordered: bool = False) -> np.ndarray:
    diagram = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=parent, ordered=ordered)
    return shapely.intersection(shapely.get_parts(diagram), parent)


def _centres(parent: BaseGeometry, cells: np.ndarray) -> np.ndarray:
    centres = shapely.centroid(cells)
    outside = ~shapely.contains(parent, centres)
    if outside.any():
        centres[outside] = shapely.point_on_surface(cells[outside])
    return shapely.get_coordinates(centres)


def subdivide(
    parent: BaseGeometry, n: int, rng: np.random.Generator, *, lloyd: int = 2, seeds: np.ndarray | None = None
) -> list[BaseGeometry]:
    """Split ``parent`` into ``n`` pieces that tile it, numbered in reading order (north-west first).

    With ``seeds`` (one point per piece, inside the parent) the pieces are their Voronoi cells, in seed order.
    """
    if n < 1:
        return []
    if n == 1:
        return [parent]
    if seeds is not None:
        cells = _cells(parent, seeds, ordered=True)
        seeded = [polygonal(c) for c in shapely.set_precision(cells, GRID_SIZE)]
        if len(seeded) != n or any(p is None or not p.is_valid for p in seeded):
            raise SubdivisionError("the seed points do not give one valid piece each")
        return [p for p in seeded if p is not None]
    for _attempt in range(8):
        pts = sample_points(parent, n, rng)
        for _ in range(lloyd):
            cells = _cells(parent, pts)
            if len(cells) != n:
                break
            pts = _centres(parent, cells)
        cells = _cells(parent, pts)
        if len(cells) != n:
            continue
        snapped = [polygonal(c) for c in shapely.set_precision(cells, GRID_SIZE)]
        if any(s is None or not s.is_valid for s in snapped):
            continue
        pieces: list[BaseGeometry] = [s for s in snapped if s is not None]
        return reading_order(pieces, parent, n)
    raise SubdivisionError(f"could not split a polygon into {n} pieces")


def reading_order(pieces: list[BaseGeometry], parent: BaseGeometry, n: int) -> list[BaseGeometry]:
    """Sort pieces in rows from north to south, west to east within a row."""
    row = math.sqrt(parent.area / n) or 1.0
    top = parent.bounds[3]
    centres = shapely.get_coordinates(shapely.point_on_surface(np.array(pieces, dtype=object)))
    order = sorted(range(len(pieces)), key=lambda i: (int((top - centres[i][1]) / row), centres[i][0], centres[i][1]))
    return [pieces[i] for i in order]


def dedicated_shape(parent: BaseGeometry, rng: np.random.Generator) -> BaseGeometry:
    """A small irregular polygon (a school's or a market's compound) inside ``parent``."""
    lat = parent.centroid.y
    for _ in range(20):
        radius_m = rng.uniform(60.0, 180.0)
        ry = radius_m / METRES_PER_DEGREE
        rx = ry / math.cos(math.radians(lat))
        # Keep it small next to the community, so it looks like one compound inside it.
        scale = min(1.0, math.sqrt(parent.area / (math.pi * rx * ry * 6)))
        rx, ry = rx * scale, ry * scale
        centre = sample_points(parent, 1, rng)[0]
        k = int(rng.integers(5, 9))
        angles = np.sort(rng.uniform(0, 2 * math.pi, k))
        radii = rng.uniform(0.65, 1.0, k)
        ring = np.column_stack([centre[0] + rx * radii * np.cos(angles), centre[1] + ry * radii * np.sin(angles)])
        raw = Polygon(ring)
        if not raw.is_valid:
            continue
        shape = snap(raw.intersection(parent))
        if shape is not None and shape.is_valid and shape.area > raw.area * 0.5:
            return shape
    raise SubdivisionError("could not place a dedicated grid inside its community")
