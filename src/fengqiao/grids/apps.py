from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "fengqiao.grids"
    label = "grids"
    verbose_name = _("网格")

    def ready(self) -> None:
        from fengqiao.core import audit

        audit.register_verbs(
            {
                "grid.create": _("新建网格"),
                "grid.import": _("导入网格"),
                "grid.update": _("修改网格"),
                "grid.save": _("保存网格"),
            }
        )
