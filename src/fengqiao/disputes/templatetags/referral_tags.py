"""What the case page shows of a referral: the sender, its reference, the feedback deliveries, the duplicate flag."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.disputes import referrals
from fengqiao.disputes.models import Dispute
from fengqiao.disputes.workflow import centre

register = template.Library()


@register.simple_tag(takes_context=True)
def referral_info(context: Any, dispute: Dispute) -> dict[str, Any]:
    user = context["request"].user
    return {
        "referrer": dispute.referrer,
        "feedbacks": referrals.feedback_status(dispute) if dispute.referrer_id else [],
        "duplicate": referrals.duplicate_flag(actor=user, dispute=dispute),
        "is_centre": centre(user, dispute),
        "labels": referrals.EVENT_LABELS,
    }


@register.filter
def event_label(event: str) -> str:
    return str(referrals.EVENT_LABELS.get(event, event))
