from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_see_attachments(actor: Any, object_id: str) -> bool:
    """Images of an instruction: its sender, its addressees, and those whose jurisdiction covers it."""
    from fengqiao.core.errors import OutsideJurisdiction
    from fengqiao.dispatch.models import Instruction
    from fengqiao.dispatch.selectors import instruction_for

    if not object_id.isdigit():
        return False
    try:
        instruction_for(actor=actor, pk=int(object_id))
    except (Instruction.DoesNotExist, OutsideJurisdiction):
        return False
    return True


class DispatchConfig(AppConfig):
    name = "fengqiao.dispatch"
    label = "dispatch"
    verbose_name = _("指挥调度")

    def ready(self) -> None:
        from fengqiao.core import media

        media.register("dispatch.Instruction", may_see_attachments)
        from fengqiao.core import audit

        audit.register_verbs(
            {
                "send_instruction": _("下发指令"),
                "acknowledge": _("签收指令"),
                "remind": _("催办签收"),
                "report_completion": _("反馈完成"),
                "start_patrol": _("开始巡查"),
                "end_patrol": _("结束巡查"),
                "record_visit": _("入户走访"),
                "write_diary": _("民情日志"),
                "record_screening": _("报送矛盾纠纷排查结果"),
            }
        )

        from fengqiao.core.signals import notify
        from fengqiao.dispatch.services import on_notify

        notify.connect(on_notify, dispatch_uid="fengqiao.dispatch.notifications")

        from fengqiao.core import periodic
        from fengqiao.dispatch.services import count_acknowledgements_due

        periodic.register("dispatch.acknowledgements_due", 60, count_acknowledgements_due)
