from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fengqiao.people"
    label = "people"
    verbose_name = _("基础数据（人地事物组织）")
    default_auto_field = "django.db.models.BigAutoField"
