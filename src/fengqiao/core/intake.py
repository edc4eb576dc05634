"""Entering a new case, the same way for every kind: the case, its photos and its first audit row in one
transaction, or nothing at all; a second draw of the tracking code in the one-in-a-billion case that two cases drew
the same one on the same day; and, for a caller's retry racing its first try, the case that retry finds."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from fengqiao.core import audit, codes, groupcommit
from fengqiao.core.attachments import attach
from fengqiao.core.models import Action
from fengqiao.core.signals import created_in_bulk
from fengqiao.core.uploads import CheckedImage
from fengqiao.core.workflow import Workflow

M = TypeVar("M", bound=models.Model)


@dataclass
class _Entry:
    case: Any
    actor: Any
    verb: str
    workflow: Workflow
    data: dict[str, Any]


def _write_batch(entries: Sequence[_Entry]) -> list[Any]:
    """Many new cases of one kind with their audit rows and counter deltas: one INSERT per table, one transaction."""
    cases = [entry.case for entry in entries]
    model = type(cases[0])
    with transaction.atomic():
        for case in cases:
            if hasattr(case, "fill_derived"):
                case.fill_derived()
        model._default_manager.bulk_create(cases)
        Action.objects.bulk_create(
            [
                audit.build(
                    actor=entry.actor,
                    verb=entry.verb,
                    target=entry.case,
                    workflow=entry.workflow.name,
                    to_state=entry.workflow.state_of(entry.case),
                    data=entry.data,
                )
                for entry in entries
            ]
        )
        created_in_bulk.send(sender=model, instances=cases)
    return cases


@functools.cache
def _batcher(model: type[models.Model]) -> groupcommit.Batcher[_Entry, Any]:
    window = settings.FENGQIAO_GROUP_COMMIT_MS / 1000
    return groupcommit.Batcher(_write_batch, window=window, max_items=settings.FENGQIAO_GROUP_COMMIT_MAX)


def batching(case: models.Model, images: Any, with_case: Any) -> bool:
    """Whether a new case may go into a group commit: a kind that declares it may (``group_commit = True``: its save()
    does nothing ``fill_derived()`` does not), no photos (files are written one case at a time), nothing saved beside
    it, group commit on, and no transaction of the caller's own open (its commit is the caller's)."""
    return (
        getattr(case, "group_commit", False)
        and settings.FENGQIAO_GROUP_COMMIT_MS > 0
        and not images
        and with_case is None
        and not connection.in_atomic_block
        and connection.features.can_return_rows_from_bulk_insert
        and case.pk is None
    )


def enter(
    case: M,
    *,
    actor: Any,
    verb: str,
    workflow: Workflow,
    prefix: str,
    images: list[tuple[str, CheckedImage]] | None = None,
    purpose: str = "",
    data: Mapping[str, Any] | None = None,
    with_case: Callable[[M], None] | None = None,
    retried: Callable[[], M | None] | None = None,
) -> M:
    """Save ``case`` (and whatever ``with_case`` saves beside it) with its photos and the ``verb`` audit row.

    Returns the case saved, or the one ``retried()`` finds when a unique key (an idempotency key) shows that the same
    caller's other try got there first."""
    manager = type(case)._default_manager
    if batching(case, images, with_case):
        try:
            return _batcher(type(case)).submit(  # type: ignore[no-any-return]
                _Entry(case=case, actor=actor, verb=verb, workflow=workflow, data=dict(data or {}))
            )
        except groupcommit.Fallback:
            case.pk = None  # nothing of the batch was written: the one-by-one way below
            case._state.adding = True
    for attempt in range(3):
        try:
            with transaction.atomic():
                case.save()
                if with_case is not None:
                    with_case(case)
                attach(actor=actor, target=case, images=images or [], purpose=purpose)
                audit.record(
                    actor=actor,
                    verb=verb,
                    target=case,
                    workflow=workflow.name,
                    to_state=workflow.state_of(case),
                    data=dict(data or {}),
                )
            return case
        except IntegrityError:
            found = retried() if retried is not None else None
            if found is not None:
                return found
            code = getattr(case, "tracking_code", "")
            if attempt < 2 and code and manager.filter(tracking_code=code).exists():
                case.pk = None
                case._state.adding = True
                case.tracking_code = codes.tracking_code(prefix)  # type: ignore[attr-defined]
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover
