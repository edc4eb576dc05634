from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "fengqiao.dispatch"
    label = "dispatch"
    verbose_name = _("指挥调度")

    def ready(self) -> None:
        from fengqiao.core.signals import notify
        from fengqiao.dispatch.services import on_notify

        notify.connect(on_notify, dispatch_uid="fengqiao.dispatch.notifications")

        from fengqiao.core import periodic
        from fengqiao.dispatch.services import count_acknowledgements_due

        periodic.register("dispatch.acknowledgements_due", 60, count_acknowledgements_due)
