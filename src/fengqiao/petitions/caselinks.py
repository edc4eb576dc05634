"""Events and disputes named on a petition by tracking code, found without importing their apps.

Petitions sit beside events and disputes in the layers (none imports another). A code is looked up through Django's
app registry and scoped with ``core.scoping`` to the viewer's grids, the same prefix rule every case follows; an app
that is not installed simply finds nothing. The page links to the case's own page, which applies its own rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from fengqiao.core import scoping
from fengqiao.core.actors import Caller
from fengqiao.core.codes import normalise

# kind -> (app label, model, detail URL name)
KINDS = {"event": ("events", "Event", "events:detail"), "dispute": ("disputes", "Dispute", "disputes:detail")}


@dataclass(frozen=True)
class Found:
    kind: str
    code: str
    path: str = ""  # the case's grid path


def find(code: str, actor: Caller) -> Found | None:
    """The event or dispute with ``code`` inside the actor's grids, or None (missing and foreign look alike)."""
    code = normalise(code)
    if not code:
        return None
    for kind, (label, model_name, _url) in KINDS.items():
        try:
            model = apps.get_model(label, model_name)
        except LookupError:
            continue
        path = (
            scoping.scope(model._default_manager.all(), actor)
            .filter(tracking_code=code)
            .values_list("grid_path", flat=True)
        )
        for found in path[:1]:
            return Found(kind=kind, code=code, path=str(found))
    return None


def url_of(kind: str, code: str) -> str:
    try:
        return reverse(KINDS[kind][2], args=[code])
    except (KeyError, NoReverseMatch):
        return ""
