"""Writing the audit trail. Services call :func:`record` inside their transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.models import Action

# What the audit administrator reads instead of identifiers: each app registers the labels of the verbs it writes,
# and every workflow registers its states and transitions (core.workflow does it on declaration).
_VERB_LABELS: dict[str, Any] = {}
_WORKFLOW_LABELS: dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}


def register_verbs(labels: Mapping[str, Any]) -> None:
    _VERB_LABELS.update(labels)


def register_workflow(name: str, *, states: Mapping[str, Any], verbs: Mapping[str, Any]) -> None:
    _WORKFLOW_LABELS[name] = (states, verbs)


def verb_label(verb: str, workflow: str = "") -> str:
    """The verb as its user calls it: the workflow's transition label first, then an app's registered label."""
    states_verbs = _WORKFLOW_LABELS.get(workflow)
    if states_verbs and verb in states_verbs[1]:
        return str(states_verbs[1][verb])
    for _states, verbs in _WORKFLOW_LABELS.values():
        if not workflow and verb in verbs and verb not in _VERB_LABELS:
            return str(verbs[verb])
    return str(_VERB_LABELS.get(verb, verb))


def state_label(state: str, workflow: str = "") -> str:
    if not state:
        return ""
    states_verbs = _WORKFLOW_LABELS.get(workflow)
    if states_verbs and state in states_verbs[0]:
        return str(states_verbs[0][state])
    return state


def actor_label(actor: Caller) -> str:
    if not signed_in(actor):
        return ""
    return (actor.display_name or actor.get_username())[:150]


def record(
    *,
    actor: Caller,
    verb: str,
    target: models.Model,
    note: str = "",
    data: dict[str, Any] | None = None,
    workflow: str = "",
    from_state: str = "",
    to_state: str = "",
    grid_path: str | None = None,
) -> Action:
    """Append one row to the audit trail for ``target``.

    A target holding personal data declares ``audit_masks()`` (full value → masked value, e.g. a party's name →
    ``张*``): the note and data of every row about it carry only the masked forms, whoever writes the row.
    """
    row = build(
        actor=actor,
        verb=verb,
        target=target,
        note=note,
        data=data,
        workflow=workflow,
        from_state=from_state,
        to_state=to_state,
        grid_path=grid_path,
    )
    row.save(force_insert=True)
    return row


def build(
    *,
    actor: Caller,
    verb: str,
    target: models.Model,
    note: str = "",
    data: dict[str, Any] | None = None,
    workflow: str = "",
    from_state: str = "",
    to_state: str = "",
    grid_path: str | None = None,
) -> Action:
    """The row :func:`record` appends, unsaved: for writers that insert many at once (core.groupcommit)."""
    masks = target.audit_masks() if hasattr(target, "audit_masks") else {}
    if masks:
        note = conceal(note, masks)
        data = conceal(data or {}, masks)
    if grid_path is None:
        grid_path = str(getattr(target, getattr(target, "jurisdiction_path_field", "grid_path"), "") or "")
    return Action(
        actor_id=actor.pk if signed_in(actor) else None,
        actor_name=actor_label(actor),
        verb=verb,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        workflow=workflow,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        grid_path=grid_path,
    )


def conceal(value: Any, masks: dict[str, str]) -> Any:
    """``value`` (text, or JSON-like data) with every full value in ``masks`` replaced by its masked form."""
    if isinstance(value, str):
        for full in sorted(masks, key=len, reverse=True):
            if len(full) > 1:
                value = value.replace(full, masks[full])
        return value
    if isinstance(value, dict):
        return {k: conceal(v, masks) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [conceal(v, masks) for v in value]
    return value


def history(target: models.Model) -> models.QuerySet[Action]:
    return Action.objects.for_object(target).order_by("at", "id")
