"""Open311 GeoReport v2 beside the native API, so existing Open311 apps can file and read events.

Formats: ``.json`` and ``.xml``. Posting needs an ``api_key`` (an :class:`ApiClient`). Reading is open, as the
standard expects, but only for categories explicitly marked public (none is by default, and people's matters never
are). A request is known by its own random ``public_id``, never by the tracking code its reporter holds; a response
carries no reporter, no handler's or internal note, a position rounded to about 100 m and only the community's
name for an address. Errors are ``[{"code": …, "description": …}]``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from fengqiao.core import ratelimit
from fengqiao.core.errors import DomainError
from fengqiao.events import services
from fengqiao.events.models import ApiClient, Category, Event, Source
from fengqiao.events.workflow import STATES, TERMINAL_STATES
from fengqiao.grids.models import GridNode, Level

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
COORDINATE_DECIMALS = 3  # 0.001° is about 110 m: enough to find the street, not the door
# Runs of digits long enough to be a phone, ID or house number a reporter typed into the description.
DIGITS = re.compile(r"\d[\d\s-]{5,}\d")


def _xml(root_name: str, item_name: str, items: list[dict[str, Any]]) -> bytes:
    root = ET.Element(root_name)
    for item in items:
        node = ET.SubElement(root, item_name)
        for key, value in item.items():
            child = ET.SubElement(node, key)
            if isinstance(value, list):
                for entry in value:
                    sub = ET.SubElement(child, "attribute")
                    for k, v in entry.items():
                        ET.SubElement(sub, k).text = "" if v is None else str(v)
            else:
                child.text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _respond(fmt: str, root: str, item: str, items: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root, item, items), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(items, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _respond(fmt, "errors", "error", [{"code": status, "description": description}], status=status)


def _bad_format(fmt: str) -> HttpResponse | None:
    if fmt not in ("json", "xml"):
        return _error("json", 404, _("不支持的格式：%(f)s（支持 json、xml）") % {"f": fmt})
    return None


def _service(cat: Category) -> dict[str, Any]:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": cat.keywords.splitlines()[0] if cat.keywords else cat.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(cat.keywords.splitlines()[:5]),
        "group": cat.parent.name if cat.parent else "",
    }


def _public_categories() -> Any:
    return Category.objects.filter(active=True, public=True, parent__isnull=False).select_related("parent")


@csrf_exempt  # an API for other systems: no cookies, no sessions
@require_GET
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if (bad := _bad_format(fmt)) is not None:
        return bad
    return _respond(fmt, "services", "service", [_service(c) for c in _public_categories().order_by("code")])


@csrf_exempt
@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if (bad := _bad_format(fmt)) is not None:
        return bad
    if not _public_categories().filter(code=code).exists():
        return _error(fmt, 404, _("服务代码 %(c)s 不存在。") % {"c": code})
    item = {"service_code": code, "attributes": []}
    if fmt == "xml":
        body = _xml("service_definition", "x", [item]).replace(b"<x>", b"").replace(b"</x>", b"")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return JsonResponse(item, json_dumps_params={"ensure_ascii": False})


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def _areas(events: list[Event]) -> dict[str, str]:
    """Each event's street and community names, its address to the public: one query for the whole page."""
    paths = {event.grid_path: event.grid_path.split("/") for event in events}
    codes = {code for parts in paths.values() for code in parts}
    names = dict(
        GridNode.objects.filter(code__in=codes, level__in=(Level.STREET, Level.COMMUNITY)).values_list("code", "name")
    )
    return {path: "".join(names[c] for c in parts if c in names) for path, parts in paths.items()}


