"""Group commit: concurrent callers share one write, each gets its own result, and a failed batch writes nothing
and sends every caller the one-by-one way."""

from __future__ import annotations

import threading

import pytest

from fengqiao.core.groupcommit import Batcher, Fallback


def run_together(batcher: Batcher, items: list[int]) -> dict[int, object]:
    results: dict[int, object] = {}
    barrier = threading.Barrier(len(items))

    def one(item: int) -> None:
        barrier.wait()
        try:
            results[item] = batcher.submit(item)
        except Fallback as fallback:
            results[item] = fallback

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_concurrent_callers_share_batches_and_each_gets_its_own_result():
    written: list[list[int]] = []

    def write(items):
        written.append(list(items))
        return [item * 10 for item in items]

    batcher = Batcher(write, window=0.05, max_items=8)
    results = run_together(batcher, list(range(20)))
    assert results == {item: item * 10 for item in range(20)}
    assert sorted(item for batch in written for item in batch) == list(range(20))  # each written once
    assert all(len(batch) <= 8 for batch in written)
    assert len(written) < 20 and batcher.batches == len(written) and batcher.items == 20


def test_a_failed_batch_writes_nothing_and_sends_each_caller_its_own_way():
    def write(items):
        if 3 in items:
            raise RuntimeError("a unique key was taken")
        return items

    batcher = Batcher(write, window=0.05, max_items=100)
    results = run_together(batcher, [1, 2, 3, 4])
    assert all(isinstance(result, Fallback) for result in results.values())
    assert batcher.items == 0


def test_a_lone_caller_is_answered_after_the_window():
    batcher = Batcher(lambda items: [f"ok {item}" for item in items], window=0.001)
    assert batcher.submit(7) == "ok 7"
    assert batcher.submit(8) == "ok 8"
    assert batcher.batches == 2


def test_a_writer_that_returns_the_wrong_number_of_results_fails_every_caller():
    batcher = Batcher(lambda items: items[:-1], window=0.05)
    results = run_together(batcher, [1, 2, 3])
    assert all(isinstance(result, Fallback) for result in results.values())


@pytest.mark.parametrize("window", [0.0, 0.002])
def test_many_rounds_never_lose_a_caller(window):
    batcher = Batcher(lambda items: list(items), window=window, max_items=3)
    for round_ in range(5):
        items = list(range(round_ * 10, round_ * 10 + 10))
        assert run_together(batcher, items) == {item: item for item in items}
