"""WGS-84 ⇄ GCJ-02 (the "Mars" datum of Chinese commercial maps), for drawing stored coordinates over their tiles.

Coordinates are stored in WGS-84 (GPS; Tianditu's CGCS2000 differs by centimetres). AMap/Gaode and Tencent tiles are
drawn in GCJ-02, which shifts points inside China by a few hundred metres with a published obfuscation formula
(the one every "eviltransform" implementation copies, on the Krasovsky ellipsoid). Outside China's bounding box there
is no shift. The inverse has no closed form; it is found by fixed-point iteration to well under a centimetre.

Every function takes and returns ``(lon, lat)`` in degrees, the order GeoJSON uses. Pure Python, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

# Krasovsky 1940 ellipsoid, as the formula is published.
_A = 6378245.0
_EE = 0.00669342162296594323

LonLat = tuple[float, float]


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough box where GCJ-02 applies (the formula's own test, not a border)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(x: float, y: float) -> LonLat:
    """The formula's offsets in metres-ish units, for x = lon − 105, y = lat − 35."""
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return dlon, dlat


def _delta(lon: float, lat: float) -> LonLat:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees."""
    dlon, dlat = _shift(lon - 105.0, lat - 35.0)
    rad = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = dlat * 180.0 / (_A * (1.0 - _EE) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """Where a WGS-84 point lies on a GCJ-02 map."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance: float = 1e-10, max_iterations: int = 30) -> LonLat:
    """The WGS-84 point that lands on a GCJ-02 point: iterate w ← w − (f(w) − g) from w = g.

    The shift changes by about 1e-5 of a degree per degree, so each step gains five digits; two or three suffice.
    """
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(max_iterations):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if abs(elon) < tolerance and abs(elat) < tolerance:
            break
    return wlon, wlat


def transform_geometry(geometry: Any, convert: Callable[[float, float], LonLat]) -> Any:
    """A copy of a GeoJSON geometry (Point … MultiPolygon, GeometryCollection) with every position converted.

    Positions keep any third value (altitude). Anything that is not a geometry is returned as it is.
    """
    if not isinstance(geometry, dict):
        return geometry
    if geometry.get("type") == "GeometryCollection":
        return {**geometry, "geometries": [transform_geometry(g, convert) for g in geometry.get("geometries", [])]}
    if "coordinates" not in geometry:
        return geometry
    return {**geometry, "coordinates": _positions(geometry["coordinates"], convert)}


def _positions(value: Any, convert: Callable[[float, float], LonLat]) -> Any:
    if isinstance(value, list | tuple) and value and isinstance(value[0], int | float):
        lon, lat = convert(float(value[0]), float(value[1]))
        return [lon, lat, *value[2:]]
    if isinstance(value, list | tuple):
        return [_positions(v, convert) for v in value]
    return value


# The IUGG mean Earth radius: the sphere that errs least on average (under 0.5 %) against the WGS-84 ellipsoid.
EARTH_RADIUS_METRES = 6_371_008.8


def distance_metres(a: LonLat, b: LonLat) -> float:
    """Great-circle (haversine) distance in metres between two (lon, lat) points: the one distance every app uses."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


class PositionError(ValueError):
    """A position that is not a pair of finite numbers within the Earth's ranges; ``args[0]`` says why, in Chinese."""


def parse_position(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    """A typed or posted (lon, lat) as floats; ``(None, None)`` when neither was given.

    Raises :class:`PositionError` (the apps turn it into their own error) for non-numbers, NaN and infinities, and
    values out of range."""
    from django.utils.translation import gettext as _

    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise PositionError(_("位置坐标无效：经纬度必须是数字。")) from None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f) and -180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        raise PositionError(_("位置坐标超出范围：经度 -180～180，纬度 -90～90。"))
    return lon_f, lat_f
