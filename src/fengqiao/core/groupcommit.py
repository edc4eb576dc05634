"""Group commit: the request threads of one server process hand their independent inserts to one of them, which
writes them together (one multi-row INSERT per table, one COMMIT) and answers each caller once the batch is durable.

On a durable server every COMMIT waits for a write-ahead-log flush; one flush per batch instead of one per request
lets throughput grow with concurrency instead of being held to commit latency (docs/decisions/0180).

How a batch forms (leader and followers, no extra thread): the first caller to arrive while no batch is forming
becomes its leader, waits ``window`` seconds for others, takes every item that arrived, writes them in chunks of
``max_items`` on its own database connection, and wakes each follower with its result. A caller arriving while a
leader writes starts the next batch. When a batch's write fails (a unique key taken by a concurrent retry, a
tracking code drawn twice), nothing of it was committed, and every caller is told to go the one-by-one way, where
those cases are handled one at a time; so batching never changes what a caller gets, only when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Fallback(Exception):
    """The batch could not be written as a whole: write this item on its own."""


@dataclass
class _Slot(Generic[T, R]):
    item: T
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    failed: bool = False


class Batcher(Generic[T, R]):
    """Collects items from concurrent threads and writes them with ``write`` (a list in, results in the same order
    out, all in one transaction of the writer's own)."""

    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], *, window: float, max_items: int = 200) -> None:
        self.write = write
        self.window = window
        self.max_items = max_items
        self._lock = threading.Lock()
        self._pending: list[_Slot[T, R]] = []
        self._forming = False
        self.batches = 0  # written batches, for tests and the benchmark
        self.items = 0

    def submit(self, item: T) -> R:
        """Write ``item`` with whatever else arrives within the window; raises :class:`Fallback` when the batch failed
        and nothing of it was written."""
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._pending.append(slot)
            lead = not self._forming
            self._forming = True
        if lead:
            time.sleep(self.window)
            with self._lock:
                batch, self._pending = self._pending, []
                self._forming = False
            self._write_all(batch)
        else:
            slot.done.wait()
        if slot.failed:
            raise Fallback
        return slot.result  # type: ignore[no-any-return]

    def _write_all(self, batch: list[_Slot[T, R]]) -> None:
        try:
            for start in range(0, len(batch), self.max_items):
                chunk = batch[start : start + self.max_items]
                try:
                    results = list(self.write([slot.item for slot in chunk]))
                    if len(results) != len(chunk):
                        raise ValueError("a batch writer must answer every item")
                except Exception:  # each caller retries alone and meets the error itself, if any
                    for slot in chunk:
                        slot.failed = True
                        slot.done.set()
                    continue
                self.batches += 1
                self.items += len(chunk)
                for slot, result in zip(chunk, results, strict=True):
                    slot.result = result
                    slot.done.set()
        finally:
            for slot in batch:  # the leader interrupted: nobody waits for ever
                if not slot.done.is_set():
                    slot.failed = True
                    slot.done.set()
