"""Event endpoints of the native API: report, read, act, and the category suggester."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.security import APIKeyHeader, django_auth

from fengqiao.accounts.models import Department
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import ratelimit
from fengqiao.core.errors import DomainError, ErrorOut, NotFound
from fengqiao.core.paging import PageQuery
from fengqiao.events import selectors, services, suggest
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import ApiClient, Category, Event, Source

router = Router(tags=["events"])


class ApiKey(APIKeyHeader):
    """Machine clients (other systems) post with ``X-API-Key``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient | None:
        if not key:
            return None  # no key: fall through to the signed-in session
        client = ApiClient.for_key(key)
        if client is None:
            raise BadApiKey(_("API 密钥无效或已停用。"), code=EventErrorCode.BAD_API_KEY)
        return client


class BadApiKey(DomainError):
    status = 401


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    tier: str
    requires_acceptance: bool


class SuggestIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class SuggestionOut(Schema):
    code: str
    name: str
    confidence: float


class ReportIn(Schema):
    description: str = Field(..., min_length=2, max_length=2000)
    category: str | None = Field(None, description="leaf category code")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    grid: str | None = Field(None, description="grid code, when there is no position")
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    external_id: str = Field("", max_length=64)


class EventOut(Schema):
    tracking_code: str
    state: str
    state_label: str
    colour: str | None = None
    category: str | None
    category_name: str | None
    source: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    grid_code: str
    grid_name: str
    lead_department: str | None
    reported_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    stars: int | None

    @staticmethod
    def of(event: Event) -> EventOut:
        from fengqiao.events.workflow import STATES

        return EventOut(
            tracking_code=event.tracking_code,
            state=event.state,
            state_label=str(STATES.get(event.state, event.state)),
            colour=getattr(event, "colour", None),
            category=event.category.code if event.category else None,
            category_name=event.category.name if event.category else None,
            source=event.source,
            description=event.description,
            address=event.address,
            lon=event.lon,
            lat=event.lat,
            grid_code=event.grid.code,
            grid_name=event.grid.name,
            lead_department=event.lead_department.name if event.lead_department else None,
            reported_at=event.reported_at,
            due_at=event.due_at,
            closed_at=event.closed_at,
            stars=event.stars,
        )


class ActionIn(Schema):
    note: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    acceptance: str = Field("", max_length=2000)
    category: str | None = None
    department: int | None = None
    co_departments: list[int] = []
    into: str | None = None
    skip: bool = False
    stars: int | None = None


class TimelineOut(Schema):
    at: dt.datetime
    actor: str
    verb: str
    from_state: str
    to_state: str
    note: str


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = selectors.leaf_category(code)
    if category is None:
        raise DomainError(_("分类 %(code)s 不存在或不是小类。") % {"code": code}, code=EventErrorCode.BAD_CATEGORY)
    return category


def _event(request: AuthenticatedRequest, code: str) -> Event:
    ratelimit.check_lookup(request)
    try:
        return selectors.event_detail(actor=request.user, code=code)
    except Event.DoesNotExist:
        raise NotFound(_("事件 %(code)s 不存在。") % {"code": code}) from None


@router.get("/categories", response=list[CategoryOut], auth=None, summary="Leaf categories of the catalogue")
def categories(request: HttpRequest) -> list[CategoryOut]:
    return [
        CategoryOut(
            code=c.code,
            name=c.name,
            group=c.parent.name if c.parent else "",
            tier=c.tier,
            requires_acceptance=c.requires_acceptance,
        )
        for c in selectors.leaf_categories()
    ]


@router.post(
    "/suggest", response=list[SuggestionOut], auth=None, url_name="suggest_category", summary="Suggest a category"
)
def suggest_category(request: HttpRequest, body: SuggestIn) -> list[SuggestionOut]:
    return [
        SuggestionOut(code=s.code, name=s.name, confidence=round(s.confidence, 3)) for s in suggest.suggest(body.text)
    ]


