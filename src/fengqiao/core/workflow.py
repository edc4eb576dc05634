"""The workflow engine: workflows are declared as tables, and one function applies a transition.

A :class:`Workflow` lists states and :class:`Transition` rows (from, to, who may, what must be filled in).
:meth:`Workflow.apply` checks the row, writes the new state and exactly one audit row in one transaction, and sends
:data:`transitioned` once the transaction commits. Events and disputes declare their own tables on this engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core import audit, deadlines
from fengqiao.core.errors import CoreErrorCode, WorkflowError

# Every declared workflow by name (the clocks page and the docs read the tables from here).
WORKFLOWS: dict[str, Workflow] = {}

# Sent after commit with sender=model class, instance, transition, actor, from_state, action.
transitioned = Signal()

M = TypeVar("M", bound=models.Model)
Guard = Callable[[Any, models.Model], bool]
Effect = Callable[[models.Model, Mapping[str, Any]], None]


def anyone(actor: Any, obj: models.Model) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """One row of a workflow table.

    ``label`` names the step for staff (timelines, buttons, the audit log); ``public`` is what the public tracking
    page shows for it, or None when the step is not shown publicly.
    """

    name: str
    source: frozenset[str]
    target: str
    label: Any = ""
    public: Any = None
    allowed: Guard = anyone
    requires: tuple[str, ...] = ()
    note_required: bool = False
    sets: tuple[str, ...] = ()  # values copied onto model fields of the same name
    effect: Effect | None = None  # extra field changes (time points, counters); clocks are core.deadlines'

    def __init__(
        self,
        name: str,
        source: Iterable[str] | str,
        target: str,
        *,
        label: Any = "",
        public: Any = None,
        allowed: Guard = anyone,
        requires: Iterable[str] = (),
        note_required: bool = False,
        sets: Iterable[str] = (),
        effect: Effect | None = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "source", frozenset([source] if isinstance(source, str) else source))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "label", label or name)
        object.__setattr__(self, "public", public)
        object.__setattr__(self, "allowed", allowed)
        object.__setattr__(self, "requires", tuple(requires))
        object.__setattr__(self, "note_required", note_required)
        object.__setattr__(self, "sets", tuple(sets))
        object.__setattr__(self, "effect", effect)


@dataclass
class Workflow:
    """A state table for one model.

    ``verbs`` names what else is written to a case's history without changing its state (a report, a progress
    update, an agreement): name -> (label, public label or None). The table is then the one place that names and
    labels everything a case's timeline and public tracking page show.
    """

    name: str
    states: Mapping[str, Any]
    initial: str
    transitions: Iterable[Transition]
    state_field: str = "state"
    verbs: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    by_name: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self.verbs = dict(self.verbs)
        self.by_name = {}
        if self.initial not in self.states:
            raise ValueError(f"initial state {self.initial!r} is not declared")
        for row in self.transitions:
            if row.name in self.by_name:
                raise ValueError(f"transition {row.name!r} is declared twice")
            unknown = (row.source | {row.target}) - set(self.states)
            if unknown:
                raise ValueError(f"transition {row.name!r} names undeclared states {sorted(unknown)}")
            self.by_name[row.name] = row
        for verb, labels in self.verbs.items():
            if verb in self.by_name:
                raise ValueError(f"verb {verb!r} is already a transition")
            if len(labels) != 2 or not labels[0]:
                raise ValueError(f"verb {verb!r} needs (label, public label or None)")
        audit.register_workflow(self.name, states=self.states, verbs=self.labels())
        WORKFLOWS[self.name] = self

    def labels(self) -> dict[str, Any]:
        """Every verb this workflow writes to a case's history, with its staff label."""
        return {
            **{row.name: row.label for row in self.transitions},
            **{verb: labels[0] for verb, labels in self.verbs.items()},
        }

    def public_labels(self) -> dict[str, Any]:
        """The verbs the public tracking page shows, with the wording it shows."""
        shown = {row.name: row.public for row in self.transitions if row.public is not None}
        shown.update({verb: labels[1] for verb, labels in self.verbs.items() if labels[1] is not None})
        return shown

    def label(self, verb: str) -> str:
        """The staff label of ``verb``; a verb this table does not declare gets the audit registry's label."""
        row = self.by_name.get(verb)
        if row is not None:
            return str(row.label)
        if verb in self.verbs:
            return str(self.verbs[verb][0])
        return audit.verb_label(verb, self.name)

    def public_label(self, verb: str) -> str | None:
        """What the public tracking page shows for ``verb``, or None when it is not shown publicly."""
        row = self.by_name.get(verb)
        if row is not None:
            return None if row.public is None else str(row.public)
        labels = self.verbs.get(verb)
        if labels is None or labels[1] is None:
            return None
        return str(labels[1])

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state)) if state else ""

    def allows(self, obj: models.Model, name: str, *, actor: Any) -> bool:
        """Whether ``actor`` may apply ``name`` to ``obj`` now: what a page offers is what :meth:`apply` accepts."""
        row = self.by_name.get(name)
        return row is not None and self.state_of(obj) in row.source and row.allowed(actor, obj)

    def state_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.state_field))

    def choices(self) -> list[tuple[str, Any]]:
        return list(self.states.items())

    def available(self, obj: models.Model, actor: Any) -> list[Transition]:
        """The transitions this actor may apply to ``obj`` now."""
        state = self.state_of(obj)
        return [row for row in self.transitions if state in row.source and row.allowed(actor, obj)]

    def check(self, obj: models.Model, name: str, *, actor: Any, note: str, values: Mapping[str, Any]) -> Transition:
        row = self.by_name.get(name)
        if row is None:
            raise WorkflowError(_("未定义的操作：%(name)s") % {"name": name}, code=CoreErrorCode.UNKNOWN_TRANSITION)
        state = self.state_of(obj)
        if state not in row.source:
            raise WorkflowError(
                _("当前状态“%(state)s”下不能执行“%(action)s”。")
                % {"state": self.states.get(state, state), "action": row.label},
                code=CoreErrorCode.NOT_ALLOWED_IN_STATE,
            )
        if not row.allowed(actor, obj):
            raise WorkflowError(_("您无权执行“%(action)s”。") % {"action": row.label}, code=CoreErrorCode.NOT_PERMITTED)
        if row.note_required and not note.strip():
            raise WorkflowError(
                _("“%(action)s”需要填写说明。") % {"action": row.label}, code=CoreErrorCode.NOTE_REQUIRED
            )
        missing = [key for key in row.requires if values.get(key) in (None, "", [], ())]
        if missing:
            raise WorkflowError(
                _("“%(action)s”缺少必填项：%(fields)s") % {"action": row.label, "fields": "、".join(missing)},
                code=CoreErrorCode.MISSING_FIELDS,
            )
        return row

    def apply(
        self, obj: M, name: str, *, actor: Any, note: str = "", now: dt.datetime | None = None, **values: Any
    ) -> M:
        """Apply transition ``name`` to ``obj``: new state, its clocks started or stopped (``core.deadlines``) and
        one audit row, atomically, or nothing at all. ``now`` (default: the clock) is when the clocks start."""
        model = type(obj)
        now = now or timezone.now()
        with transaction.atomic():
            # Re-read under a row lock so two people acting at once cannot both move the same case.
            locked = model._default_manager.select_for_update().get(pk=obj.pk)
            if self.state_of(locked) != self.state_of(obj):
                raise WorkflowError(_("该记录已被他人处理，请刷新后重试。"), code=CoreErrorCode.STALE)
            row = self.check(locked, name, actor=actor, note=note, values=values)
            from_state = self.state_of(locked)
            for key in row.sets:
                if key in values:
                    setattr(locked, key, values[key])
            if row.effect is not None:
                row.effect(locked, {**values, "note": note, "now": now})
            clocks = deadlines.for_workflow(self.name)
            if clocks is not None:
                clocks.start(locked, row.name, now)
            setattr(locked, self.state_field, row.target)
            locked.save()
            action = audit.record(
                actor=actor,
                verb=row.name,
                target=locked,
                note=note,
                data={k: _jsonable(v) for k, v in values.items()},
                workflow=self.name,
                from_state=from_state,
                to_state=row.target,
            )
            transaction.on_commit(
                lambda: transitioned.send(
                    sender=model,
                    instance=locked,
                    transition=row,
                    actor=actor,
                    from_state=from_state,
                    action=action,
                )
            )
        # Keep the caller's object in step with the row that was saved.
        for f in model._meta.concrete_fields:
            setattr(obj, f.attname, getattr(locked, f.attname))
        return obj


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"model": value._meta.label_lower, "pk": value.pk, "repr": str(value)}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def who(guard: Guard) -> str:
    """The first line of a guard's docstring: who may take a step, in words, for the generated docs."""
    text = (guard.__doc__ or "").strip()
    return text.splitlines()[0] if text else guard.__name__.strip("_").replace("_", " ")
