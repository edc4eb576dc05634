"""Writes that a phone queues offline are sent again until an answer arrives: each must land exactly once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.dispatch import services
from fengqiao.dispatch.models import PatrolPoint, Visit

A = (113.602, 34.708)
A2 = (113.603, 34.708)


def test_a_visit_retried_with_its_key_is_recorded_once(tree, worker_a):
    first = services.record_visit(actor=worker_a, address="1号楼101", note="独居老人，身体好", idempotency_key="k-1")
    again = services.record_visit(actor=worker_a, address="1号楼101", note="独居老人，身体好", idempotency_key="k-1")
    assert again.pk == first.pk
    assert Visit.objects.count() == 1


def test_two_visits_with_different_keys_are_both_recorded(tree, worker_a):
    services.record_visit(actor=worker_a, address="1号楼101", note="走访一", idempotency_key="k-1")
    services.record_visit(actor=worker_a, address="1号楼102", note="走访二", idempotency_key="k-2")
    assert Visit.objects.count() == 2


def test_another_workers_key_never_finds_my_visit(tree, worker_a, worker_a2):
    mine = services.record_visit(actor=worker_a, address="1号楼101", note="走访一", idempotency_key="same")
    theirs = services.record_visit(actor=worker_a2, address="2号楼201", note="走访二", idempotency_key="same")
    assert theirs.pk != mine.pk and theirs.worker == worker_a2
    assert Visit.objects.count() == 2


def test_the_visit_form_posted_twice_with_its_key_records_one_visit(client, tree, worker_a):
    client.force_login(worker_a)
    page = client.get(reverse("dispatch:work"))
    key = page.context["visit_form"]["idempotency_key"].value()
    assert key
    body = {"form": "visit", "visit-address": "3号楼301", "visit-note": "矛盾已化解", "visit-idempotency_key": key}
    assert client.post(reverse("dispatch:work"), body).status_code == 302
    assert client.post(reverse("dispatch:work"), body).status_code == 302
    assert Visit.objects.filter(address="3号楼301").count() == 1


def test_a_patrol_batch_retried_with_its_key_adds_its_points_once(tree, worker_a):
    patrol = services.start_patrol(actor=worker_a)
    services.add_patrol_points(actor=worker_a, patrol=patrol, points=[A, A2], batch_key="b-1")
    patrol = services.add_patrol_points(actor=worker_a, patrol=patrol, points=[A, A2], batch_key="b-1")
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 2
    assert patrol.points_count == 2


def test_the_points_api_takes_the_idempotency_key_header(client, tree, worker_a):
    patrol = services.start_patrol(actor=worker_a)
    client.force_login(worker_a)
    url = f"/api/v1/dispatch/patrols/{patrol.pk}/points"
    body = {"points": [{"lon": A[0], "lat": A[1]}]}
    for _ in range(2):
        answer = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "p-1"})
        assert answer.status_code == 200, answer.content
    assert answer.json()["points_count"] == 1


@pytest.mark.parametrize("key", ["", None])
def test_visits_without_a_key_are_not_deduplicated(tree, worker_a, key):
    services.record_visit(actor=worker_a, address="1号楼101", note="走访", idempotency_key=key)
    services.record_visit(actor=worker_a, address="1号楼101", note="走访", idempotency_key=key)
    assert Visit.objects.count() == 2
