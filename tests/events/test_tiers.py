"""四事分办 by level and 首接负责制: the owning centre acts, a lower one only reads, the queue follows the tier, and a
returned routing goes back to whoever first received the matter."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.core.signals import notify
from fengqiao.events import selectors, services, tiers
from fengqiao.events.models import Category, Event, Source
from fengqiao.events.selectors import QueueFilters
from fengqiao.grids.models import Level
from tests.events.conftest import POINT_A
from tests.factories import make_user


@pytest.fixture
def community_a(tree):
    """A dispatcher of 甲社区's centre."""
    return make_user("community_a", role=Role.DISPATCHER, node=tree["410105001001"], full_name="社区甲")


@pytest.fixture
def street_a(tree):
    return make_user("street_a", role=Role.DISPATCHER, node=tree["410105001"], full_name="街道甲")


@pytest.fixture
def street_b(tree):
    return make_user("street_b", role=Role.DISPATCHER, node=tree["410105002"], full_name="街道乙")


@pytest.fixture
def county_event(tree, worker_a):
    """A county-tier matter (黄赌毒线索) reported by a worker of 甲一网格."""
    return services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="有人聚众赌博",
        category=Category.objects.get(code="0202"),
        lon=POINT_A[0],
        lat=POINT_A[1],
    )


@pytest.fixture
def captured():
    received: list[dict] = []
    notify.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="test-tiers")
    yield received
    notify.disconnect(dispatch_uid="test-tiers")


def codes(qs):
    return {e.tracking_code for e in qs}


# -- the owning centre ----------------------------------------------------------------------------------------------
def test_the_owner_is_the_grids_ancestor_at_the_tiers_centre_level(tree, event, county_event):
    assert event.tier == "grid" and event.owner_node == tree["410105001001"]  # a grid's matter: its community centre
    assert county_event.tier == "county" and county_event.owner_node == tree["410105"]
    assert tiers.centre_level("street") == Level.STREET
    assert tiers.owning_centre(event.grid_path, "street") == tree["410105001"]


def test_escalation_moves_the_owner_and_audits_it(tree, event, community_a, dispatcher, worker_a):
    services.register_event(actor=community_a, event=event)
    services.escalate_event(actor=worker_a, event=event, note="需要街道协调")
    event.refresh_from_db()
    assert event.tier == "community" and event.owner_node == tree["410105001001"]
    services.escalate_event(actor=worker_a, event=event, note="社区处理不了")
    event.refresh_from_db()
    assert event.tier == "street" and event.owner_node == tree["410105001"]
    row = Action.objects.filter(verb="escalate").order_by("-pk").first()
    assert row is not None and row.data["owner"]["pk"] == tree["410105001"].pk


# -- who may act ------------------------------------------------------------------------------------------------
def test_a_community_dispatcher_posting_on_a_county_event_is_refused_and_nothing_changes(
    client, county_event, community_a
):
    before = (county_event.state, Action.objects.count())
    client.force_login(community_a)
    page = client.get(f"/events/{county_event.tracking_code}/").content.decode()
    assert "本级只读" in page and f"/events/{county_event.tracking_code}/act/register/" not in page
    answer = client.post(
        f"/events/{county_event.tracking_code}/act/register/", {"category": "0202"}, follow=True
    ).content.decode()
    assert "该事件已上报至上级，由上级中心处置，本级只读。" in answer
    county_event.refresh_from_db()
    assert (county_event.state, Action.objects.count()) == before


def test_the_service_refuses_with_the_tier_code_and_a_bare_refusal_stays_for_other_roles(
    county_event, community_a, worker_b
):
    with pytest.raises(WorkflowError) as refused:
        services.reject_event(actor=community_a, event=county_event, note="不属实")
    assert refused.value.code == "tier_above_you" and refused.value.status == 403
    with pytest.raises(WorkflowError) as plain:  # not a centre: the table's own refusal, not the tier's
        services.reject_event(actor=worker_b, event=county_event, note="不属实")
    assert plain.value.code == "not_permitted"
    with pytest.raises(WorkflowError) as supervised:  # 督办 from below the owner is no order at all
        services.supervise_event(actor=community_a, event=county_event, note="请加快")
    assert supervised.value.code == "tier_above_you" and not county_event.supervisions.exists()


