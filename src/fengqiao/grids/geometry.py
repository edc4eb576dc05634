"""Polygon handling for grids: parsing GeoJSON, validity with a located reason, containment and overlap tests.

Geometry is stored as GeoJSON text with its bounding box and centroid; Shapely does the maths in process,
so no GIS system library is needed. Tolerances are given in metres and converted near the polygon's latitude.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

METRES_PER_DEGREE = 111_320.0


class GeometryError(ValueError):
    """A polygon that cannot be a grid boundary, with a message for the person who drew it."""


def metres_to_degrees(metres: float, latitude: float = 34.75) -> float:
    """A distance in degrees that is at least ``metres`` in every direction near ``latitude``."""
    return metres / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.1))


def parse(geometry: Any) -> BaseGeometry:
    """Turn a GeoJSON geometry (dict or text) into a valid Polygon/MultiPolygon, or raise GeometryError."""
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError as exc:
            raise GeometryError(_("边界不是有效的 GeoJSON：%(err)s") % {"err": exc.msg}) from exc
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(_("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"))
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise GeometryError(_("边界坐标格式错误：%(err)s") % {"err": exc}) from exc
    if geom.is_empty:
        raise GeometryError(_("边界为空。"))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(_("边界坐标超出经纬度范围（应为 WGS-84 经度、纬度）。"))
    if not geom.is_valid:
        raise GeometryError(explain_invalid(geom))
    return geom


def explain_invalid(geom: BaseGeometry) -> str:
    reason = shapely.is_valid_reason(geom)
    match = re.match(r"(.+?)\[([-\d.eE+]+) ([-\d.eE+]+)\]", reason)
    if match:
        what, lon, lat = match.groups()
        label = {
            "Self-intersection": _("边界自相交"),
            "Ring Self-intersection": _("边界环自相交"),
            "Too few points in geometry component": _("边界点数过少"),
            "Hole lies outside shell": _("内洞位于外环之外"),
            "Nested shells": _("多边形外环嵌套"),
            "Interior is disconnected": _("多边形内部不连通"),
        }.get(what.strip(), what.strip())
        return _("%(what)s，位置：经度 %(lon).6f，纬度 %(lat).6f") % {
            "what": label,
            "lon": float(lon),
            "lat": float(lat),
        }
    return _("边界无效：%(reason)s") % {"reason": reason}


def to_text(geom: BaseGeometry) -> str:
    return json.dumps(mapping(geom), separators=(",", ":"))


def derived_fields(geom: BaseGeometry) -> dict[str, float]:
    """Bounding box and centroid columns for a node."""
    minx, miny, maxx, maxy = geom.bounds
    centroid = geom.centroid
    if not geom.contains(centroid):  # a concave grid gets a centre that lies inside it
        centroid = geom.representative_point()
    return {
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
        "centroid_lon": centroid.x,
        "centroid_lat": centroid.y,
    }


def lies_within(child: BaseGeometry, parent: BaseGeometry, tolerance_m: float) -> bool:
    """Whether ``child`` lies inside ``parent``, allowing a sliver of ``tolerance_m`` metres along the edge."""
    tol = metres_to_degrees(tolerance_m, parent.centroid.y)
    return bool(parent.buffer(tol).covers(child))


def overlaps_beyond(a: BaseGeometry, b: BaseGeometry, tolerance_m: float) -> bool:
    """Whether two siblings overlap by more than ``tolerance_m`` metres (shared edges do not count)."""
    if not a.intersects(b):
        return False
    tol = metres_to_degrees(tolerance_m, a.centroid.y)
    return bool(a.buffer(-tol).intersects(b.buffer(-tol)))
