"""Commands that keep the counters: record changes as pending deltas, fold them up the tree, rebuild from scratch.

Every save of an event (or dispute) writes the difference between its contribution before and after the save as
:class:`PendingDelta` rows, in the same transaction as the save (insert-only: no hot rows under busy intake).
:func:`fold_pending` (a periodic job, every few seconds) adds them to :class:`DailyGridStat` for the grid and every
node above it. :func:`rebuild` recomputes everything from the events themselves; a test proves both agree.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from fengqiao.metrics import counters
from fengqiao.metrics.counters import COUNTERS, FLOAT_COUNTERS, Contribution
from fengqiao.metrics.models import DailyGridStat, PendingDelta

_SNAPSHOT = "_metrics_before"
_LOCK_KEY = 0x6D657472  # "metr": serialises folds and rebuilds on PostgreSQL


# --- recording changes (signal receivers) ---------------------------------------------------------------------


def _spec(sender: type[Model]) -> tuple[tuple[str, ...], Callable[..., Contribution]] | None:
    from fengqiao.events.models import Event
    from fengqiao.metrics.optional import dispute_model

    if sender is Event:
        return counters.EVENT_FIELDS, counters.event_contribution
    dispute = dispute_model()
    if dispute is not None and sender is dispute:
        return counters.DISPUTE_FIELDS, counters.dispute_contribution
    return None


def _stored(sender: type[Model], instance: Model, fields: tuple[str, ...]) -> dict[str, Any] | None:
    # Read the row as stored, not as this instance remembers it: instances go stale (refresh_from_db, copies).
    return sender._default_manager.filter(pk=instance.pk).values(*fields).first()


def before_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """pre_save: remember the stored values, so the save can record exactly what it changed."""
    spec = _spec(sender)
    if spec is None or kwargs.get("raw"):
        return
    before = None if instance._state.adding or instance.pk is None else _stored(sender, instance, spec[0])
    instance.__dict__[_SNAPSHOT] = before


def after_save(sender: type[Model], instance: Model, created: bool = False, **kwargs: Any) -> None:
    spec = _spec(sender)
    if spec is None or kwargs.get("raw"):
        return
    fields, contribution = spec
    before = None if created else instance.__dict__.pop(_SNAPSHOT, None)
    now = {f: getattr(instance, f) for f in fields}
    old = contribution(**before) if before else {}
    record(counters.difference(contribution(**now), old))


def before_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    spec = _spec(sender)
    if spec is not None:
        instance.__dict__[_SNAPSHOT] = _stored(sender, instance, spec[0])


def after_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    spec = _spec(sender)
    before = instance.__dict__.pop(_SNAPSHOT, None)
    if spec is not None and before:
        record(counters.difference({}, spec[1](**before)))


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


def _contributions(model: Any, fields: tuple[str, ...], prefix: str | None, exact: str | None) -> Iterator[dict]:
    qs = model._default_manager.all()
    if prefix is not None:
        qs = qs.filter(grid_path__startswith=prefix)
    if exact is not None:
        qs = qs.filter(grid_path=exact)
    for values in qs.order_by().values_list(*fields).iterator(chunk_size=20_000):
        yield dict(zip(fields, values, strict=True))


def rebuild(*, say: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute every node's daily counters from the events (and disputes) themselves; returns row counts.

    Works one top-level subtree (district) at a time so memory stays bounded on millions of events.
    """
    from fengqiao.events.models import Event
    from fengqiao.grids.models import GridNode
    from fengqiao.metrics.optional import dispute_model

    say = say or (lambda text: None)
    started = time.monotonic()
    counters.forget_limits()
    sources: list[tuple[Any, tuple[str, ...], Callable[..., Contribution]]] = [
        (Event, counters.EVENT_FIELDS, counters.event_contribution)
    ]
    dispute = dispute_model()
    if dispute is not None and dispute._meta.db_table in connection.introspection.table_names():
        sources.append((dispute, counters.DISPUTE_FIELDS, counters.dispute_contribution))
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
            for model, fields, contribution in sources:
                for values in _contributions(model, fields, prefix, exact):
                    path = values["grid_path"]
                    if exact is None and not path.startswith(covered):
                        continue
                    objects += 1
                    for (leaf, day), cell in contribution(**values).items():
                        for node in counters.ancestors(leaf):
                            target = rows if exact is None and node.startswith(root) else above
                            acc = target[(node, day)]
                            for name, value in cell.items():
                                acc[name] += value
            written += _write(rows)
            say(f"  {root} {len(rows):,} 行（{time.monotonic() - started:.0f} s）\n")
        written += _write(above)
        # Anything filed outside every known subtree (a path with no node) is still counted.
        orphans = Event.objects.exclude(grid_path__startswith=covered[0]) if covered else Event.objects.none()
        for path in covered[1:]:
            orphans = orphans.exclude(grid_path__startswith=path)
        if orphans.exclude(grid_path__in=roots).exists():
            say("  注意：有事件不在任何区县之下，已按其路径单独统计。\n")
            loose: dict[tuple[str, Any], dict[str, float]] = defaultdict(_empty)
            for values in orphans.exclude(grid_path__in=roots).values_list(*counters.EVENT_FIELDS).iterator():
                for (leaf, day), cell in counters.event_contribution(
                    **dict(zip(counters.EVENT_FIELDS, values, strict=True))
                ).items():
                    for node in counters.ancestors(leaf):
                        for name, value in cell.items():
                            loose[(node, day)][name] += value
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
