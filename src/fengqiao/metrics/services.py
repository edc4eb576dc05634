"""Commands that keep the counters: record changes as pending deltas, fold them up the tree, rebuild from scratch.

Every save of a counted row (an event, a dispute, an instruction receipt, a patrol, a visit, a diary: see
:func:`sources`) writes the difference between its contribution before and after the save as :class:`PendingDelta`
rows, in the same transaction as the save (insert-only: no hot rows under busy intake). :func:`fold_pending` (a periodic
job, every few seconds) adds them to :class:`DailyGridStat` for the grid and every node above it. :func:`rebuild`
recomputes everything from those rows themselves; a test proves both agree.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from fengqiao.metrics import counters
from fengqiao.metrics.counters import COUNTERS, FLOAT_COUNTERS, Contribution
from fengqiao.metrics.models import DailyGridStat, PendingDelta

_SNAPSHOT = "_metrics_before"
_LOCK_KEY = 0x6D657472  # "metr": serialises folds and rebuilds on PostgreSQL


# --- what is counted --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A model whose rows contribute to the counters, and how to read what a row contributes."""

    model: Any
    lookups: tuple[str, ...]  # read with values_list; may follow a foreign key
    names: tuple[str, ...]  # the contribution's keyword arguments, one per lookup
    contribution: Callable[..., Contribution]
    path: str  # the lookup holding the finest node path: rebuilds work one subtree at a time
    needs: str = ""  # a column without which a new row contributes nothing: no query for such a row

    def stored(self, pk: Any) -> dict[str, Any] | None:
        """The row as stored, not as an instance remembers it: instances go stale (refresh_from_db, copies)."""
        row = self.model._default_manager.filter(pk=pk).values_list(*self.lookups).first()
        return None if row is None else dict(zip(self.names, row, strict=True))

    def current(self, instance: Model) -> dict[str, Any] | None:
        if self.lookups == self.names:  # all columns of the row itself: no query
            return {name: getattr(instance, name) for name in self.names}
        return self.stored(instance.pk)


def _source(model: Any, fields: tuple[str, ...], contribution: Callable[..., Contribution]) -> Source:
    return Source(model, fields, fields, contribution, "grid_path")


@functools.cache
def sources() -> tuple[Source, ...]:
    """Every installed source of figures: events, then disputes and dispatch where their apps provide them."""
    from fengqiao.events.models import Event
    from fengqiao.metrics.optional import dispatch_models, dispute_model, group_patrol_model

    found = [_source(Event, counters.EVENT_FIELDS, counters.event_contribution)]
    dispute = dispute_model()
    if dispute is not None:
        found.append(_source(dispute, counters.DISPUTE_FIELDS, counters.dispute_contribution))
    dispatch = dispatch_models()
    if dispatch is not None:
        found += [
            Source(
                dispatch["receipt"],
                counters.RECEIPT_LOOKUPS,
                counters.RECEIPT_FIELDS,
                counters.receipt_contribution,
                "node_path",
                needs="acknowledged_at",
            ),
            Source(dispatch["due"], counters.DUE_FIELDS, counters.DUE_FIELDS, counters.due_contribution, "node_path"),
            _source(dispatch["patrol"], counters.PATROL_FIELDS, counters.patrol_contribution),
            _source(dispatch["visit"], counters.VISIT_FIELDS, counters.visit_contribution),
            _source(dispatch["diary"], counters.DIARY_FIELDS, counters.diary_contribution),
        ]
    group_patrol = group_patrol_model()
    if group_patrol is not None:
        found.append(_source(group_patrol, counters.GROUP_PATROL_FIELDS, counters.group_patrol_contribution))
    return tuple(found)


def _spec(sender: type[Model]) -> Source | None:
    return next((source for source in sources() if source.model is sender), None)


def _spec_named(model_name: str) -> Source | None:
    return next((source for source in sources() if source.model._meta.model_name == model_name), None)


# --- recording changes (signal receivers) ---------------------------------------------------------------------


def before_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """pre_save: remember the stored values, so the save can record exactly what it changed."""
    source = _spec(sender)
    if source is None or kwargs.get("raw"):
        return
    before = None if instance._state.adding or instance.pk is None else source.stored(instance.pk)
    instance.__dict__[_SNAPSHOT] = before


def after_save(sender: type[Model], instance: Model, created: bool = False, **kwargs: Any) -> None:
    source = _spec(sender)
    if source is None or kwargs.get("raw"):
        return
    before = None if created else instance.__dict__.pop(_SNAPSHOT, None)
    if created and source.needs and getattr(instance, source.needs) is None:
        return  # e.g. a receipt created on reading: nothing to count yet
    now = source.current(instance)
    new = source.contribution(**now) if now else {}
    old = source.contribution(**before) if before else {}
    record(counters.difference(new, old))


