from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "fengqiao.dashboard"
    label = "dashboard"
    verbose_name = _("一张图")

    def ready(self) -> None:
        from django.core import checks

        from fengqiao.dashboard.tiles import check_tile_settings

        checks.register(check_tile_settings)
