"""Dashboards on the first day of a month: the month to date has barely begun, so they show the whole previous month,
labelled as such, instead of 0 and "—"; a period with nothing in it says so; and a grid with no data says so in
place of a blank chart."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from fengqiao.dashboard import selectors
from fengqiao.metrics import selectors as metrics
from tests.factories import make_user

API = "/api/v1/dashboard/map"
FIRST = dt.date(2026, 12, 1)
NOON_ON_THE_FIRST = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"], password=None)


@pytest.fixture
def last_months_events(tree, make_event, fold):
    """Three events reported and closed in November, none yet in December."""
    with mock.patch("django.utils.timezone.now", return_value=NOON_ON_THE_FIRST):
        for days in (3, 10, 20):
            reported = NOON_ON_THE_FIRST - dt.timedelta(days=days)
            event = make_event("410105001001001", hours_ago=days * 24, state="closed", closed_at=reported)
            event.registered_at = event.handled_at = reported
            event.save()
    fold()


def test_on_the_first_of_a_month_the_shown_month_is_the_previous_one_labelled_as_such():
    period = metrics.shown_period("month", today=FIRST)
    assert (period.start, period.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period.previous and str(period.label) == "上月"


def test_on_other_days_the_shown_month_is_the_month_to_date():
    period = metrics.shown_period("month", today=dt.date(2026, 12, 2))
    assert (period.start, period.end, period.previous) == (FIRST, dt.date(2026, 12, 2), False)
    assert str(period.label) == "本月"


def test_on_new_years_day_the_year_shown_is_last_year():
    period = metrics.shown_period("year", today=dt.date(2027, 1, 1))
    assert (period.start, period.end, str(period.label)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "去年")


def test_the_map_on_the_first_shows_last_months_figures_not_zero(client, tree, leader, last_months_events):
    client.force_login(leader)
    with mock.patch("django.utils.timezone.now", return_value=NOON_ON_THE_FIRST):
        data = client.get(API, {"period": "month"}).json()
    assert data["period"]["label"] == "上月" and data["period"]["previous"] is True
    assert data["period"]["start"] == "2026-11-01" and data["period"]["end"] == "2026-11-30"
    figures = data["node"]["figures"]
    assert figures["reported"] == 3 and figures["closed"] == 3
    assert figures["closure_rate"] is not None  # a rate, not "—"
    assert data["period"]["empty"] is False


def test_a_month_with_nothing_in_it_says_so(tree, leader, last_months_events):
    sixth = NOON_ON_THE_FIRST + dt.timedelta(days=5)
    period = metrics.shown_period("month", today=timezone.localdate(sixth))
    data = selectors.map_payload(actor=leader, code="410105", period=period, now=sixth)
    assert data["period"]["empty"] is True
    assert data["period"]["empty_text"] == "本月暂无数据"


def test_a_micro_grid_with_no_data_names_its_empty_state(client, tree, leader):
    client.force_login(leader)
    data = client.get(API, {"node": "410105001001001001"}).json()
    assert data["children"] == [] and data["categories"] == []
    assert data["empty_text"] == "该网格暂无数据"


def test_the_ranking_page_on_the_first_ranks_last_month(client, tree, leader, last_months_events):
    client.force_login(leader)
    with mock.patch("django.utils.timezone.now", return_value=NOON_ON_THE_FIRST):
        page = client.get("/metrics/ranking/", {"node": "410105", "period": "month"})
    assert page.status_code == 200, page.headers.get("Location")
    assert page.context["period"].previous
    assert "上月" in page.content.decode()
    street = next(u for u in page.context["units"] if u.code == "410105001")
    assert street.figures.counts["reported"] == 3


def test_the_payload_is_computed_for_a_period_given_explicitly(tree, leader, last_months_events):
    period = metrics.shown_period("month", today=FIRST)
    data = selectors.map_payload(actor=leader, code="410105", period=period, now=NOON_ON_THE_FIRST)
    assert data["node"]["figures"]["reported"] == 3


def test_the_ranking_page_of_an_empty_period_says_so(client, tree, leader):
    client.force_login(leader)
    page = client.get("/metrics/ranking/", {"node": "410105", "period": "month"})
    text = page.context["period"].empty_text
    assert text in ("本月暂无数据", "上月暂无数据")
    assert text in page.content.decode()
