"""The optional tile layer under the one map: which sources, which hosts the browser may load them from, and in
which coordinate system the map JSON must be drawn to sit on them.

``tile_templates`` and ``tile_origins`` are pure, so ``settings.py`` imports them for the content security policy
(which is why nothing here imports more of Django than the lazy settings object at module level); the other helpers
read ``settings.FENGQIAO_MAP_TILES*`` at call time, so tests can override them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

WGS84 = "wgs84"
GCJ02 = "gcj02"
CRS_CHOICES = (WGS84, GCJ02)


def tile_templates(value: str | Iterable[str]) -> list[str]:
    """URL templates from a setting: one string with templates separated by spaces (URLs never hold a bare space),
    or a list. Several templates are drawn in order, e.g. Tianditu's base map and then its labels."""
    items = value.split() if isinstance(value, str) else [v.strip() for v in value]
    return [v for v in items if v]


def tile_origins(templates: Iterable[str], subdomains: str = "abc") -> list[str]:
    """The sources a content security policy must allow for these templates, ``{s}`` expanded; same-origin
    (relative) templates need none, since ``'self'`` already covers them."""
    origins: list[str] = []
    for template in templates:
        parts = urlsplit(template)
        if not parts.netloc:
            continue
        prefix = f"{parts.scheme}://" if parts.scheme else ""  # protocol-relative: a bare host keeps the page's
        host = parts.netloc
        hosts = [host.replace("{s}", s) for s in subdomains or [""]] if "{s}" in host else [host]
        origins.extend(prefix + h for h in hosts if prefix + h not in origins)
    return origins


def configured() -> bool:
    return bool(tile_templates(settings.FENGQIAO_MAP_TILES))


def display_crs() -> str:
    """The coordinate system the map JSON is drawn in: GCJ-02 only when tiles are shown and are drawn in it."""
    return GCJ02 if configured() and settings.FENGQIAO_MAP_TILES_CRS == GCJ02 else WGS84


def browser_config() -> str:
    """What the page's script needs to draw the tiles, as JSON for a data attribute; empty without tiles."""
    templates = tile_templates(settings.FENGQIAO_MAP_TILES)
    if not templates:
        return ""
    config: dict[str, Any] = {
        "urls": templates,
        "subdomains": settings.FENGQIAO_MAP_TILES_SUBDOMAINS,
        "max_zoom": settings.FENGQIAO_MAP_TILES_MAX_ZOOM,
        "attribution": settings.FENGQIAO_MAP_TILES_ATTRIBUTION,
        "crs": display_crs(),
    }
    return json.dumps(config, ensure_ascii=False)


def check_tile_settings(**kwargs: Any) -> list[CheckMessage]:
    """A system check: a mistyped coordinate system would put every polygon hundreds of metres off its streets."""
    from django.core import checks

    errors: list[CheckMessage] = []
    if settings.FENGQIAO_MAP_TILES_CRS not in CRS_CHOICES:
        errors.append(
            checks.Error(
                f"FENGQIAO_MAP_TILES_CRS is {settings.FENGQIAO_MAP_TILES_CRS!r}",
                hint="Use 'wgs84' (Tianditu, OpenStreetMap) or 'gcj02' (AMap/Gaode, Tencent).",
                id="dashboard.E001",
            )
        )
    for template in tile_templates(settings.FENGQIAO_MAP_TILES):
        if not all(part in template for part in ("{z}", "{x}")) or not ("{y}" in template or "{-y}" in template):
            errors.append(
                checks.Error(
                    f"FENGQIAO_MAP_TILES template {template!r} lacks {{z}}, {{x}} or {{y}}",
                    id="dashboard.E002",
                )
            )
    return errors
