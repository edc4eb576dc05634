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


def test_fetching_a_foreign_object_answers_like_a_missing_one(tickets, worker_b):
    # 403 for a foreign object and 404 for a missing one would tell a caller which ids exist.
    with pytest.raises(Ticket.DoesNotExist) as foreign:
        scoping.get_scoped(Ticket.objects.all(), worker_b, pk=tickets["a"].pk)
    assert not isinstance(foreign.value, OutsideJurisdiction)
    with pytest.raises(Ticket.DoesNotExist):
        scoping.get_scoped(Ticket.objects.all(), worker_b, pk=999999)


def test_a_role_named_in_the_reach_table_reaches_only_what_its_function_gives(tree, tickets):
    from django.db.models import Q

    from fengqiao.accounts.models import Membership, Role
    from tests.factories import make_user

    user = make_user("narrow", password=None)
    Membership.objects.create(user=user, node=tree["410105"], role=Role.HANDLER)
    only_b = {Role.HANDLER: lambda m: Q(pk=tickets["b"].pk)}
    assert list(scoping.scope_by_role(Ticket.objects.all(), user, by_role=only_b)) == [tickets["b"]]
    assert not scoping.scope_by_role(Ticket.objects.all(), user, by_role={Role.HANDLER: None}).exists()
    # A second membership with an ordinary role adds its subtree.
    Membership.objects.create(user=user, node=tree["410105001001001"], role=Role.GRID_WORKER)
    user.__dict__.pop("active_memberships", None)
    seen = set(scoping.scope_by_role(Ticket.objects.all(), user, by_role=only_b))
    assert seen == {tickets["a"], tickets["micro"], tickets["b"]}


def test_the_reach_of_anonymous_is_nothing_and_of_the_superuser_everything(tickets, superuser):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.scope_by_role(Ticket.objects.all(), AnonymousUser(), by_role={}).exists()
    assert scoping.scope_by_role(Ticket.objects.all(), superuser, by_role={"handler": None}).count() == 4


def test_nested_memberships_collapse_to_the_widest(tree, worker_a):
    from fengqiao.accounts.models import Membership

    Membership.objects.create(user=worker_a, node=tree["410105001"], role="grid_leader")
    worker_a.__dict__.pop("active_memberships", None)
    assert scoping.paths_of(worker_a) == [tree["410105001"].path]
    assert scoping.scope(GridNode.objects.all(), worker_a).count() == 6