def before_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    source = _spec(sender)
    if source is not None:
        instance.__dict__[_SNAPSHOT] = source.stored(instance.pk)


def after_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    source = _spec(sender)
    before = instance.__dict__.pop(_SNAPSHOT, None)
    if source is not None and before:
        record(counters.difference({}, source.contribution(**before)))


_INSTRUCTION_FIELDS = ("deadline", "requires_ack")


def before_instruction_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """pre_save of an instruction: its deadline decides whether its acknowledgements were on time."""
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values(*_INSTRUCTION_FIELDS).first()
    instance.__dict__[_SNAPSHOT] = stored


def after_instruction_save(sender: type[Model], instance: Model, created: bool = False, **kwargs: Any) -> None:
    """A changed deadline (or acknowledgement requirement) moves its acknowledgements in or out of 'on time'."""
    before = instance.__dict__.pop(_SNAPSHOT, None)
    if created or kwargs.get("raw") or not before:
        return
    now = {name: getattr(instance, name) for name in _INSTRUCTION_FIELDS}
    if now == before:
        return
    receipts = _spec_named("receipt")
    if receipts is None:
        return
    old: list[Contribution] = []
    new: list[Contribution] = []
    acknowledged = receipts.model._default_manager.filter(instruction_id=instance.pk, acknowledged_at__isnull=False)
    for node_path, acknowledged_at in acknowledged.values_list("node_path", "acknowledged_at").iterator():
        old.append(counters.receipt_contribution(node_path=node_path, acknowledged_at=acknowledged_at, **before))
        new.append(counters.receipt_contribution(node_path=node_path, acknowledged_at=acknowledged_at, **now))
    record(counters.difference(counters.combine(new), counters.combine(old)))


def acknowledgements_due_counted(sender: Any, rows: list[Any], **kwargs: Any) -> None:
    """dispatch wrote acknowledgements-due rows in bulk (past the per-row signals): count them."""
    record(
        counters.combine(
            [counters.due_contribution(**{name: getattr(row, name) for name in counters.DUE_FIELDS}) for row in rows]
        )
    )


def created_in_bulk_counted(sender: type[Model], instances: list[Model], **kwargs: Any) -> None:
    """Rows inserted with ``bulk_create`` (past the per-row signals, core.groupcommit): count them as saving each
    would, with one delta per grid and day for all of them."""
    source = _spec(sender)
    if source is None:
        return
    contributions = []
    for instance in instances:
        if source.needs and getattr(instance, source.needs) is None:
            continue
        now = source.current(instance)
        if now:
            contributions.append(source.contribution(**now))
    record(counters.combine(contributions))


def record(diff: Contribution) -> None:
    """Store a change of the counters of finest grids as pending deltas (folded up the tree later)."""
    if diff:
        PendingDelta.objects.bulk_create(
            [PendingDelta(node_path=path, day=day, **cell) for (path, day), cell in diff.items()]
        )


# --- folding ---------------------------------------------------------------------------------------------------


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _empty() -> dict[str, float]:
    return dict.fromkeys(COUNTERS, 0)


def fold_pending(*, limit: int = 20_000) -> int:
    """Add pending deltas to the stats of their grid and every ancestor; returns how many deltas were folded."""
    folded = 0
    while True:
        with transaction.atomic():
            _lock()
            rows = list(PendingDelta.objects.order_by("id").values_list("id", "node_path", "day", *COUNTERS)[:limit])
            if not rows:
                return folded
            totals: dict[tuple[str, Any], dict[str, float]] = defaultdict(_empty)
            for row in rows:
                path, day, values = row[1], row[2], row[3:]
                for node in counters.ancestors(path):
                    cell = totals[(node, day)]
                    for name, value in zip(COUNTERS, values, strict=True):
                        if value:
                            cell[name] += value
            ids = [row[0] for row in rows]
            for start in range(0, len(ids), 900):
                PendingDelta.objects.filter(id__in=ids[start : start + 900]).delete()
            _add(totals)
            folded += len(rows)
        if len(rows) < limit:
            return folded


def _add(totals: dict[tuple[str, Any], dict[str, float]]) -> None:
    """stat += delta for every (path, day): existing rows updated, missing rows created."""
    by_day: dict[Any, list[str]] = defaultdict(list)
    for path, day in totals:
        by_day[day].append(path)
    changed: list[DailyGridStat] = []
    created: list[DailyGridStat] = []
    for day, paths in by_day.items():
        found: dict[str, DailyGridStat] = {}
        for start in range(0, len(paths), 500):
            for stat in DailyGridStat.objects.filter(day=day, node_path__in=paths[start : start + 500]):
                found[stat.node_path] = stat
        for path in paths:
            delta = totals[(path, day)]
            existing = found.get(path)
            if existing is None:
                created.append(DailyGridStat(node_path=path, day=day, **_clean(delta)))
                continue
            stat = existing
            for name, value in delta.items():
                if value:
                    setattr(stat, name, getattr(stat, name) + value)
            changed.append(stat)
    if changed:
        DailyGridStat.objects.bulk_update(changed, list(COUNTERS), batch_size=500)
    if created:
        DailyGridStat.objects.bulk_create(created, batch_size=2000)


