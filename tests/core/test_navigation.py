"""The menu marks the page's own entry, and only it, where one entry's address starts another's."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from fengqiao.accounts.models import Role
from fengqiao.core.context import navigation
from fengqiao.grids.models import GridNode, Level
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _active(path: str, user) -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [str(item["url"]) for item in navigation(request)["nav_items"] if item["active"]]


def test_a_leaders_own_cases_page_marks_that_entry_and_not_the_petitions_one_above_it():
    city = GridNode.objects.create(code="4101", name="郑州市", level=Level.CITY)
    leader = make_user("ld", role=Role.LEADER, node=city, password=None)
    assert _active("/petitions/mine/", leader) == ["/petitions/mine/"]
    assert _active("/petitions/", leader) == ["/petitions/"]
    assert _active("/no-such-page/", leader) == []
