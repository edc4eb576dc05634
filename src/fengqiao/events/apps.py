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

        from django.db.models.signals import post_delete, post_save

        from fengqiao.events import selectors
        from fengqiao.events.models import Category

        # This process forgets cached categories at once; others within CATEGORY_CACHE_SECONDS.
        post_save.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories")
        post_delete.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories_del")
