from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_see_attachments(actor: Any, object_id: str) -> bool:
    """Photos of an event: whoever may open the event itself."""
    from fengqiao.events.selectors import visible_events

    return object_id.isdigit() and visible_events(actor=actor).filter(pk=int(object_id)).exists()


class EventsConfig(AppConfig):
    name = "fengqiao.events"
    label = "events"
    verbose_name = _("事件")

    def ready(self) -> None:
        from fengqiao.core import media, periodic

        media.register("events.Event", may_see_attachments)
        from fengqiao.events.services import send_deadline_warnings

        periodic.register("events.deadline_warnings", 60, send_deadline_warnings)

        from django.db.models.signals import post_delete, post_save

        from fengqiao.events import selectors
        from fengqiao.events.models import Category

        # This process forgets cached categories at once; others within CATEGORY_CACHE_SECONDS.
        post_save.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories")
        post_delete.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories_del")
