"""Helpers for the referral tests: a referring body with its API key, a hand-in body, and a case walked to the
court's judicial confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from fengqiao.disputes import referrals, services
from fengqiao.disputes.models import Party, Referrer, Source
from tests.disputes.conftest import APPLICANT_ID, RESPONDENT_ID, RESPONDENT_PHONE, T0

H = dt.timedelta(hours=1)
URL = "/api/v1/disputes/handins"


def make_referrer(
    tree: dict,
    *,
    name: str = "金水区人民法院甲街道法庭",
    source: str = Source.COURT,
    node: str = "410105001",
    **extra: Any,
) -> tuple[Referrer, str]:
    referrer = Referrer.objects.create(name=name, source=source, node=tree[node], **extra)
    return referrer, referrals.issue_api_key(actor=None, referrer=referrer)


def body(ref: str = "(2024)豫0105民诉前调101号", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_ref": ref,
        "type": "neighbours",
        "summary": "楼上邻居装修噪音扰民，起诉前委派调解。",
        "parties": [
            {"role": "applicant", "name": "张三", "phone": "13800138000", "id_number": APPLICANT_ID},
            {"role": "respondent", "name": "李四", "phone": RESPONDENT_PHONE, "id_number": RESPONDENT_ID},
        ],
        "grid": "410105001001001",
    }
    data.update(extra)
    return data


def post(key: str, data: dict[str, Any], url: str = URL) -> Any:
    return Client().post(url, data, content_type="application/json", HTTP_X_API_KEY=key)


def hand_in(referrer: Referrer, ref: str = "R-1", *, phone: str = "13800138000", now: dt.datetime = T0) -> Any:
    parties = [
        services.PartyData(role=Party.Role.APPLICANT, name="张三", phone=phone),
        services.PartyData(role=Party.Role.RESPONDENT, name="李四"),
    ]
    data = referrals.HandIn(
        source_ref=ref,
        type_code="neighbours",
        summary="楼上邻居装修噪音扰民，委派调解。",
        parties=parties,
        grid_code="410105001001001",
    )
    dispute, _created = referrals.hand_in(referrer=referrer, data=data, now=now)
    return dispute


def to_confirming(dispute: Any, centre: Any, mediator: Any, now: dt.datetime = T0) -> Any:
    services.register(actor=centre, dispute=dispute, now=now + H)
    services.assign(actor=centre, dispute=dispute, mediator=mediator, now=now + 2 * H)
    services.accept(actor=mediator.user, dispute=dispute, now=now + 3 * H)
    services.record_session(
        actor=mediator.user,
        dispute=dispute,
        held_at=now + 4 * H,
        place="甲社区调解室",
        participants="张三、李四、孙调解",
        notes="双方陈述，约定夜间不施工。",
        now=now + 5 * H,
    )
    services.draft_agreement(
        actor=mediator.user, dispute=dispute, facts="噪音", terms="夜间不施工", performance="即日起"
    )
    services.resolve(actor=mediator.user, dispute=dispute, result="双方达成协议", now=now + 6 * H)
    services.request_confirmation(actor=mediator.user, dispute=dispute, now=now + 7 * H)
    return dispute