def _request_item(event: Event, area: str = "") -> dict[str, Any]:
    closed = event.state in TERMINAL_STATES
    return {
        "service_request_id": event.public_id,
        "status": "closed" if closed else "open",
        # The stage only: results, reasons and notes are written for the office, often with names in them.
        "status_notes": str(STATES.get(event.state, "")) if closed else "",
        "service_name": event.category.name if event.category else "",
        "service_code": event.category.code if event.category else "",
        "description": DIGITS.sub("***", event.description),
        "agency_responsible": event.lead_department.name if event.lead_department else "",
        "service_notice": "",
        "requested_datetime": timezone.localtime(event.reported_at).isoformat(),
        "updated_datetime": timezone.localtime(event.updated_at).isoformat(),
        "expected_datetime": timezone.localtime(event.due_at).isoformat() if event.due_at else "",
        "address": area,
        "address_id": "",
        "zipcode": "",
        "lat": _rounded(event.lat),
        "long": _rounded(event.lon),
        "media_url": "",
    }


def _public_events() -> Any:
    return Event.objects.filter(category__public=True, category__active=True, merged_into__isnull=True).select_related(
        "category", "lead_department"
    )


def _items(events: Any) -> list[dict[str, Any]]:
    rows = list(events)
    areas = _areas(rows)
    return [_request_item(e, areas.get(e.grid_path, "")) for e in rows]


def _parse_date(value: str) -> dt.datetime | None:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@csrf_exempt
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if (bad := _bad_format(fmt)) is not None:
        return bad
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        return _error(fmt, 405, _("不支持的请求方法。"))
    params = request.GET
    qs = _public_events()
    ids = [i.strip().lower() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(public_id__in=ids[:MAX_RESULTS])
    else:
        if params.get("service_code"):
            qs = qs.filter(category__code__in=params["service_code"].split(","))
        start = _parse_date(params.get("start_date", ""))
        end = _parse_date(params.get("end_date", ""))
        if (params.get("start_date") and start is None) or (params.get("end_date") and end is None):
            return _error(fmt, 400, _("日期格式错误，应为 W3C 格式，例如 2026-11-24T08:00:00+08:00。"))
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(reported_at__gte=start)
        if end is not None:
            qs = qs.filter(reported_at__lte=end)
        status = params.get("status", "")
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                return _error(fmt, 400, _("status 只能是 open 或 closed。"))
            if wanted == {"open"}:
                qs = qs.exclude(state__in=TERMINAL_STATES)
            elif wanted == {"closed"}:
                qs = qs.filter(state__in=TERMINAL_STATES)
    return _respond(fmt, "service_requests", "request", _items(qs.order_by("-reported_at")[:MAX_RESULTS]))


@csrf_exempt
@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if (bad := _bad_format(fmt)) is not None:
        return bad
    events = _public_events().filter(public_id=request_id.strip().lower())[:1]
    items = _items(events)
    if not items:
        return _error(fmt, 404, _("服务请求 %(id)s 不存在。") % {"id": request_id})
    return _respond(fmt, "service_requests", "request", items)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    client = ApiClient.for_key(data.get("api_key", ""))
    if client is None:
        return _error(fmt, 403, _("api_key 无效或缺失。"))
    try:
        ratelimit.check(request, "open311", settings.FENGQIAO_RATE_API, key=str(client.pk))
    except ratelimit.RateLimited as exc:
        return _error(fmt, 429, exc.message)
    code = data.get("service_code", "")
    category = _public_categories().filter(code=code).first()
    if category is None:
        return _error(fmt, 400, _("service_code 缺失或不存在：%(c)s") % {"c": code})
    lat, lon = data.get("lat"), data.get("long")
    if not (lat and lon) and not data.get("address_string") and not data.get("address_id"):
        return _error(fmt, 400, _("必须提供位置：lat 与 long，或 address_string。"))
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p)
    try:
        event = services.report_event(
            actor=None,
            source=Source.OPEN311,
            description=data.get("description", ""),
            category=category,
            lon=lon or None,
            lat=lat or None,
            address=data.get("address_string", ""),
            reporter_name=name,
            reporter_phone=data.get("phone", ""),
            # GeoReport v2 has no idempotency key (device_id and account_id name the app user, not the request).
        )
    except DomainError as exc:
        return _error(fmt, 400, exc.message)
    # Open311's own id: the tracking code stays with residents and never reaches another system.
    item = {"service_request_id": event.public_id, "service_notice": "", "account_id": data.get("account_id", "")}
    return _respond(fmt, "service_requests", "request", [item], status=201)
