from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "fengqiao.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷")

    def ready(self) -> None:
        from fengqiao.core import periodic
        from fengqiao.disputes.warnings import send_deadline_warnings

        periodic.register("disputes.deadline_warnings", 60, send_deadline_warnings)
