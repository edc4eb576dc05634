"""What the one map shows: a node, its children's polygons and figures, open events as points, trend and feed.

Everything is read from the daily counters (``metrics``) plus one grouped query over open events; nothing here
scans all events. The node is resolved through the grid selectors, so a viewer only ever reaches their own subtree.
Coordinates are stored in WGS-84; when the map is drawn over GCJ-02 tiles (AMap, Tencent) every polygon and point
leaves here already shifted, so the browser has no copy of the formula.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.core import scoping, sla
from fengqiao.dashboard import tiles
from fengqiao.events.models import Event
from fengqiao.events.selectors import visible_events, with_colour
from fengqiao.events.workflow import OPEN_STATES, STATES
from fengqiao.grids import coords
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import GridNode, Level
from fengqiao.metrics import selectors as metrics
from fengqiao.metrics.selectors import Period
from fengqiao.people import keypersons as people
from fengqiao.people import selectors as people_selectors

POINT_LIMIT = 1500
FIGURES = [
    ("red", gettext_lazy("超期事件")),
    ("orange", gettext_lazy("临期事件")),
    ("open", gettext_lazy("未办结事件")),
    ("reported", gettext_lazy("上报事件")),
    ("closed", gettext_lazy("办结事件")),
    ("score", gettext_lazy("综合得分")),
    ("closure_rate", gettext_lazy("办结率")),
    ("satisfaction_rate", gettext_lazy("满意率")),
    ("ack_on_time_rate", gettext_lazy("指令按时签收率")),
    ("duty_rate", gettext_lazy("巡查履职率")),
    ("disputes_entered", gettext_lazy("排查纠纷")),
    ("disputes_resolved", gettext_lazy("化解纠纷")),
    ("resolution_rate", gettext_lazy("化解率")),
    ("village_rate", gettext_lazy("村内化解率")),
]
# Base-data layers, as counts per area: offered only to whoever may read them there.
PEOPLE_FIGURES = [
    ("key_persons", gettext_lazy("重点人员")),
    ("key_overdue", gettext_lazy("重点人员走访超期")),
    ("rentals", gettext_lazy("出租房屋")),
    ("organisations", gettext_lazy("组织")),
    ("hazards", gettext_lazy("风险隐患点")),
    ("protections", gettext_lazy("防护设施")),
]


def default_node(*, actor: User) -> GridNode | None:
    roots = grid_selectors.jurisdiction_roots(actor=actor)
    return roots[0] if roots else None


def queue_url(code: str, **params: str) -> str:
    """The events queue behind a figure, filtered to the node's subtree."""
    return f"{reverse('events:queue')}?{urlencode({'grid': code, **params})}"


def _links(code: str, period: Period) -> dict[str, str]:
    since, until = period.start.isoformat(), period.end.isoformat()
    return {
        "open": queue_url(code, open_only="on"),
        "red": queue_url(code, colour="red", open_only="on"),
        "orange": queue_url(code, colour="orange", open_only="on"),
        "reported": queue_url(code, since=since, until=until),
        "closed": queue_url(code, state="closed", since=since, until=until),
        # The disputes ledger behind the dispute figures: entered in the period, in the node's subtree.
        "disputes": f"{reverse('disputes:queue')}?{urlencode({'grid': code, 'since': since, 'until': until})}",
    }


Convert = Callable[[float, float], tuple[float, float]]


def _converter() -> Convert | None:
    """How stored WGS-84 positions become the positions drawn: shifted to GCJ-02 for such tiles, else unchanged."""
    return coords.wgs84_to_gcj02 if tiles.display_crs() == tiles.GCJ02 else None


def _geometry(node: GridNode, convert: Convert | None = None) -> Any:
    try:
        geometry = json.loads(node.geometry) if node.geometry else None
    except ValueError:
        return None
    return coords.transform_geometry(geometry, convert) if convert else geometry


def _point(lon: float | None, lat: float | None, convert: Convert | None) -> list[float | None]:
    if convert is None or lon is None or lat is None:
        return [lon, lat]
    return list(convert(lon, lat))


