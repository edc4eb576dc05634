from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_see_notice_files(actor: object, object_id: str) -> bool:
    """core.media: a notice's attachment is for the staff serving its community (the public page signs its links)."""
    from fengqiao.deliberation import selectors

    return selectors.notices_for(actor=actor).filter(pk=object_id).exists()  # type: ignore[arg-type]


class DeliberationConfig(AppConfig):
    name = "fengqiao.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from fengqiao.core import media

        # The verbs of a topic's history are labelled in its workflow table, which registers them with core.audit.
        import_module("fengqiao.deliberation.workflow")
        import_module("fengqiao.deliberation.clocks")  # declares the answer and carrying-out clocks to core.deadlines
        import_module("fengqiao.deliberation.services")  # registers the labels of the other verbs
        media.register("deliberation.Notice", may_see_notice_files)
