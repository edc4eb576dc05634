from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "fengqiao.demo"
    label = "demo"
    verbose_name = _("演示数据")

    def ready(self) -> None:
        from fengqiao.core import audit

        audit.register_verbs({"demo.load": _("载入演示数据")})
