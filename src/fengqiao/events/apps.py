from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fengqiao.events"
    label = "events"
    verbose_name = _("事件")

    def ready(self) -> None:
        from fengqiao.core import periodic
        from fengqiao.events.services import send_deadline_warnings

        periodic.register("events.deadline_warnings", 60, send_deadline_warnings)
