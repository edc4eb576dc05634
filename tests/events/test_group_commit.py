"""Reports arriving together are written together: each with its own audit row and counted exactly once, a retry
racing its first try in the same batch still gets one event, and a report inside a caller's transaction is never
batched (its commit is the caller's)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from fengqiao.core import intake
from fengqiao.core.models import Action
from fengqiao.events import services
from fengqiao.events.models import Event, Source
from fengqiao.metrics.models import PendingDelta
from tests.events.conftest import POINT_A

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wide_window(settings):
    settings.FENGQIAO_GROUP_COMMIT_MS = 100  # wide enough that threads started together meet on a loaded machine
    intake._batcher.cache_clear()
    yield intake._batcher(Event)
    intake._batcher.cache_clear()


def report_together(actor, keys: list[str]) -> dict[int, Event | BaseException]:
    results: dict[int, Event | BaseException] = {}
    barrier = threading.Barrier(len(keys))

    def one(i: int, key: str) -> None:
        try:
            barrier.wait()
            results[i] = services.report_event(
                actor=actor,
                source=Source.API,
                description=f"第 {i} 处路灯不亮",
                lon=POINT_A[0],
                lat=POINT_A[1],
                idempotency_key=key,
            )
        except BaseException as error:  # the test reports it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i, key)) for i, key in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_reports_arriving_together_share_a_commit_and_each_has_its_audit_row_and_count(worker_a, wide_window):
    results = report_together(worker_a, [f"key-{i}" for i in range(12)])
    events = [r for r in results.values() if isinstance(r, Event)]
    assert len(events) == 12, results
    assert wide_window.items == 12 and wide_window.batches < 12  # written in batches, not one by one
    stored = Event.objects.filter(pk__in=[e.pk for e in events])
    assert stored.count() == 12 and len({e.tracking_code for e in stored}) == 12
    assert all(e.grid_path and e.owner_node_id for e in stored)  # what save() would have derived
    for event in events:
        trail = Action.objects.for_object(event)
        assert list(trail.values_list("verb", "to_state")) == [("report", "reported")]
    assert PendingDelta.objects.aggregate(n=Sum("reported"))["n"] == 12  # counted once each


def test_a_retry_in_the_same_batch_as_its_first_try_gets_the_same_event(worker_a, wide_window):
    results = report_together(worker_a, ["same-key", "same-key", "other-key"])
    events = [r for r in results.values() if isinstance(r, Event)]
    assert len(events) == 3, results
    assert events[0].pk is not None
    assert Event.objects.count() == 2  # the two tries with one key are one event
    assert Action.objects.filter(verb="report").count() == 2
    assert PendingDelta.objects.aggregate(n=Sum("reported"))["n"] == 2


def test_a_report_inside_a_callers_transaction_is_not_batched_and_rolls_back_with_it(worker_a, wide_window):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.report_event(actor=worker_a, source=Source.API, description="井盖丢失", lon=POINT_A[0], lat=POINT_A[1])
        raise RuntimeError("the caller's transaction fails after the report")
    assert wide_window.items == 0
    assert not Event.objects.exists() and not Action.objects.filter(verb="report").exists()
    assert not PendingDelta.objects.exists()


def test_only_kinds_that_declare_it_are_batched(wide_window):
    from fengqiao.disputes.models import Dispute

    assert intake.batching(Event(), images=[], with_case=None)
    assert not intake.batching(Dispute(), images=[], with_case=None)  # its save() derives more than fill_derived()
    assert not intake.batching(Event(), images=[("photo", object())], with_case=None)  # photos go one by one
