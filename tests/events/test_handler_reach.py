"""Least privilege for department handlers: they see the events routed to their department (as lead or co-handler,
吹哨报到), not everything in the area they are posted to; every list, page and count obeys the same rule."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.events import selectors, services
from tests.factories import make_user


@pytest.fixture
def street_departments(tree):
    street = tree["410105001"]
    return {
        "police": Department.objects.create(node=street, name="甲街道派出所", code="A-POL", kind="police"),
        "housing": Department.objects.create(node=street, name="甲街道住建办", code="A-HOU", kind="housing"),
    }


@pytest.fixture
def police_handler(tree, street_departments):
    user = make_user("police_handler", full_name="刘警官")
    Membership.objects.create(
        user=user, node=tree["410105001"], role=Role.HANDLER, department=street_departments["police"]
    )
    return user


@pytest.fixture
def routed_to_housing(event, dispatcher, litter, street_departments):
    services.register_event(actor=dispatcher, event=event, category=litter)
    services.route_event(actor=dispatcher, event=event, department=street_departments["housing"])
    return event


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_police_handler_does_not_see_an_event_routed_to_housing_in_the_same_street(routed_to_housing, police_handler):
    code = routed_to_housing.tracking_code
    client = _client(police_handler)
    assert client.get(f"/events/{code}/").status_code == 404
    assert client.get(f"/api/v1/events/{code}").status_code == 404
    assert client.get(f"/api/v1/events/{code}/timeline").status_code == 404
    assert client.post(f"/api/v1/events/{code}/actions/sign", "{}", content_type="application/json").status_code == 404
    assert code not in [e["tracking_code"] for e in client.get("/api/v1/events").json()]
    assert code not in client.get("/events/").content.decode()
    assert code not in client.get("/events/department/").content.decode()
    assert sum(selectors.colour_counts(actor=police_handler).values()) == 0
    assert not selectors.visible_events(actor=police_handler).exists()


def test_made_co_handler_the_police_handler_sees_it_everywhere(
    routed_to_housing, police_handler, dispatcher, street_departments
):
    routed_to_housing.co_departments.add(street_departments["police"])
    code = routed_to_housing.tracking_code
    client = _client(police_handler)
    assert client.get(f"/events/{code}/").status_code == 200
    assert client.get(f"/api/v1/events/{code}").json()["tracking_code"] == code
    assert [e["tracking_code"] for e in client.get("/api/v1/events").json()] == [code]
    assert code in client.get("/events/department/").content.decode()
    assert sum(selectors.colour_counts(actor=police_handler).values()) == 1


def test_the_housing_handler_sees_the_event_routed_to_housing(routed_to_housing, street_departments, tree):
    user = make_user("housing_handler", password=None)
    Membership.objects.create(
        user=user, node=tree["410105001"], role=Role.HANDLER, department=street_departments["housing"]
    )
    assert list(selectors.visible_events(actor=user)) == [routed_to_housing]
    assert list(selectors.department_queue(actor=user)) == [routed_to_housing]


def test_a_handler_posted_to_the_district_does_not_see_the_districts_unrouted_events(event, handler):
    # ``handler`` serves the district's urban-management bureau; the event is reported but routed nowhere yet.
    assert not selectors.visible_events(actor=handler).exists()
    assert _client(handler).get(f"/events/{event.tracking_code}/").status_code == 404


def test_a_handler_who_is_also_a_grid_worker_keeps_the_grid(event, police_handler, tree):
    Membership.objects.create(user=police_handler, node=tree["410105001001001"], role=Role.GRID_WORKER)
    police_handler.__dict__.pop("active_memberships", None)
    assert list(selectors.visible_events(actor=police_handler)) == [event]


def test_a_mediator_has_no_business_with_events(event, tree):
    mediator = make_user("events_mediator", role=Role.MEDIATOR, node=tree["410105001"], password=None)
    assert not selectors.visible_events(actor=mediator).exists()


def test_the_dispatcher_and_the_leader_still_see_the_whole_street(routed_to_housing, dispatcher, tree):
    leader = make_user("street_leader", role=Role.LEADER, node=tree["410105001"], password=None)
    assert list(selectors.visible_events(actor=leader)) == [routed_to_housing]
    assert list(selectors.visible_events(actor=dispatcher)) == [routed_to_housing]
