"""部门报到排名: summoned, reported, reported on time, 报到率, on-time rate and mean time to report per department,
over the whistles in the viewer's jurisdiction and period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.events import selectors, services, whistles
from fengqiao.events.models import Source, Summons
from tests.events.conftest import POINT_A, POINT_B
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, a Tuesday


@pytest.fixture
def water(tree):
    return Department.objects.create(node=tree["410105"], name="金水区水务局", code="410105-WAT", kind="water")


@pytest.fixture
def water_handler(water):
    user = make_user("water_handler", password=None)
    Membership.objects.create(user=user, node=water.node, role=Role.HANDLER, department=water)
    return user


def registered_event(actor, dispatcher, point, text, category):
    event = services.report_event(
        actor=actor, source=Source.PATROL, description=text, category=category, lon=point[0], lat=point[1], now=T0
    )
    return services.register_event(actor=dispatcher, event=event, now=T0)


def answer(user, row, *, after_hours):
    at = T0 + dt.timedelta(hours=after_hours)
    whistles.sign_summons(actor=user, summons=row, now=at)
    whistles.arrange_summons(actor=user, summons=row, attendee="值班人员", arrive_at=at)
    whistles.report_summons(actor=user, summons=row, report="已到场处理", now=at)


@pytest.fixture
def whistled(tree, dispatcher, worker_a, worker_b, litter, urban, water, handler, water_handler, settings):
    """Three events in street A, one in street B: 城管 answers all of A on time and B late; 水务 answers one of two."""
    settings.FENGQIAO_WHISTLE_REPORT = "8h"
    events = [registered_event(worker_a, dispatcher, POINT_A, f"路面破损第{i}处", litter) for i in range(3)]
    b = registered_event(worker_b, dispatcher, POINT_B, "乙街道路灯不亮", litter)
    for event in events:
        whistles.blow_whistle(actor=dispatcher, event=event, departments=[urban], now=T0)
    whistles.blow_whistle(actor=dispatcher, event=b, departments=[urban], now=T0)
    whistles.blow_whistle(actor=dispatcher, event=events[0], departments=[water], now=T0)
    whistles.blow_whistle(actor=dispatcher, event=events[1], departments=[water], now=T0)
    for event, hours in zip(events, (1, 2, 3), strict=True):
        answer(handler, Summons.objects.get(event=event, department=urban), after_hours=hours)
    answer(handler, Summons.objects.get(event=b, department=urban), after_hours=10)  # past its 8 hours
    answer(water_handler, Summons.objects.get(event=events[0], department=water), after_hours=6)
    return events


def test_the_figures_per_department(whistled, dispatcher):
    day = T0.date()
    ranked = selectors.whistle_ranking(actor=dispatcher, since=day, until=day)
    assert [s.department.code for s in ranked] == ["410105-URB", "410105-WAT"]
    urban, water = ranked
    assert (urban.summoned, urban.reported, urban.on_time) == (4, 4, 3)
    assert urban.report_rate == 1.0 and urban.on_time_rate == 0.75
    assert urban.hours_to_report == pytest.approx((1 + 2 + 3 + 10) / 4)
    assert (water.summoned, water.reported, water.on_time) == (2, 1, 1)
    assert water.report_rate == 0.5 and water.hours_to_report == pytest.approx(6)


def test_the_figures_are_scoped_to_the_viewer_and_the_period(whistled, tree):
    street_a = make_user("disp_a", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    day = T0.date()
    (urban, _water) = selectors.whistle_ranking(actor=street_a, since=day, until=day)
    assert (urban.summoned, urban.on_time) == (3, 3)  # street B's late answer is not street A's to see
    assert (
        selectors.whistle_ranking(actor=street_a, since=day + dt.timedelta(days=1), until=day + dt.timedelta(2)) == []
    )


def test_a_handler_or_a_worker_gets_no_ranking(whistled, handler, worker_a, client):
    day = T0.date()
    assert selectors.whistle_ranking(actor=handler, since=day, until=day) == []
    client.force_login(worker_a)
    assert client.get(reverse("events:whistle_ranking")).status_code == 403


def test_the_page_shows_the_rates(whistled, dispatcher, client):
    client.force_login(dispatcher)
    page = client.get(reverse("events:whistle_ranking"), {"since": "2026-03-10", "until": "2026-03-10"})
    text = page.content.decode()
    assert page.status_code == 200 and "金水区城管局" in text and "75%" in text and "50%" in text
