"""members_above: who holds a post at a grid or any node above it, nearest first."""

from __future__ import annotations

from fengqiao.accounts.models import Membership, Role
from fengqiao.accounts.selectors import members_above
from tests.factories import make_user


def test_members_above_a_grid_are_those_at_it_and_its_ancestors_nearest_first(tree):
    grid = tree["410105001001001"]
    district = make_user("district", role=Role.DISPATCHER, node=tree["410105"], password=None)
    street = make_user("street", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    make_user("other_street", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    make_user("worker", role=Role.GRID_WORKER, node=grid, password=None)
    assert members_above(grid.path, [Role.DISPATCHER]) == [street, district]


def test_only_the_given_roles_and_active_posts_count(tree):
    grid = tree["410105001001001"]
    leader = make_user("leader", role=Role.LEADER, node=tree["410105"], password=None)
    retired = make_user("retired", role=Role.LEADER, node=tree["410105001"], password=None)
    Membership.objects.filter(user=retired).update(active=False)
    make_user("dispatcher", role=Role.DISPATCHER, node=tree["410105"], password=None)
    assert members_above(grid.path, [Role.LEADER]) == [leader]
    assert len(members_above(grid.path, (Role.LEADER, Role.DISPATCHER))) == 2


def test_a_user_with_posts_at_two_levels_is_listed_once(tree):
    user = make_user("both", role=Role.DISPATCHER, node=tree["410105"], password=None)
    Membership.objects.create(user=user, node=tree["410105001"], role=Role.DISPATCHER)
    assert members_above(tree["410105001001001"].path, [Role.DISPATCHER]) == [user]
