"""Which reads may go to the replica: the rules, each tried against what should stop it.

The real primary and hot standby are exercised by tests/replica (run by .ci/run with both servers up)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from fengqiao.core import dbrouting
from fengqiao.core.dbrouting import STICKY_COOKIE, ReplicaReadsMiddleware, ReplicaRouter, replica_reads


@pytest.fixture
def healthy(monkeypatch):
    monkeypatch.setattr(dbrouting.health, "usable", lambda: True)


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(dbrouting, "configured", lambda: True)


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the test opens its own
def test_reads_go_to_the_replica_only_inside_a_replica_page_with_no_write_transaction_open(healthy):
    router = ReplicaRouter()
    assert router.db_for_read(None) is None
    with replica_reads():
        assert router.db_for_read(None) == "replica"
        with transaction.atomic():  # a read inside a write transaction must see that transaction
            assert router.db_for_read(None) is None
    assert router.db_for_read(None) is None


def test_an_unhealthy_replica_is_not_read(monkeypatch):
    monkeypatch.setattr(dbrouting.health, "usable", lambda: False)
    with replica_reads():
        assert ReplicaRouter().db_for_read(None) is None


def test_writes_and_migrations_only_on_the_primary():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(None) == "default"
    assert router.allow_migrate("default", "events")
    assert not router.allow_migrate("replica", "events")


def _through(request, view=lambda r: HttpResponse("ok")):
    middleware = ReplicaReadsMiddleware(view)
    return middleware(request)


def test_a_write_marks_the_writer_and_only_for_the_sticky_window(with_replica, settings):
    settings.FENGQIAO_REPLICA_STICKY_SECONDS = 5
    factory = RequestFactory()
    assert STICKY_COOKIE not in _through(factory.get("/events/")).cookies
    response = _through(factory.post("/events/report/"))
    mark = response.cookies[STICKY_COOKIE].value
    reader = factory.get("/events/")
    reader.COOKIES[STICKY_COOKIE] = mark
    assert dbrouting.wrote_recently(reader)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=30)):
        assert not dbrouting.wrote_recently(reader)
    forged = factory.get("/events/")
    forged.COOKIES[STICKY_COOKIE] = "1"
    assert not dbrouting.wrote_recently(forged)
    assert not dbrouting.wrote_recently(factory.get("/events/"))


def test_without_a_replica_no_mark_is_set(settings):
    assert STICKY_COOKIE not in _through(RequestFactory().post("/events/report/")).cookies


def test_only_the_named_pages_read_from_the_replica_and_not_for_a_recent_writer(with_replica, healthy, settings):
    settings.FENGQIAO_REPLICA_VIEWS = ["events:queue"]
    seen: list[str | None] = []

    def view(request):
        seen.append(ReplicaRouter().db_for_read(None))
        return HttpResponse("ok")

    middleware = ReplicaReadsMiddleware(lambda r: HttpResponse("ok"))
    factory = RequestFactory()
    for path, method in (("/events/", "get"), ("/dispatch/", "get"), ("/events/", "post")):
        request = getattr(factory, method)(path)
        request.resolver_match = resolve(path)
        answer = middleware.process_view(request, view, (), {})
        if answer is None:  # not a replica page: Django calls the view itself, on the primary
            view(request)
    assert seen == ["replica", None, None]
    marked = factory.get("/events/")
    marked.resolver_match = resolve("/events/")
    marked.COOKIES[STICKY_COOKIE] = _through(factory.post("/x/")).cookies[STICKY_COOKIE].value
    assert middleware.process_view(marked, view, (), {}) is None
