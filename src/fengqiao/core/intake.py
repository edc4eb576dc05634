"""Entering a new case, the same way for every kind: the case, its photos and its first audit row in one
transaction, or nothing at all; a second draw of the tracking code in the one-in-a-billion case that two cases drew
the same one on the same day; and, for a caller's retry racing its first try, the case that retry finds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from fengqiao.core import audit, codes
from fengqiao.core.attachments import attach
from fengqiao.core.uploads import CheckedImage
from fengqiao.core.workflow import Workflow

M = TypeVar("M", bound=models.Model)


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
