"""The audit trail's hash chain: a periodic sealer links committed rows; ``verify`` finds the first broken link.

Writers (core.audit.record) insert rows exactly as before: no lock, no read of the previous row, so intake never
queues behind the chain. The sealer, run every few seconds by ``fengqiao worker``, takes the unsealed rows it can see
in id order and gives each the next position ``seq`` and ``row_hash = H(prev_hash || canonical(row))``. The chain
runs in ``seq`` order, not id order: a transaction that took a lower id but committed after a higher id was sealed
is simply chained later, so a late commit never breaks the chain. Each seal run stores the new head in AuditAnchor,
so cutting rows off the tail is detectable too; operators copy the printed head off the machine.

H is SM3 (GB/T 32905) when FENGQIAO_CRYPTO is "sm" (the default) and SHA-256 otherwise; every hash carries its
algorithm ("sm3:…"), so switching the setting later never makes old rows unverifiable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core.models import Action, AuditAnchor

GENESIS = ""  # prev_hash of the first row
SEALED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "verb",
    "content_type_id",
    "object_id",
    "object_repr",
    "workflow",
    "from_state",
    "to_state",
    "note",
    "data",
    "grid_path",
)
_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {"sm3": hashes.SM3, "sha256": hashes.SHA256}
_LOCK_KEY = 0x46514155  # pg_advisory_xact_lock key of the sealer ("FQAU")


class ChainError(RuntimeError):
    """The sealer found the chain in a state it must not extend (a concurrent sealer, or a tampered head)."""


def algorithm() -> str:
    return "sm3" if getattr(settings, "FENGQIAO_CRYPTO", "sm") == "sm" else "sha256"


def canonical(values: Sequence[Any]) -> bytes:
    """The immutable fields of one row (in SEALED_FIELDS order) as deterministic UTF-8 JSON."""
    row = list(values)
    at = row[1]
    if isinstance(at, dt.datetime):
        row[1] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def link_hash(prev_hash: str, values: Sequence[Any], alg: str | None = None) -> str:
    alg = alg or algorithm()
    digest = hashes.Hash(_ALGORITHMS[alg]())
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(values))
    return f"{alg}:{digest.finalize().hex()}"


def _lock() -> None:
    # On SQLite the IMMEDIATE write transaction already admits one sealer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def head() -> tuple[int, str] | None:
    """(seq, row_hash) of the last sealed row, or None while nothing is sealed."""
    row = Action.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "row_hash").first()
    return (row[0], row[1] or "") if row and row[0] is not None else None


def seal(*, batch: int = 5_000, max_rows: int | None = None) -> int:
    """Chain every committed unsealed row, oldest id first; returns how many were sealed."""
    table = connection.ops.quote_name(Action._meta.db_table)
    sql = f"UPDATE {table} SET seq = %s, prev_hash = %s, row_hash = %s, sealed_at = %s WHERE id = %s AND seq IS NULL"
    alg = algorithm()
    sealed = 0
    while max_rows is None or sealed < max_rows:
        size = batch if max_rows is None else min(batch, max_rows - sealed)
        with transaction.atomic():
            _lock()
            rows = list(Action.objects.filter(seq__isnull=True).order_by("id").values_list(*SEALED_FIELDS)[:size])
            if not rows:
                break
            seq, prev = head() or (0, GENESIS)
            now = timezone.now()
            params = []
            for values in rows:
                seq += 1
                row_hash = link_hash(prev, values, alg)
                params.append((seq, prev, row_hash, now, values[0]))
                prev = row_hash
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
                if cursor.rowcount != len(params):
                    raise ChainError(f"sealed {cursor.rowcount} of {len(params)} rows: another sealer ran")
            AuditAnchor.objects.create(seq=seq, row_hash=prev, rows=len(rows), at=now)
        sealed += len(rows)
        if len(rows) < size:
            break
    return sealed


def seal_job() -> int:
    """The periodic job: bounded, so one run never holds the worker for long after a backlog."""
    return seal(max_rows=100_000)


# --- verification ----------------------------------------------------------------------------------------------


@dataclass
class Break:
    """The first place the chain does not hold."""

    kind: str  # missing, relinked, changed, anchor, truncated, expected
    seq: int
    action_id: int | None
    detail: str


@dataclass
class Report:
    checked: int = 0
    first_seq: int | None = None
    head_seq: int | None = None
    head_hash: str = ""
    unsealed: int = 0
    anchors: int = 0
    broken: Break | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


def _anchors(since: int) -> Iterator[tuple[int, str, dt.datetime]]:
    yield from (
        AuditAnchor.objects.filter(seq__gte=since).order_by("seq", "id").values_list("seq", "row_hash", "at")
    ).iterator(chunk_size=5_000)


def verify(*, since: int | None = None, expect: tuple[int, str] | None = None, chunk_size: int = 5_000) -> Report:
    """Walk the chain in seq order from ``since`` (default: the start) and stop at the first broken link.

    ``expect`` is a (seq, hash) pair an operator recorded off the machine: the chain must still hold it.
    """
    report = Report(unsealed=Action.objects.filter(seq__isnull=True).count())
    start = max(since or 1, 1)
    expected_seq = start
    prev = GENESIS
    if start > 1:
        before = Action.objects.filter(seq=start - 1).values_list("row_hash", flat=True).first()
        if before is None:
            report.broken = Break(
                "missing", start - 1, None, _("链序号 %(seq)s 的记录不存在：已被删除。") % {"seq": start - 1}
            )
            return report
        prev = before or ""
    anchors = _anchors(start)
    anchor = next(anchors, None)
    rows = (
        Action.objects.filter(seq__gte=start)
        .order_by("seq")
        .values_list("seq", "prev_hash", "row_hash", *SEALED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for seq, prev_hash, row_hash, *values in rows:
        action_id = values[0]
        if report.first_seq is None:
            report.first_seq = seq
        if seq < expected_seq:
            report.broken = Break(
                "relinked", seq, action_id, _("链序号 %(seq)s 出现了两次：有记录被伪造插入。") % {"seq": seq}
            )
            return report
        if seq > expected_seq:
            report.broken = Break(
                "missing",
                expected_seq,
                action_id,
                _("链序号 %(first)s 至 %(last)s 的记录不存在：已被删除。") % {"first": expected_seq, "last": seq - 1},
            )
            return report
        if (prev_hash or "") != prev:
            report.broken = Break(
                "relinked",
                seq,
                action_id,
                _("链序号 %(seq)s 记录的前一哈希与上一条不符：其前有记录被插入、替换或调换了顺序。") % {"seq": seq},
            )
            return report
        alg = (row_hash or "").partition(":")[0]
        if alg not in _ALGORITHMS or link_hash(prev, values, alg) != row_hash:
            report.broken = Break(
                "changed",
                seq,
                action_id,
                _("链序号 %(seq)s 记录的内容与封存时的哈希不符：记录已被修改。") % {"seq": seq},
            )
            return report
        while anchor is not None and anchor[0] <= seq:
            report.anchors += 1
            if anchor[0] == seq and anchor[1] != row_hash:
                report.broken = Break(
                    "anchor",
                    seq,
                    action_id,
                    _("链序号 %(seq)s 与 %(at)s 记录的锚点不符：此后的链已被重算。")
                    % {"seq": seq, "at": timezone.localtime(anchor[2]).strftime("%Y-%m-%d %H:%M:%S")},
                )
                return report
            anchor = next(anchors, None)
        if expect is not None and expect[0] == seq and expect[1] != row_hash:
            report.broken = Break(
                "expected", seq, action_id, _("链序号 %(seq)s 的哈希与登记的链头不符。") % {"seq": seq}
            )
            return report
        report.checked += 1
        report.head_seq, report.head_hash = seq, row_hash or ""
        prev = row_hash or ""
        expected_seq = seq + 1
    last = report.head_seq if report.head_seq is not None else start - 1
    if anchor is not None:
        report.broken = Break(
            "truncated",
            last + 1,
            None,
            _("%(at)s 的锚点记录链头为链序号 %(anchor)s，而链止于 %(last)s：末尾的记录已被删除。")
            % {
                "at": timezone.localtime(anchor[2]).strftime("%Y-%m-%d %H:%M:%S"),
                "anchor": anchor[0],
                "last": last,
            },
        )
        return report
    if expect is not None and expect[0] > last:
        report.broken = Break(
            "truncated",
            last + 1,
            None,
            _("登记的链头为链序号 %(seq)s，而链止于 %(last)s：末尾的记录已被删除。") % {"seq": expect[0], "last": last},
        )
    return report
