"""矛盾纠纷 endpoints of the native API: the queue, a case, the suggestion, assignment and mediator steps,
and the public tracking read (no login)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import ratelimit
from fengqiao.core.errors import CoreErrorCode, DomainError, ErrorOut, NotFound
from fengqiao.core.paging import PageQuery
from fengqiao.disputes import referrals, selectors, services
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Dispute, Mediator, Referrer

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


class ReferrerKey(APIKeyHeader):
    """A referring body's system (court, police, petition office, hotline, procuratorate) posts with ``X-API-Key``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Referrer | None:
        referrer = referrals.referrer_for_key(key)
        if key and referrer is None:
            raise BadReferrerKey(_("API 密钥无效或已停用。"), code=CoreErrorCode.UNAUTHENTICATED)
        return referrer


class BadReferrerKey(DomainError):
    status = 401


class PartyIn(Schema):
    role: Literal["applicant", "respondent"]
    kind: Literal["person", "organisation"] = "person"
    name: str = Field(..., min_length=1, max_length=100)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)


class HandInIn(Schema):
    source_ref: str = Field(..., min_length=1, max_length=64, description="the sender's own reference number")
    type: str = Field(..., max_length=20, description="dispute type code")
    summary: str = Field(..., min_length=5, max_length=2000)
    claim: str = Field("", max_length=2000)
    amount: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2)
    people_involved: int = Field(2, ge=1, le=100000)
    parties: list[PartyIn] = Field(..., min_length=2, max_length=50)
    grid: str = Field("", max_length=32, description="grid code; or give lon/lat")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    address: str = Field("", max_length=200)


class HandInOut(Schema):
    tracking_code: str
    source: str
    source_ref: str
    state: str
    state_label: str
    confirmation_outcome: str

    @staticmethod
    def of(d: Dispute) -> dict[str, Any]:
        return {
            "tracking_code": d.tracking_code,
            "source": d.source,
            "source_ref": d.source_ref,
            "state": d.state,
            "state_label": d.state_label,
            "confirmation_outcome": d.confirmation_outcome,
        }


class ConfirmationIn(Schema):
    outcome: str = Field(..., min_length=2, max_length=2000)


def _referrer(request: HttpRequest) -> Referrer:
    referrer = getattr(request, "auth", None)
    assert isinstance(referrer, Referrer)
    ratelimit.check(request, "api-handin", settings.FENGQIAO_RATE_API, key=f"referrer:{referrer.pk}")
    return referrer


@router.post(
    "/handins",
    response={200: HandInOut, 201: HandInOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=[ReferrerKey()],
    summary="A referring body hands a case in under its own reference (the same reference again: the same case)",
)
def hand_in(request: HttpRequest, body: HandInIn) -> Any:
    referrer = _referrer(request)
    data = referrals.HandIn(
        source_ref=body.source_ref,
        type_code=body.type,
        summary=body.summary,
        claim=body.claim,
        amount=body.amount,
        people_involved=body.people_involved,
        parties=[
            services.PartyData(
                role=p.role, kind=p.kind, name=p.name, phone=p.phone, id_number=p.id_number, address=p.address
            )
            for p in body.parties
        ],
        grid_code=body.grid,
        lon=body.lon,
        lat=body.lat,
        address=body.address,
    )
    dispute, created = referrals.hand_in(referrer=referrer, data=data)
    return (201 if created else 200), HandInOut.of(dispute)


@router.post(
    "/handins/{source_ref}/confirmation",
    response={200: HandInOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=[ReferrerKey()],
    summary="The referring court sends back the judicial confirmation outcome of its case",
)
def court_confirmation(request: HttpRequest, source_ref: str, body: ConfirmationIn) -> Any:
    referrer = _referrer(request)
    dispute = referrals.court_confirmation(referrer=referrer, source_ref=source_ref, outcome=body.outcome)
    return HandInOut.of(dispute)


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
