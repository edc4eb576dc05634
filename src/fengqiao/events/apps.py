from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_see_attachments(actor: Any, object_id: str) -> bool:
    """Photos of an event: whoever may open the event itself."""
    from fengqiao.events.selectors import visible_events

    return object_id.isdigit() and visible_events(actor=actor).filter(pk=int(object_id)).exists()


def metric_lines() -> list[str]:
    """/metrics: open events by deadline colour, and every event ever reported (counts only)."""
    from django.db.models import Count

    from fengqiao.core import sla
    from fengqiao.core.monitoring import sample
    from fengqiao.events.clocks import EVENT_CLOCKS
    from fengqiao.events.models import Event
    from fengqiao.events.workflow import OPEN_STATES

    open_events = Event.objects.filter(state__in=OPEN_STATES).annotate(colour=EVENT_CLOCKS.expressions()["colour"])
    counts = {c.value: 0 for c in sla.Colour}
    for row in open_events.values("colour").annotate(n=Count("id")).order_by():
        counts[row["colour"]] = row["n"]
    by_colour = {f'colour="{colour}"': n for colour, n in counts.items()}
    return [
        *sample("fengqiao_events_open", "gauge", "Open events by deadline colour.", by_colour),
        *sample("fengqiao_events_total", "counter", "Events ever reported.", Event.objects.count()),
    ]


class EventsConfig(AppConfig):
    name = "fengqiao.events"
    label = "events"
    verbose_name = _("事件")

    def ready(self) -> None:
        from fengqiao.core import media, monitoring

        media.register("events.Event", may_see_attachments)
        # The verbs of an event's history are labelled in its workflow table, which registers them with core.audit.
        import_module("fengqiao.events.workflow")

        monitoring.register("events", metric_lines)
        from django.db.models.signals import post_delete, post_save

        import fengqiao.events.clocks  # noqa: F401  (declares the event clock to core.deadlines)
        from fengqiao.events import selectors
        from fengqiao.events.models import Category

        # This process forgets cached categories at once; others within CATEGORY_CACHE_SECONDS.
        post_save.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories")
        post_delete.connect(selectors.forget_categories, sender=Category, dispatch_uid="events.forget_categories_del")