@router.post(
    "",
    response={201: EventOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    auth=[ApiKey(), django_auth],  # the key first: session auth insists on a CSRF token
    summary="Report an event",
)
def report(
    request: HttpRequest, body: ReportIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> tuple[int, EventOut]:
    from fengqiao.grids.models import GridNode

    caller = getattr(request, "auth", None)
    ratelimit.check(
        request, "api-report", settings.FENGQIAO_RATE_API, key=f"{type(caller).__name__}:{getattr(caller, 'pk', '')}"
    )
    grid = GridNode.objects.filter(code=body.grid).first() if body.grid else None
    if body.grid and grid is None:
        raise DomainError(_("网格 %(code)s 不存在。") % {"code": body.grid}, code=EventErrorCode.BAD_GRID)
    machine = isinstance(getattr(request, "auth", None), ApiClient)
    event = services.report_event(
        actor=None if machine or not request.user.is_authenticated else request.user,
        source=Source.API,
        description=body.description,
        category=_category(body.category),
        lon=body.lon,
        lat=body.lat,
        grid=grid,
        address=body.address,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        idempotency_key=idempotency_key,
        # The key belongs to whoever sent it: this client, or (for a session) the signed-in user.
        caller=f"client:{caller.pk}" if machine and caller is not None else None,
        external_id=body.external_id,
    )
    return 201, EventOut.of(event)


class ListFilters(PageQuery):
    state: str = ""
    colour: str = ""
    category: str = ""
    grid: str = ""
    source: str = ""
    open_only: bool = False
    # 四事分办: for a dispatcher, "own" lists what their own centre owns (本级待办); "all" the whole jurisdiction.
    scope: str = "own"


@router.get("", response=list[EventOut], summary="Events in the caller's jurisdiction, most urgent first")
def list_events(request: AuthenticatedRequest, filters: Query[ListFilters]) -> list[EventOut]:
    f = selectors.QueueFilters(
        state=filters.state,
        colour=filters.colour,
        category=filters.category,
        grid=filters.grid,
        source=filters.source,
        open_only=filters.open_only,
        scope=filters.scope,
    )
    rows = filters.page(selectors.event_queue(actor=request.user, filters=f))
    return [EventOut.of(e) for e in rows]


@router.get("/{code}", response={200: EventOut, 403: ErrorOut, 404: ErrorOut}, summary="One event")
def detail(request: AuthenticatedRequest, code: str) -> EventOut:
    return EventOut.of(_event(request, code))


@router.get("/{code}/timeline", response={200: list[TimelineOut], 403: ErrorOut, 404: ErrorOut})
def event_timeline(request: AuthenticatedRequest, code: str) -> list[TimelineOut]:
    return [
        TimelineOut(at=a.at, actor=a.actor_name, verb=a.verb, from_state=a.from_state, to_state=a.to_state, note=a.note)
        for a in selectors.timeline(_event(request, code))
    ]


ACTIONS: dict[str, Any] = {
    "register": lambda r, e, b: services.register_event(
        actor=r.user, event=e, category=_category(b.category), note=b.note
    ),
    "reject": lambda r, e, b: services.reject_event(actor=r.user, event=e, note=b.note),
    "merge": lambda r, e, b: services.merge_event(actor=r.user, event=e, into=_event(r, b.into or ""), note=b.note),
    "handle_in_grid": lambda r, e, b: services.handle_in_grid(actor=r.user, event=e, result=b.result),
    "route": lambda r, e, b: services.route_event(
        actor=r.user,
        event=e,
        department=_department(b.department),
        co_departments=list(Department.objects.filter(pk__in=b.co_departments)),
        note=b.note,
    ),
    "sign": lambda r, e, b: services.sign_event(actor=r.user, event=e, note=b.note),
    "return": lambda r, e, b: services.return_event(actor=r.user, event=e, note=b.note),
    "start": lambda r, e, b: services.start_event(actor=r.user, event=e, note=b.note),
    "handle": lambda r, e, b: services.handle_event(actor=r.user, event=e, result=b.result),
    "escalate": lambda r, e, b: services.escalate_event(actor=r.user, event=e, note=b.note, skip=b.skip),
    "verify": lambda r, e, b: services.verify_event(actor=r.user, event=e, acceptance=b.acceptance, note=b.note),
    "close": lambda r, e, b: services.close_event(actor=r.user, event=e, note=b.note),
    "reopen": lambda r, e, b: services.reopen_event(actor=r.user, event=e, note=b.note),
    "revisit": lambda r, e, b: services.record_revisit(actor=r.user, event=e, note=b.note),
    "supervise": lambda r, e, b: services.supervise_event(actor=r.user, event=e, note=b.note),
}


def _department(pk: int | None) -> Department:
    dept = Department.objects.filter(pk=pk).first() if pk else None
    if dept is None:
        raise DomainError(_("请选择责任部门。"), code=EventErrorCode.DEPARTMENT_REQUIRED)
    return dept


@router.post(
    "/{code}/actions/{name}",
    response={200: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Apply one step of the closed loop",
)
def act(request: AuthenticatedRequest, code: str, name: str, body: ActionIn) -> EventOut:
    handler = ACTIONS.get(name)
    if handler is None:
        raise NotFound(_("未定义的操作：%(name)s") % {"name": name}, code=EventErrorCode.UNKNOWN_ACTION)
    event = _event(request, code)
    handler(request, event, body)
    return EventOut.of(selectors.event_detail(actor=request.user, code=code))