def map_payload(*, actor: User, code: str | None, period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """The JSON the map draws: the node, its visible children with polygons and figures, points, trend, categories.

    Raises OutsideJurisdiction / GridNode.DoesNotExist for a node the actor may not see.
    """
    asked_now = now  # an explicit time (tests, reports) recomputes; live views may use remembered open figures
    now = now or timezone.now()
    node = grid_selectors.node_detail(actor=actor, code=code) if code else default_node(actor=actor)
    if node is None:
        raise GridNode.DoesNotExist()
    children = list(grid_selectors.node_children(actor=actor, node=node))
    paths = [c.path for c in children]
    figures = metrics.stats([node.path, *paths], period)
    opened = metrics.open_figures(actor=actor, node=node, child_paths=paths, now=asked_now)
    weights = metrics.indicators()
    convert = _converter()
    layers = _people_layers(actor, [node.path, *paths], now)
    items = []
    for child in children:
        f = figures[child.path]
        f.open, f.orange, f.red = (opened.by_child[child.path][k] for k in ("open", "orange", "red"))
        items.append(
            {
                "code": child.code,
                "name": child.name,
                "level": child.level,
                "level_label": child.get_level_display(),
                "kind": child.kind,
                "has_children": child.level < Level.MICRO,
                "centroid": _point(child.centroid_lon, child.centroid_lat, convert),
                "geometry": _geometry(child, convert),
                "figures": {**f.as_dict(), "score": metrics.score(f, weights), **layers.get(child.path, {})},
                "links": _links(child.code, period),
            }
        )
    ranked = sorted(
        (i for i in items if i["figures"]["score"] is not None), key=lambda i: -float(i["figures"]["score"])
    )
    for position, item in enumerate(ranked, start=1):
        item["rank"] = position
    total = figures[node.path]
    total.open, total.orange, total.red = opened.total["open"], opened.total["orange"], opened.total["red"]
    ancestors = grid_selectors.visible_ancestors(actor=actor, node=node)
    return {
        "node": {
            "code": node.code,
            "name": node.name,
            "level": node.level,
            "level_label": node.get_level_display(),
            "geometry": _geometry(node, convert),
            "centroid": _point(node.centroid_lon, node.centroid_lat, convert),
            "parent": ancestors[-1].code if ancestors else None,
            "figures": {**total.as_dict(), "score": metrics.score(total, weights), **layers.get(node.path, {})},
            "links": _links(node.code, period),
            # 四事分办: where the events closed in the period were handled, against the 70/30 targets.
            "tiers": total.tiers.as_dict(),
        },
        "ancestors": [{"code": a.code, "name": a.name} for a in ancestors],
        "period": {
            "key": period.key,
            "label": period.label,
            "start": period.start,
            "end": period.end,
            "previous": period.previous,
            # Nothing counted in the period at all: the page says so instead of a row of zeros and dashes.
            "empty": not any(total.counts.values()),
            "empty_text": period.empty_text,
        },
        # What an empty chart says at this level, instead of a blank canvas.
        "empty_text": str(_("该网格暂无数据") if node.level >= Level.GRID else _("该区域暂无数据")),
        "children": items,
        "points": _points(actor=actor, node=node, items=items, now=now, convert=convert),
        "categories": [
            {"name": name, "open": n} for name, n in sorted(opened.categories.items(), key=lambda kv: -kv[1])[:10]
        ],
        "trend": [
            {"day": r["day"].isoformat(), "reported": r["reported"], "closed": r["closed"]}
            for r in metrics.daily_series(
                node.path, timezone.localdate(now) - dt.timedelta(days=29), timezone.localdate(now)
            )
        ],
        "figure_choices": [
            {"key": k, "label": str(v)}
            for k, v in FIGURES + PEOPLE_FIGURES
            if (k, v) in FIGURES or k in layers.get(node.path, {})
        ],
        "generated_at": now,
        # The datum of every position above: "gcj02" when drawn over such tiles, else the stored "wgs84".
        "crs": tiles.GCJ02 if convert else tiles.WGS84,
    }


def _people_layers(actor: User, paths: list[str], now: dt.datetime) -> dict[str, dict[str, int]]:
    """Per area, the base-data counts the actor may see: key persons (need-to-know: counts for leaders, the centre
    and grid leaders covering the area) and rentals, organisations, hazards and protective facilities."""
    out: dict[str, dict[str, int]] = {p: {} for p in paths}
    for path, row in people.key_person_counts(actor=actor, paths=paths, now=now).items():
        out[path].update(key_persons=row["total"], key_overdue=row["overdue"])
    for path, counts in people_selectors.layer_counts(actor=actor, paths=paths).items():
        out[path].update(counts)
    return out


def _points(
    *, actor: User, node: GridNode, items: list[dict[str, Any]], now: dt.datetime, convert: Convert | None = None
) -> dict[str, Any]:
    """Open events as points; above the community level, one bubble per child (aggregated), since they are many.

    The aggregated bubbles sit on the children's centroids, which are already converted."""
    if node.level < Level.COMMUNITY:
        return {
            "mode": "aggregated",
            "items": [
                {
                    "name": i["name"],
                    "code": i["code"],
                    "value": [*i["centroid"], i["figures"]["open"]],
                    "red": i["figures"]["red"],
                    "orange": i["figures"]["orange"],
                }
                for i in items
                if i["figures"]["open"] and i["centroid"][0] is not None
            ],
        }
    qs = with_colour(
        scoping.scope(Event.objects.filter(state__in=OPEN_STATES, grid_path__startswith=node.path), actor), now
    ).filter(lon__isnull=False)
    rows = qs.order_by(
        "urgency", "due_at"
    ).values(  # type: ignore[misc]
        "tracking_code", "lon", "lat", "colour", "state", "category__name", "reported_at"
    )[:POINT_LIMIT]
    return {
        "mode": "events",
        "items": [
            {
                "code": r["tracking_code"],
                "value": _point(r["lon"], r["lat"], convert),
                "colour": r["colour"],
                "state": str(STATES.get(r["state"], r["state"])),
                "category": r["category__name"] or "",
                "url": reverse("events:detail", args=[r["tracking_code"]]),
            }
            for r in rows
        ],
    }


def live_feed(*, actor: User, node: GridNode, limit: int = 12, now: dt.datetime | None = None) -> QuerySet[Event]:
    """The newest events under the node (last 7 days), newest first, each with its colour."""
    now = now or timezone.now()
    qs = visible_events(actor=actor).filter(
        grid_path__startswith=node.path, reported_at__gte=now - dt.timedelta(days=7)
    )
    return with_colour(qs, now).select_related("category", "grid").order_by("-reported_at")[:limit]


COLOUR_LABELS = {c.value: str(label) for c, label in sla.COLOUR_LABELS.items()}
