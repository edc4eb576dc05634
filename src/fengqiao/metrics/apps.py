from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "fengqiao.metrics"
    label = "metrics"
    verbose_name = _("考核评价")
