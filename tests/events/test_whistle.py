"""吹哨报到: a whistle calls departments to an event; each signs, says who comes and when, and reports back on its own
row, on its own clocks; only a handler of that department may act on the row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core import deadlines
from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.events import selectors, services, whistles
from fengqiao.events.models import Summons
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture
def water(tree):
    return Department.objects.create(node=tree["410105"], name="金水区水务局", code="410105-WAT", kind="water")


@pytest.fixture
def water_handler(water):
    user = make_user("water_handler", full_name="孙涛", password=None)
    Membership.objects.create(user=user, node=water.node, role=Role.HANDLER, department=water)
    return user


@pytest.fixture
def grid_leader(tree):
    return make_user("leader_a", role=Role.GRID_LEADER, node=tree["410105001001"], full_name="周敏", password=None)


@pytest.fixture
def registered(event, dispatcher):
    return services.register_event(actor=dispatcher, event=event, now=T0)


def rows(event):
    return {row.department.code: row for row in Summons.objects.filter(event=event).select_related("department")}


def test_routing_with_co_departments_opens_a_report_back_row_for_each_with_its_clocks(
    registered, dispatcher, urban, water
):
    services.route_event(actor=dispatcher, event=registered, department=urban, co_departments=[water, urban], now=T0)
    made = rows(registered)
    assert list(made) == ["410105-WAT"]  # the lead department is not summoned to its own event
    row = made["410105-WAT"]
    assert row.state == "summoned" and row.summoned_by == dispatcher
    assert row.sign_due_at == T0 + dt.timedelta(hours=2)
    assert row.report_due_at is not None and row.report_due_at > row.sign_due_at
    assert Action.objects.for_object(row).get().verb == "summon"


def test_the_centre_and_a_grid_leader_may_blow_the_whistle_a_grid_worker_may_not(
    registered, dispatcher, grid_leader, worker_a, urban, water
):
    with pytest.raises(WorkflowError):
        whistles.blow_whistle(actor=worker_a, event=registered, departments=[urban])
    assert not Summons.objects.exists()
    whistles.blow_whistle(actor=grid_leader, event=registered, departments=[urban], note="路面塌陷需多部门到场")
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[water], now=T0)
    assert set(rows(registered)) == {"410105-URB", "410105-WAT"}
    assert set(registered.co_departments.values_list("code", flat=True)) == {"410105-URB", "410105-WAT"}
    assert [a.verb for a in Action.objects.for_object(registered)].count("whistle") == 2


def test_a_department_outside_the_event_area_cannot_be_summoned(registered, dispatcher, police_b):
    with pytest.raises(WorkflowError) as err:
        whistles.blow_whistle(actor=dispatcher, event=registered, departments=[police_b])
    assert err.value.code == "department_outside_area"
    assert not Summons.objects.exists()


def test_a_dispatcher_of_another_street_cannot_whistle(registered, tree, urban):
    other = make_user("disp_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    with pytest.raises(WorkflowError):
        whistles.blow_whistle(actor=other, event=registered, departments=[urban])


def test_a_department_signs_says_who_comes_and_reports_back_and_the_whistle_is_answered(
    registered, dispatcher, urban, water, handler, water_handler
):
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban, water], now=T0)
    assert selectors.whistle_answered(event=registered) is False
    for user, code in ((handler, "410105-URB"), (water_handler, "410105-WAT")):
        row = rows(registered)[code]
        whistles.sign_summons(actor=user, summons=row, now=T0 + dt.timedelta(hours=1))
        whistles.arrange_summons(actor=user, summons=row, attendee="赵强、孙涛", arrive_at="2026-03-10T14:00")
        whistles.report_summons(actor=user, summons=row, report="已到场查看并封闭现场", now=T0 + dt.timedelta(hours=5))
        row.refresh_from_db()
        assert row.state == "reported" and row.signed_at == T0 + dt.timedelta(hours=1)
        assert row.attendee == "赵强、孙涛" and row.arrive_at is not None
        assert [a.verb for a in Action.objects.for_object(row).order_by("at", "id")] == [
            "summon",
            "sign",
            "arrange",
            "report",
        ]
        assert all(a.actor_id == user.pk for a in Action.objects.for_object(row).exclude(verb="summon"))
    assert selectors.whistle_answered(event=registered) is True


def test_reporting_back_needs_the_arrangement_first(registered, dispatcher, urban, handler):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    whistles.sign_summons(actor=handler, summons=row)
    with pytest.raises(WorkflowError):
        whistles.report_summons(actor=handler, summons=row, report="已处理")


# -- attacks ----------------------------------------------------------------------------------------------------------
def _unchanged(row, state="summoned"):
    row.refresh_from_db()
    assert row.state == state and row.signed_at is None and row.reported_at is None
    assert [a.verb for a in Action.objects.for_object(row).order_by("at", "id")] == ["summon"]


def test_another_departments_handler_cannot_act_on_a_row(registered, dispatcher, urban, water, handler, water_handler):
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban, water])
    water_row = rows(registered)["410105-WAT"]
    with pytest.raises(WorkflowError):
        whistles.sign_summons(actor=handler, summons=water_row)  # 城管 handler on 水务's row
    _unchanged(water_row)


def test_a_dispatcher_cannot_report_for_a_department(registered, dispatcher, urban):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    for step in (
        lambda: whistles.sign_summons(actor=dispatcher, summons=row),
        lambda: whistles.report_summons(actor=dispatcher, summons=row, report="代为反馈"),
    ):
        with pytest.raises(WorkflowError):
            step()
    _unchanged(row)


def test_a_forged_department_id_in_the_post_does_not_change_whose_row_it_is(
    client, registered, dispatcher, urban, water, handler
):
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban, water])
    water_row = rows(registered)["410105-WAT"]
    client.force_login(handler)
    url = reverse("events:summons_step", args=[water_row.pk, "sign"])
    answer = client.post(url, {"department": urban.pk, "department_id": urban.pk})
    assert answer.status_code == 302  # refused with a message; the row is another department's
    _unchanged(water_row)


def test_a_dispatcher_posting_a_report_through_the_page_is_refused(client, registered, dispatcher, urban):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    client.force_login(dispatcher)
    client.post(reverse("events:summons_step", args=[row.pk, "sign"]))
    _unchanged(row)


def test_a_handler_of_an_unrelated_department_gets_404(client, registered, dispatcher, urban, other_handler):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    client.force_login(other_handler)
    assert client.post(reverse("events:summons_step", args=[row.pk, "sign"])).status_code == 404
    _unchanged(row)


def test_a_handler_of_the_department_posted_outside_its_area_cannot_act(registered, dispatcher, urban, tree):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    # The department's area shrinks to street B after the whistle: its handler no longer acts on street A's event.
    Department.objects.filter(pk=urban.pk).update(node=tree["410105002"], node_path=tree["410105002"].path)
    stray = make_user("stray", password=None)
    Membership.objects.create(user=stray, node=tree["410105002"], role=Role.HANDLER, department=urban)
    row = Summons.objects.select_related("department").get(pk=row.pk)
    with pytest.raises(WorkflowError):
        whistles.sign_summons(actor=stray, summons=row)
    _unchanged(row)


# -- clocks ---------------------------------------------------------------------------------------------------------
def test_each_department_has_its_own_colour_on_a_controlled_clock(
    registered, dispatcher, urban, water, handler, settings
):
    settings.FENGQIAO_WHISTLE_SIGN = "2h"
    settings.FENGQIAO_WHISTLE_REPORT = "8h"
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban, water], now=T0)
    whistles.sign_summons(actor=handler, summons=rows(registered)["410105-URB"], now=T0 + dt.timedelta(minutes=30))

    def colours(at):
        return {r.department.code: (r.colour, r.flag) for r in selectors.summonses_of(event=registered, now=at)}

    assert colours(T0 + dt.timedelta(hours=1)) == {"410105-URB": ("green", ""), "410105-WAT": ("green", "")}
    assert colours(T0 + dt.timedelta(hours=1, minutes=45)) == {
        "410105-URB": ("green", ""),
        "410105-WAT": ("orange", "sign_nearly_due"),
    }
    assert colours(T0 + dt.timedelta(hours=3)) == {"410105-URB": ("green", ""), "410105-WAT": ("red", "sign_overdue")}
    assert colours(T0 + dt.timedelta(hours=7))["410105-URB"] == ("orange", "report_nearly_due")
    assert colours(T0 + dt.timedelta(hours=9))["410105-URB"] == ("red", "report_overdue")


def test_the_warnings_go_out_once_to_the_department_and_then_to_the_centre(
    registered, dispatcher, urban, handler, settings
):
    settings.FENGQIAO_WHISTLE_SIGN = "2h"
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban], now=T0)
    sent = deadlines.send_warnings(now=T0 + dt.timedelta(hours=1, minutes=45))
    assert sent["summons.sign_nearly_due"] == 1
    sent = deadlines.send_warnings(now=T0 + dt.timedelta(hours=3))
    assert sent["summons.sign_overdue"] == 1 and sent["summons.sign_nearly_due"] == 0
    assert deadlines.send_warnings(now=T0 + dt.timedelta(hours=3))["summons.sign_overdue"] == 0


# -- pages ----------------------------------------------------------------------------------------------------------
def test_the_event_page_shows_each_department_and_the_handler_gets_the_buttons(
    client, registered, dispatcher, urban, water, handler
):
    whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban, water])
    client.force_login(handler)
    page = client.get(reverse("events:detail", args=[registered.tracking_code])).content.decode()
    assert "金水区城管局" in page and "金水区水务局" in page and "待签收" in page
    urban_row = rows(registered)["410105-URB"]
    water_row = rows(registered)["410105-WAT"]
    assert reverse("events:summons_step", args=[urban_row.pk, "sign"]) in page
    assert reverse("events:summons_step", args=[water_row.pk, "sign"]) not in page
    assert 'data-colour="green"' in page
    listing = client.get(reverse("events:whistles")).content.decode()
    assert registered.tracking_code in listing


def test_the_whistle_form_is_offered_to_the_centre_and_posts(client, registered, dispatcher, water):
    client.force_login(dispatcher)
    page = client.get(reverse("events:detail", args=[registered.tracking_code])).content.decode()
    assert 'id="whistle-form"' in page
    client.post(reverse("events:whistle", args=[registered.tracking_code]), {"departments": [water.pk], "note": "x"})
    assert set(rows(registered)) == {"410105-WAT"}


def test_a_handler_gets_no_whistle_form(client, registered, dispatcher, urban, handler):
    services.route_event(actor=dispatcher, event=registered, department=urban)
    client.force_login(handler)
    page = client.get(reverse("events:detail", args=[registered.tracking_code])).content.decode()
    assert 'id="whistle-form"' not in page
    client.post(reverse("events:whistle", args=[registered.tracking_code]), {"departments": [urban.pk]})
    assert not Summons.objects.exists()


def test_timezone_aware_arrival(registered, dispatcher, urban, handler):
    (row,) = whistles.blow_whistle(actor=dispatcher, event=registered, departments=[urban])
    whistles.sign_summons(actor=handler, summons=row)
    whistles.arrange_summons(actor=handler, summons=row, attendee="赵强", arrive_at="2026-03-10T14:00")
    assert timezone.is_aware(Summons.objects.get(pk=row.pk).arrive_at)
    with pytest.raises(WorkflowError) as err:
        whistles.arrange_summons(actor=handler, summons=row, attendee="赵强", arrive_at="明天下午")
    assert err.value.code == "bad_arrival"


def test_the_demo_city_gets_whistles_through_the_services(registered, dispatcher, urban, water, handler, water_handler):
    from fengqiao.events.demo import generate_whistles

    services.route_event(actor=dispatcher, event=registered, department=urban)
    assert generate_whistles(seed=1, limit=5) == 1
    (row,) = Summons.objects.filter(event=registered)
    assert row.department == water and row.summoned_by == dispatcher
    assert Action.objects.for_object(row).filter(verb="summon").exists()
    assert generate_whistles(seed=1, limit=5) == 0  # an event is whistled once
