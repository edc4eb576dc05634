"""Moving personal data to the newest key: re-encrypt every ``EncryptedTextField`` and recompute blind indexes.

Models are discovered through ``apps.get_models()``, so a new encrypted column needs no registration here; a column
that has a blind index names it with ``index_field``. Rows are read as stored (the ciphertext, not the plain value),
in primary-key batches, each batch in its own transaction, so a long run can be interrupted and started again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from fengqiao.core import crypto, pii


@dataclass
class Tally:
    """What one model needed (``--check``) or got (a run)."""

    label: str
    rows: int = 0
    values: int = 0  # encrypted values seen
    reencrypted: int = 0  # values not under the newest key (re-encrypted on a run)
    reindexed: int = 0  # blind indexes that differed from the current index key (recomputed on a run)
    fields: list[str] = field(default_factory=list)


def encrypted_models() -> Iterator[tuple[type[models.Model], list[pii.EncryptedTextField]]]:
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        encrypted = [f for f in meta.concrete_fields if isinstance(f, pii.EncryptedTextField)]
        if encrypted:
            yield model, encrypted


def _batch(
    model: type[models.Model], encrypted: list[pii.EncryptedTextField], pks: list[object], tally: Tally, write: bool
) -> None:
    raw_names = {f.attname: f"_raw_{f.attname}" for f in encrypted}
    index_names = [f.index_field for f in encrypted if f.index_field]
    rows = model._default_manager.filter(pk__in=pks)
    if write:
        rows = rows.select_for_update()
    rows = rows.annotate(**{raw: Cast(name, models.TextField()) for name, raw in raw_names.items()})
    for row in rows.values("pk", *raw_names.values(), *index_names):
        changes: dict[str, str] = {}
        for f in encrypted:
            token = row[raw_names[f.attname]]
            if not token:
                continue
            tally.values += 1
            try:
                plain = crypto.decrypt(token)
            except crypto.DecryptionError as exc:
                raise crypto.DecryptionError(f"{tally.label} #{row['pk']} {f.name}: {exc}") from exc
            if not crypto.is_current(token):
                tally.reencrypted += 1
                changes[f.attname] = plain  # the field encrypts it under the newest key on save
            if f.index_field:
                index = pii.blind_index(plain)
                if row[f.index_field] != index:
                    tally.reindexed += 1
                    changes[f.index_field] = index
        if changes and write:
            model._default_manager.filter(pk=row["pk"]).update(**changes)


def rekey(*, batch_size: int = 500, write: bool = True) -> list[Tally]:
    """Re-encrypt and re-index everything (``write``), or only count what is left to do."""
    tallies = []
    for model, encrypted in encrypted_models():
        tally = Tally(label=model._meta.label, fields=[f.name for f in encrypted])
        last = None
        while True:
            ids = model._default_manager.order_by("pk")
            if last is not None:
                ids = ids.filter(pk__gt=last)
            pks = list(ids.values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            with transaction.atomic():
                _batch(model, encrypted, pks, tally, write)
            tally.rows += len(pks)
            last = pks[-1]
        tallies.append(tally)
    return tallies