def _clean(cell: dict[str, float]) -> dict[str, float]:
    return {k: (round(v, 4) if k in FLOAT_COUNTERS else int(v)) for k, v in cell.items()}


# --- rebuilding ------------------------------------------------------------------------------------------------


def _contributions(source: Source, qs: Any) -> Iterator[dict[str, Any]]:
    for values in qs.order_by().values_list(*source.lookups).iterator(chunk_size=20_000):
        yield dict(zip(source.names, values, strict=True))


def rebuild(*, say: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute every node's daily counters from the events, disputes, acknowledgements, patrols, visits and diaries
    themselves; returns row counts.

    Works one top-level subtree (district) at a time so memory stays bounded on millions of events.
    """
    from fengqiao.grids.models import GridNode

    say = say or (lambda text: None)
    started = time.monotonic()
    counters.forget_limits()
    tables = set(connection.introspection.table_names())
    installed = [s for s in sources() if s.model._meta.db_table in tables]
    roots = list(GridNode.objects.filter(parent__isnull=True).values_list("path", flat=True))
    chunks = list(GridNode.objects.filter(depth=1).order_by("path").values_list("path", flat=True))
    covered = tuple(chunks)
    written = objects = 0
    with transaction.atomic():
        _lock()
        PendingDelta.objects.all().delete()
        DailyGridStat.objects.all().delete()
        above: dict[tuple[str, Any], dict[str, float]] = defaultdict(_empty)  # rows above the chunk roots
        plans: list[tuple[str | None, str | None, str]] = [(p, None, p) for p in chunks]
        plans += [(None, r, r) for r in roots]  # things filed at a root itself
        for prefix, exact, root in plans:
            rows: dict[tuple[str, Any], dict[str, float]] = defaultdict(_empty)
            for source in installed:
                qs = source.model._default_manager.all()
                if prefix is not None:
                    qs = qs.filter(**{f"{source.path}__startswith": prefix})
                if exact is not None:
                    qs = qs.filter(**{source.path: exact})
                for values in _contributions(source, qs):
                    path = values[source.path]
                    if exact is None and not path.startswith(covered):
                        continue
                    objects += 1
                    for (leaf, day), cell in source.contribution(**values).items():
                        for node in counters.ancestors(leaf):
                            target = rows if exact is None and node.startswith(root) else above
                            acc = target[(node, day)]
                            for name, value in cell.items():
                                acc[name] += value
            written += _write(rows)
            say(f"  {root} {len(rows):,} 行（{time.monotonic() - started:.0f} s）\n")
        written += _write(above)
        # Anything filed outside every known subtree (a path with no node) is still counted.
        loose: dict[tuple[str, Any], dict[str, float]] = defaultdict(_empty)
        for source in installed:
            orphans = source.model._default_manager.exclude(**{f"{source.path}__in": roots})
            for path in covered:
                orphans = orphans.exclude(**{f"{source.path}__startswith": path})
            for values in _contributions(source, orphans):
                objects += 1
                for (leaf, day), cell in source.contribution(**values).items():
                    for node in counters.ancestors(leaf):
                        for name, value in cell.items():
                            loose[(node, day)][name] += value
        if loose:
            say("  注意：有记录不在任何区县之下，已按其路径单独统计。\n")
            _merge_into_stats(loose)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses on millions of new rows
            cursor.execute(f"ANALYZE {connection.ops.quote_name(DailyGridStat._meta.db_table)}")
    return {"objects": objects, "rows": written, "seconds": round(time.monotonic() - started)}


def _write(rows: dict[tuple[str, Any], dict[str, float]]) -> int:
    """Insert fresh rows fast: COPY on PostgreSQL, executemany elsewhere (the ORM's bulk_create is 10× slower here)."""
    table = DailyGridStat._meta.db_table
    columns = ["node_path", "day", *COUNTERS]
    values = (
        (path, day, *(round(cell[c], 4) if c in FLOAT_COUNTERS else int(cell[c]) for c in COUNTERS))
        for (path, day), cell in rows.items()
    )
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", list(values)
            )
    return len(rows)


def _merge_into_stats(rows: dict[tuple[str, Any], dict[str, float]]) -> None:
    _add(rows)
