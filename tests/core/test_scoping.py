"""One scoping mechanism: a worker of grid A sees nothing of grid B."""

import pytest

from fengqiao.core import scoping
from fengqiao.core.errors import OutsideJurisdiction
from fengqiao.grids.models import GridNode
from tests.workflow_app.models import Ticket


@pytest.fixture
def tickets(tree):
    return {
        "a": Ticket.objects.create(grid=tree["410105001001001"]),
        "micro": Ticket.objects.create(grid=tree["410105001001001001"]),
        "a2": Ticket.objects.create(grid=tree["410105001001002"]),
        "b": Ticket.objects.create(grid=tree["410105002001001"]),
    }


def test_a_worker_sees_only_their_grid_and_below(tickets, worker_a):
    visible = set(scoping.scope(Ticket.objects.all(), worker_a))
    assert visible == {tickets["a"], tickets["micro"]}


def test_a_district_dispatcher_sees_both_streets(tickets, dispatcher):
    assert scoping.scope(Ticket.objects.all(), dispatcher).count() == 4


def test_anonymous_sees_nothing_and_superuser_everything(tickets, superuser):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.scope(Ticket.objects.all(), AnonymousUser()).exists()
    assert scoping.scope(Ticket.objects.all(), superuser).count() == 4


def test_a_code_prefix_is_not_a_subtree(tree, worker_a):
    # 410105001001001 must not cover a sibling whose code merely starts with the same digits.
    assert scoping.covers(worker_a, tree["410105001001001001"].path)
    assert not scoping.covers(worker_a, tree["410105001001002"].path)


def test_fetching_a_foreign_object_raises_outside_jurisdiction(tickets, worker_b):
    with pytest.raises(OutsideJurisdiction):
        scoping.get_scoped(Ticket.objects.all(), worker_b, pk=tickets["a"].pk)
    with pytest.raises(Ticket.DoesNotExist):
        scoping.get_scoped(Ticket.objects.all(), worker_b, pk=999999)


def test_nested_memberships_collapse_to_the_widest(tree, worker_a):
    from fengqiao.accounts.models import Membership

    Membership.objects.create(user=worker_a, node=tree["410105001"], role="grid_leader")
    worker_a.__dict__.pop("active_memberships", None)
    assert scoping.paths_of(worker_a) == [tree["410105001"].path]
    assert scoping.scope(GridNode.objects.all(), worker_a).count() == 6
