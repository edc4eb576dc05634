"""The demo's events are owned by the centre of their tier, so every centre's own queue (本级待办) has its work."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import User
from fengqiao.demo.generator import generate
from fengqiao.events import tiers
from fengqiao.events.demo import generate_events
from fengqiao.events.models import Event
from fengqiao.events.selectors import QueueFilters, event_queue
from fengqiao.grids.models import GridNode


@pytest.mark.django_db
def test_every_demo_event_is_owned_by_its_tiers_centre_and_the_demo_dispatcher_has_own_work():
    generate(scale="small")
    assert generate_events(count=800) == 800  # what `make run` loads
    events = list(Event.objects.select_related("owner_node"))
    for event in events:
        expected = tiers.owning_centre(event.grid_path, event.tier)
        assert event.owner_node_id == (expected.pk if expected else None), event.tracking_code
        assert event.owner_node is not None and event.grid_path.startswith(event.owner_node.path)
    assert {e.owner_node.level for e in events} >= {2, 3}  # district (county tier) and street centres both own work
    dispatcher = User.objects.get(username="dispatcher")
    own = event_queue(actor=dispatcher, filters=QueueFilters(open_only=True, scope="own"))
    assert own.exists()
    district = GridNode.objects.get(pk=dispatcher.active_memberships[0].node_id)
    assert all(e.owner_node_id == district.pk for e in own)


@pytest.mark.django_db
def test_most_demo_matters_are_settled_in_the_village_as_the_seeds_describe():
    generate(scale="small")
    generate_events(count=2000)
    closed = Event.objects.filter(state="closed")
    village = closed.filter(tier__in=["grid", "community"]).count()
    assert 0.55 < village / closed.count() < 0.9
    assert closed.filter(tier="county").exists()
