from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def cases_naming(id_index: str, actor: Any) -> list[Any]:
    """core.links: the petitions whose petitioner carries this ID hash, as far as the actor may see them."""
    from django.urls import reverse

    from fengqiao.core.links import CaseLink
    from fengqiao.petitions.selectors import visible_petitions
    from fengqiao.petitions.workflow import OPEN_STATES

    rows = visible_petitions(actor=actor).filter(id_index=id_index).order_by("-registered_at")[:50]
    return [
        CaseLink(
            label=f"{_('信访件')} {p.tracking_code} {p.get_category_display()}",
            url=reverse("petitions:detail", args=[p.tracking_code]),
            open=p.state in OPEN_STATES,
        )
        for p in rows
    ]


def open_cases_naming(id_index: str) -> int:
    """core.links: how many open petitions name this ID hash, whoever may see them (erasure and retention ask)."""
    from fengqiao.petitions.models import Petition
    from fengqiao.petitions.workflow import OPEN_STATES

    return Petition.objects.filter(id_index=id_index, state__in=OPEN_STATES).count()


class PetitionsConfig(AppConfig):
    name = "fengqiao.petitions"
    label = "petitions"
    verbose_name = _("信访")

    def ready(self) -> None:
        # The verbs of a petition's history are labelled in its workflow tables, which register them with core.audit.
        import_module("fengqiao.petitions.workflow")
        import_module("fengqiao.petitions.clocks")  # declares the petition and order clocks to core.deadlines
        from fengqiao.core import audit, links

        audit.register_verbs({"reveal_pii": _("查看完整个人信息"), "set_duty": _("值班排班")})
        links.register("petitions", cases=cases_naming, open_count=open_cases_naming)  # the person page's 事
