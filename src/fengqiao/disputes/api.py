"""矛盾纠纷 endpoints of the native API: the queue, a case, the suggestion, assignment and mediator steps,
and the public tracking read (no login)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import ratelimit
from fengqiao.core.errors import ErrorOut, NotFound
from fengqiao.core.paging import PageQuery
from fengqiao.disputes import selectors, services
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Dispute, Mediator

router = Router(tags=["disputes"])


class DisputeOut(Schema):
    tracking_code: str
    state: str
    state_label: str
    colour: str = ""
    flag: str = ""
    type: str
    type_name: str
    source: str
    summary: str
    risk: str
    is_group: bool
    people_involved: int
    grid: str
    tier: int
    tier_name: str
    mediator: str | None
    entered_at: dt.datetime
    assign_due_at: dt.datetime | None
    update_due_at: dt.datetime | None
    close_due_at: dt.datetime | None

    @staticmethod
    def from_dispute(d: Dispute) -> dict[str, Any]:
        return {
            "tracking_code": d.tracking_code,
            "state": d.state,
            "state_label": d.state_label,
            "colour": getattr(d, "colour", ""),
            "flag": getattr(d, "flag", ""),
            "type": d.type.code,
            "type_name": d.type.name,
            "source": d.source,
            "summary": d.summary,
            "risk": d.risk,
            "is_group": d.is_group,
            "people_involved": d.people_involved,
            "grid": d.grid.code,
            "tier": d.tier,
            "tier_name": d.tier_name,
            "mediator": d.mediator.user.display_name if d.mediator else None,
            "entered_at": d.entered_at,
            "assign_due_at": d.assign_due_at,
            "update_due_at": d.update_due_at,
            "close_due_at": d.close_due_at,
        }


class QueueQuery(PageQuery):
    state: str = ""
    type: str = ""
    colour: str = ""
    flag: str = ""
    risk: str = ""
    q: str = Field("", max_length=100)


class SuggestionOut(Schema):
    mediator_id: int
    name: str
    organisation: str
    caseload: int
    reason: str


class AssignIn(Schema):
    mediator_id: int
    note: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class StageOut(Schema):
    label: str
    at: dt.datetime
    note: str


class TrackingOut(Schema):
    tracking_code: str
    state: str
    state_label: str
    type_name: str
    stages: list[StageOut]


def _detail(request: AuthenticatedRequest, code: str) -> Dispute:
    ratelimit.check_lookup(request)
    try:
        return selectors.dispute_detail(actor=request.user, code=code)
    except Dispute.DoesNotExist:
        raise NotFound(_("找不到该纠纷。")) from None


@router.get("/", response=list[DisputeOut], summary="Disputes in the caller's jurisdiction, most urgent first")
def list_disputes(request: AuthenticatedRequest, query: Query[QueueQuery]) -> list[dict[str, Any]]:
    if query.q:
        ratelimit.check_lookup(request)  # a search by code
    filters = selectors.QueueFilters(
        state=query.state, type=query.type, colour=query.colour, flag=query.flag, risk=query.risk, q=query.q
    )
    rows = query.page(selectors.dispute_queue(actor=request.user, filters=filters))
    return [DisputeOut.from_dispute(d) for d in rows]


@router.get(
    "/track/{code}",
    response={200: TrackingOut, 404: ErrorOut},
    auth=None,
    summary="Public progress of a dispute by its tracking code",
)
def track(request: HttpRequest, code: str) -> Any:
    ratelimit.check(request, "track", settings.FENGQIAO_RATE_TRACK)
    try:
        dispute, stages = selectors.public_tracking(code=code)
    except Dispute.DoesNotExist:
        raise NotFound(_("没有找到该查询码。")) from None
    return {
        "tracking_code": dispute.tracking_code,
        "state": dispute.state,
        "state_label": dispute.state_label,
        "type_name": dispute.type.name,
        "stages": [{"label": s.label, "at": s.at, "note": s.note} for s in stages],
    }


@router.get("/{code}", response={200: DisputeOut, 403: ErrorOut, 404: ErrorOut}, summary="One dispute")
def get_dispute(request: AuthenticatedRequest, code: str) -> Any:
    return DisputeOut.from_dispute(_detail(request, code))


@router.get("/{code}/suggestions", response={200: list[SuggestionOut], 403: ErrorOut, 404: ErrorOut})
def suggestions(request: AuthenticatedRequest, code: str) -> Any:
    dispute = _detail(request, code)
    return [
        {
            "mediator_id": s.mediator.pk,
            "name": s.mediator.user.display_name,
            "organisation": s.mediator.organisation.name,
            "caseload": s.caseload,
            "reason": s.reason,
        }
        for s in selectors.suggest_mediators(dispute=dispute)
    ]


@router.post("/{code}/assign", response={200: DisputeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def assign(request: AuthenticatedRequest, code: str, body: AssignIn) -> Any:
    dispute = _detail(request, code)
    mediator = Mediator.objects.select_related("user", "organisation").filter(pk=body.mediator_id).first()
    if mediator is None:
        raise NotFound(_("找不到该调解员。"), code=DisputeErrorCode.MEDIATOR_NOT_FOUND)
    services.assign(actor=request.user, dispute=dispute, mediator=mediator, note=body.note)
    return DisputeOut.from_dispute(_detail(request, code))


@router.post("/{code}/accept", response={200: DisputeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def accept(request: AuthenticatedRequest, code: str, body: NoteIn) -> Any:
    services.accept(actor=request.user, dispute=_detail(request, code), note=body.note)
    return DisputeOut.from_dispute(_detail(request, code))


@router.post("/{code}/decline", response={200: DisputeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def decline(request: AuthenticatedRequest, code: str, body: NoteIn) -> Any:
    services.decline(actor=request.user, dispute=_detail(request, code), reason=body.note)
    return DisputeOut.from_dispute(_detail(request, code))
