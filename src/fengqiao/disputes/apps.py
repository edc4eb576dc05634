from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_see_dispute_attachments(actor: Any, object_id: str) -> bool:
    """Evidence of a case (it may show ID cards): whoever may open the case itself."""
    from fengqiao.disputes.selectors import visible_disputes

    return object_id.isdigit() and visible_disputes(actor=actor).filter(pk=int(object_id)).exists()


def may_see_agreement_attachments(actor: Any, object_id: str) -> bool:
    """Signed agreement scans (names, ID numbers, signatures): whoever may open the agreement's case."""
    from fengqiao.disputes.models import Agreement
    from fengqiao.disputes.selectors import visible_disputes

    if not object_id.isdigit():
        return False
    cases = visible_disputes(actor=actor).values("pk")
    return Agreement.objects.filter(pk=int(object_id), dispute_id__in=cases).exists()


def metric_lines() -> list[str]:
    """/metrics: dispute cases ever entered (a count only)."""
    from fengqiao.core.monitoring import sample
    from fengqiao.disputes.models import Dispute

    return sample("fengqiao_disputes_total", "counter", "Dispute cases ever entered.", Dispute.objects.count())


def cases_naming(id_index: str, actor: Any) -> list[Any]:
    """core.links: the disputes whose parties carry this ID hash, as far as the actor may see them."""
    from django.urls import reverse

    from fengqiao.core.links import CaseLink
    from fengqiao.disputes.selectors import visible_disputes
    from fengqiao.disputes.workflow import OPEN_STATES

    rows = visible_disputes(actor=actor).filter(parties__id_index=id_index).select_related("type").distinct()
    return [
        CaseLink(
            label=f"{_('矛盾纠纷')} {d.tracking_code} {d.type.name}",
            url=reverse("disputes:detail", args=[d.tracking_code]),
            open=d.state in OPEN_STATES,
        )
        for d in rows.order_by("-entered_at")[:50]
    ]


def open_cases_naming(id_index: str) -> int:
    """core.links: how many open disputes name this ID hash, whoever may see them (erasure and retention ask)."""
    from fengqiao.disputes.models import Dispute
    from fengqiao.disputes.workflow import OPEN_STATES

    return Dispute.objects.filter(parties__id_index=id_index, state__in=OPEN_STATES).distinct().count()


class DisputesConfig(AppConfig):
    name = "fengqiao.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷")

    def ready(self) -> None:
        from fengqiao.core import media, monitoring

        media.register("disputes.Dispute", may_see_dispute_attachments)
        # The verbs of a case's history are labelled in its workflow table, which registers them with core.audit.
        import_module("fengqiao.disputes.workflow")
        from fengqiao.core import audit

        audit.register_verbs(
            {
                "reveal_pii": _("查看完整个人信息"),
                "import_mediator": _("导入调解员"),
            }
        )
        media.register("disputes.Agreement", may_see_agreement_attachments)
        monitoring.register("disputes", metric_lines)
        import fengqiao.disputes.clocks  # noqa: F401  (declares the dispute clocks to core.deadlines)
        from fengqiao.core import conversions
        from fengqiao.disputes.services import enter_from_event

        conversions.register("event_to_dispute", enter_from_event)
        from fengqiao.core import periodic
        from fengqiao.disputes import referrals

        periodic.register("disputes.referral_feedback", 30, referrals.deliver_due)  # outcomes back to the senders
        from fengqiao.core import links

        links.register("disputes", cases=cases_naming, open_count=open_cases_naming)  # the person page's 事
