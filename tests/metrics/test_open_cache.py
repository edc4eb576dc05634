"""Open-event figures above the community level are remembered briefly; an explicit time always recomputes."""

from __future__ import annotations

from django.core.cache import cache, caches

from fengqiao.metrics.selectors import open_figures, warm_open_figures


def test_figures_are_remembered_for_the_configured_seconds(make_event, tree, dispatcher, settings):
    settings.FENGQIAO_OPEN_FIGURES_SECONDS = 60
    cache.clear()
    caches["shared"].clear()
    district = tree["410105"]
    children = [tree["410105001"].path, tree["410105002"].path]
    make_event()
    first = open_figures(actor=dispatcher, node=district, child_paths=children)
    make_event()
    assert open_figures(actor=dispatcher, node=district, child_paths=children).total["open"] == first.total["open"] == 1
    from django.utils import timezone

    assert open_figures(actor=dispatcher, node=district, child_paths=children, now=timezone.now()).total["open"] == 2
    cache.clear()
    caches["shared"].clear()


def test_another_jurisdiction_never_reads_a_remembered_answer(make_event, tree, dispatcher, superuser, settings):
    settings.FENGQIAO_OPEN_FIGURES_SECONDS = 60
    cache.clear()
    caches["shared"].clear()
    district = tree["410105"]
    children = [tree["410105001"].path, tree["410105002"].path]
    make_event("410105002001001")
    assert open_figures(actor=superuser, node=district, child_paths=children).total["open"] == 1
    from tests.factories import make_user

    street_a = make_user("street_a", role="dispatcher", node=tree["410105001"], password=None)
    assert open_figures(actor=street_a, node=district, child_paths=children).total["open"] == 0
    cache.clear()
    caches["shared"].clear()


def test_the_worker_keeps_the_city_and_districts_warm_for_every_server_process(make_event, tree, dispatcher, settings):
    settings.FENGQIAO_OPEN_FIGURES_SECONDS = 60
    cache.clear()
    caches["shared"].clear()
    make_event()
    assert warm_open_figures() == 2  # the city and its one district
    make_event()
    district = tree["410105"]
    children = [tree["410105001"].path, tree["410105002"].path]
    # The map reads the worker's answer (one event), not a fresh count (two).
    assert open_figures(actor=dispatcher, node=district, child_paths=children).total["open"] == 1
    caches["shared"].clear()