def test_the_api_refuses_a_forged_action_from_below_with_the_tier_code(county_event, community_a):
    client = Client()
    client.force_login(community_a)
    response = client.post(
        f"/api/v1/events/{county_event.tracking_code}/actions/reject",
        {"note": "伪造"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "tier_above_you"
    county_event.refresh_from_db()
    assert county_event.state == "reported"


def test_a_street_dispatcher_still_cannot_reach_another_streets_event(client, county_event, street_b):
    client.force_login(street_b)
    assert client.get(f"/events/{county_event.tracking_code}/").status_code == 404
    assert client.post(f"/events/{county_event.tracking_code}/act/reject/", {"note": "x"}).status_code == 404
    county_event.refresh_from_db()
    assert county_event.state == "reported"


def test_a_higher_centre_may_step_in_and_the_owning_one_acts(event, county_event, dispatcher, street_a, community_a):
    services.register_event(actor=community_a, event=event)  # a grid-tier matter: the community centre acts
    services.register_event(actor=dispatcher, event=county_event)  # the county centre owns it
    assert event.state == county_event.state == "registered"
    other = services.report_event(
        actor=None,
        source=Source.RESIDENT,
        description="小区门口垃圾满了",
        category=Category.objects.get(code="0403"),
        reporter_phone="13812345678",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    services.register_event(actor=street_a, event=other)  # above the owner: may step in
    assert other.state == "registered"


def test_a_grid_worker_still_settles_a_registered_event_of_the_grid(event, community_a, worker_a):
    services.register_event(actor=community_a, event=event)
    services.handle_in_grid(actor=worker_a, event=event, result="已清运")
    assert event.state == "handled"


def test_a_lower_centre_may_not_approve_an_extension_above_it(county_event, dispatcher, community_a, urban, handler):
    services.register_event(actor=dispatcher, event=county_event)
    services.route_event(actor=dispatcher, event=county_event, department=urban)
    services.sign_event(actor=handler, event=county_event)
    ext = services.request_extension(actor=handler, event=county_event, hours=24, reason="需要协调")
    with pytest.raises(WorkflowError) as refused:
        services.decide_extension(actor=community_a, extension=ext, approve=True)
    assert refused.value.code == "tier_above_you"
    ext.refresh_from_db()
    assert ext.state == "pending"


# -- the queue follows the tier -------------------------------------------------------------------------------------
def test_each_centres_own_queue_holds_only_its_level(event, county_event, dispatcher, street_a, community_a, street_b):
    own = QueueFilters(scope="own", open_only=True)
    assert codes(selectors.event_queue(actor=community_a, filters=own)) == {event.tracking_code}
    assert codes(selectors.event_queue(actor=dispatcher, filters=own)) == {county_event.tracking_code}
    assert codes(selectors.event_queue(actor=street_a, filters=own)) == set()
    assert codes(selectors.event_queue(actor=street_b, filters=own)) == set()
    # 辖区全部: everything in the jurisdiction, and nothing of another street
    everything = QueueFilters(scope="all", open_only=True)
    assert codes(selectors.event_queue(actor=community_a, filters=everything)) == {
        event.tracking_code,
        county_event.tracking_code,
    }
    assert codes(selectors.event_queue(actor=street_b, filters=everything)) == set()
    assert sum(selectors.colour_counts(actor=community_a, scope="own").values()) == 1
    assert sum(selectors.colour_counts(actor=community_a).values()) == 2


def test_the_queue_page_defaults_to_the_own_level_and_the_api_too(client, event, county_event, community_a):
    client.force_login(community_a)
    page = client.get("/events/").content.decode()
    assert event.tracking_code in page and county_event.tracking_code not in page and "本级待办" in page
    whole = client.get("/events/?scope=all").content.decode()
    assert event.tracking_code in whole and county_event.tracking_code in whole
    listed = [e["tracking_code"] for e in client.get("/api/v1/events").json()]
    assert listed == [event.tracking_code]
    listed_all = {e["tracking_code"] for e in client.get("/api/v1/events?scope=all").json()}
    assert listed_all == {event.tracking_code, county_event.tracking_code}


def test_the_home_page_counts_only_the_own_level(event, county_event, community_a):
    from fengqiao.events.todos import event_todos

    reported = next(t for t in event_todos(community_a, event.reported_at) if t.order == 10)
    assert reported.count == 1 and "scope=own" in reported.url


def test_escalating_tells_the_new_owning_centre_not_the_old_one(
    event, community_a, street_a, worker_a, captured, django_capture_on_commit_callbacks
):
    services.register_event(actor=community_a, event=event)
    services.escalate_event(actor=worker_a, event=event, note="社区协调")  # grid → community: still 甲社区
    captured.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_event(actor=community_a, event=event, note="需要街道处理")
    told = [u for message in captured for u in message["recipients"]]
    assert street_a in told and community_a not in told


# -- 首接负责制 ------------------------------------------------------------------------------------------------------
def test_the_window_dispatcher_is_the_first_receiver_and_a_return_comes_back_to_them(
    tree, dispatcher, community_a, urban, handler, captured, django_capture_on_commit_callbacks
):
    event = services.report_event(
        actor=dispatcher,
        source=Source.HOTLINE,
        description="小区垃圾无人清运",
        category=Category.objects.get(code="0403"),
        reporter_phone="13812345678",
        grid=tree["410105001001001"],
    )
    assert event.first_receiver == dispatcher and event.first_receiver_node == tree["410105"]
    assert event.owner_node == tree["410105001001"]  # the tier's centre holds it in its queue meanwhile
    services.register_event(actor=dispatcher, event=event)
    services.route_event(actor=dispatcher, event=event, department=urban)
    captured.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_event(actor=handler, event=event, note="不属于城管职责")
    event.refresh_from_db()
    assert event.state == "registered" and event.owner_node == tree["410105"]
    own = QueueFilters(scope="own", open_only=True)
    assert event.tracking_code in codes(selectors.event_queue(actor=dispatcher, filters=own))
    assert event.tracking_code not in codes(selectors.event_queue(actor=community_a, filters=own))
    by_name = [m for m in captured if m["recipients"] == [dispatcher]]
    assert by_name and "王芳" in str(by_name[0]["title"])
    row = Action.objects.filter(verb="return").get()
    assert row.data["owner"]["pk"] == tree["410105"].pk


def test_a_return_after_a_worker_report_goes_to_the_tiers_centre_and_the_worker_is_told(
    tree, event, worker_a, community_a, urban, handler, captured, django_capture_on_commit_callbacks
):
    assert event.first_receiver == worker_a and event.first_receiver_node == tree["410105001001001"]
    services.register_event(actor=community_a, event=event)
    services.route_event(actor=community_a, event=event, department=urban)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_event(actor=handler, event=event, note="不归我们管")
    event.refresh_from_db()
    assert event.owner_node == tree["410105001001"]  # a worker is no centre: the tier's centre takes it back
    recipients = [u for m in captured for u in m["recipients"]]
    assert worker_a in recipients and community_a in recipients


def test_an_anonymous_report_has_no_first_receiver_and_the_owning_centre_answers_for_it(
    client, tree, community_a, urban, handler, captured, django_capture_on_commit_callbacks
):
    event = services.report_event(
        actor=None,
        source=Source.RESIDENT,
        description="路灯坏了好几天",
        category=Category.objects.get(code="0403"),
        reporter_phone="13812345678",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    assert event.first_receiver is None and event.owner_node == tree["410105001001"]
    client.force_login(community_a)
    page = client.get(f"/events/{event.tracking_code}/").content.decode()
    assert "兜底中心" in page and "甲社区" in page
    services.register_event(actor=community_a, event=event)
    services.route_event(actor=community_a, event=event, department=urban)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_event(actor=handler, event=event, note="派错了")
    event.refresh_from_db()
    assert event.owner_node == tree["410105001001"]
    assert community_a in [u for m in captured for u in m["recipients"]]


def test_the_event_page_names_the_tier_centre_and_first_receiver(client, tree, event, dispatcher):
    client.force_login(dispatcher)
    page = client.get(f"/events/{event.tracking_code}/").content.decode()
    assert "处置层级 / 责任中心" in page and "甲社区" in page
    assert "首接责任人" in page and "张伟" in page


def test_every_event_created_before_the_rule_gets_its_owner_from_the_migration(tree, event):
    import importlib

    from django.apps import apps

    Event.objects.filter(pk=event.pk).update(owner_node=None)
    migration = importlib.import_module("fengqiao.events.migrations.0011_tier_owner")
    migration.fill_owners(apps, None)
    event.refresh_from_db()
    assert event.owner_node == tree["410105001001"]
