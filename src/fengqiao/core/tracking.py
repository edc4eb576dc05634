"""A case's history as people read it, built from the audit trail and the case's workflow table.

:func:`timeline` labels every row for staff; :func:`public_stages` keeps only the steps the table marks public,
with their public wording and no note unless the app's hook supplies one that may be shown (a mediator's
organisation, the tier a case went up to). Events and disputes share both, and the two templates
``core/_timeline.html`` and ``core/_tracking_stages.html`` that render them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from fengqiao.core import audit
from fengqiao.core.models import Action
from fengqiao.core.workflow import Workflow

NoteHook = Callable[[Action], str]


@dataclass
class PublicStage:
    label: str
    at: dt.datetime
    note: str = ""


def public_stages(
    obj: models.Model, workflow: Workflow, *, notes: Mapping[str, NoteHook] | None = None
) -> list[PublicStage]:
    """Each public step of ``obj`` in order: never who acted, and never a note the app's hooks do not allow."""
    hooks = notes or {}
    stages = []
    for action in audit.history(obj):
        label = workflow.public_label(action.verb)
        if label is None:
            continue
        hook = hooks.get(action.verb)
        stages.append(PublicStage(label=label, at=action.at, note=str(hook(action) or "") if hook else ""))
    return stages


def timeline(obj: models.Model, workflow: Workflow, *, by_public: Iterable[str] = ()) -> list[Action]:
    """The audit trail of ``obj`` for staff: each row gets ``verb_label``, ``to_label`` and ``who`` (the actor, or
    "群众" for the verbs in ``by_public`` that a member of the public does without an account)."""
    public = set(by_public)
    rows = list(audit.history(obj).select_related("actor"))
    for row in rows:
        row.verb_label = workflow.label(row.verb)  # type: ignore[attr-defined]
        row.to_label = workflow.state_label(row.to_state)  # type: ignore[attr-defined]
        row.who = row.actor_name or (_("群众") if row.verb in public else "—")  # type: ignore[attr-defined]
    return rows
