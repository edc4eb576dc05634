"""The gate API (门禁对接): an estate's gate controller asks whether a code a tenant shows opens it, and learns which
credentials were revoked, authenticated by its own ``X-API-Key``.

The controller never holds a digest or a key of the platform's: it sends the code it scanned and gets a yes or no.
A gate answers only for credentials of its own subtree of the grid tree, so one estate's key opens no other door.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from fengqiao.core import ratelimit
from fengqiao.core.errors import CoreErrorCode, DomainError, ErrorOut
from fengqiao.people import rentals
from fengqiao.people.models import Gate

router = Router(tags=["people"])


class GateKey(APIKeyHeader):
    """A gate controller calls with ``X-API-Key`` (issued once when the gate is registered; only its digest kept)."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Gate | None:
        gate = rentals.gate_for_key(key)
        if key and gate is None:
            raise BadGateKey(_("门禁接口密钥无效或已停用。"), code=CoreErrorCode.UNAUTHENTICATED)
        return gate


class BadGateKey(DomainError):
    status = 401


def _gate(request: HttpRequest) -> Gate:
    gate = getattr(request, "auth", None)
    assert isinstance(gate, Gate)
    ratelimit.check(request, "api-gate", settings.FENGQIAO_RATE_API, key=f"gate:{gate.pk}")
    return gate


class CheckIn(Schema):
    code: str = Field(..., min_length=1, max_length=100, description="the code the tenant showed (QR or typed)")
    direction: Literal["in", "out"] = Field(..., description="in: entering the estate; out: leaving it")


class CheckOut(Schema):
    allowed: bool
    credential: int | None = Field(None, description="the credential's id, to match later revocations")


@router.post(
    "/gate/check",
    response={200: CheckOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=[GateKey()],
    summary="A gate asks whether a tenant's code opens it; an allowed passage is recorded",
)
def gate_check(request: HttpRequest, body: CheckIn) -> Any:
    gate = _gate(request)
    answer = rentals.check_passage(gate=gate, code=body.code, direction=body.direction)
    return {"allowed": answer.allowed, "credential": answer.credential}


class RevocationsQuery(Schema):
    since: dt.datetime = Field(..., description="ISO 8601; revocations after this moment, oldest first")


class RevocationOut(Schema):
    credential: int
    revoked_at: dt.datetime
    reason: str


@router.get(
    "/gate/revocations",
    response={200: list[RevocationOut], 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=[GateKey()],
    summary="Credentials of the gate's estate revoked since a moment (at most 1000; page by the last revoked_at)",
)
def gate_revocations(request: HttpRequest, query: Query[RevocationsQuery]) -> Any:
    gate = _gate(request)
    return [
        {"credential": c.pk, "revoked_at": c.revoked_at, "reason": c.revoke_reason}
        for c in rentals.revocations_for(gate=gate, since=query.since)
    ]
