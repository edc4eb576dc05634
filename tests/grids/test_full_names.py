"""Grid names repeat from one community to the next ("第3网格"): wherever a grid is named in a list, a queue, a
ranking, a report or an export, its community is named with it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.events.models import Category, Event
from fengqiao.grids.models import GridNode, Level, forget_names
from fengqiao.metrics import reports
from fengqiao.metrics.services import fold_pending
from tests.factories import make_department, make_user

A3 = "甲社区 / 第3网格"
B3 = "乙社区 / 第3网格"


@pytest.fixture(autouse=True)
def _forget_names():
    """A test's renames roll back with its transaction; the names remembered in process must go with them."""
    yield
    forget_names()


@pytest.fixture
def twins(tree):
    """A grid called 第3网格 in each of the two communities, with a micro-grid of the same name in each."""
    nodes = {}
    for code, community in (("410105001001003", "410105001001"), ("410105002001003", "410105002001")):
        grid = GridNode.objects.create(code=code, name="第3网格", level=Level.GRID, parent=tree[community])
        nodes[code] = grid
        nodes[code + "001"] = GridNode.objects.create(
            code=code + "001", name="2号楼栋微网格", level=Level.MICRO, parent=grid
        )
    return nodes


@pytest.fixture
def twin_events(twins, catalogue):
    litter = Category.objects.get(code="0403")
    now = timezone.now()
    h = dt.timedelta(hours=1)
    made = []
    for n, code in enumerate(["410105001001003"] * 3 + ["410105002001003"] * 3):
        made.append(
            Event.objects.create(
                tracking_code=f"F{n:06d}",
                grid=twins[code],
                category=litter,
                source="patrol",
                description="测试事件",
                state="registered",
                reported_at=now - 5 * h,
                registered_at=now - 4 * h,
                due_at=now - h,
            )
        )
    fold_pending()
    return made


def test_a_grid_is_named_with_its_community(tree, twins):
    assert twins["410105001001003"].full_name == A3
    assert twins["410105002001003"].full_name == B3
    assert twins["410105002001003001"].full_name == "乙社区 / 第3网格 / 2号楼栋微网格"


def test_a_community_and_the_levels_above_are_named_alone(tree):
    assert tree["410105001001"].full_name == "甲社区"
    assert tree["410105001"].full_name == "甲街道"


def test_a_renamed_community_shows_at_once(tree, twins):
    community = tree["410105002001"]
    assert twins["410105002001003"].full_name == B3
    community.name = "丙社区"
    community.save()
    assert GridNode.objects.get(code="410105002001003").full_name == "丙社区 / 第3网格"


def test_the_workbench_queue_names_each_grid_with_its_community(client, dispatcher, twin_events):
    client.force_login(dispatcher)
    # The whole jurisdiction (辖区全部): these community-tier events are the community centres' own work.
    page = client.get("/events/?scope=all").content.decode()
    assert A3 in page and B3 in page


def test_the_department_list_names_each_grid_with_its_community(client, tree, twin_events):
    from fengqiao.accounts.models import Membership

    department = make_department(tree["410105"])
    Event.objects.filter(pk__in=[e.pk for e in twin_events]).update(lead_department=department, state="routed")
    handler = make_user("h", password=None)
    Membership.objects.create(user=handler, node=tree["410105"], role=Role.HANDLER, department=department)
    client.force_login(handler)
    page = client.get("/events/department/").content.decode()
    assert A3 in page and B3 in page


def test_the_dispute_queue_names_each_grid_with_its_community(client, tree, dispatcher, twins):
    from fengqiao.disputes.catalogue import load_catalogue as load_types
    from fengqiao.disputes.models import DisputeType
    from tests.disputes.conftest import file_dispute

    if not DisputeType.objects.exists():
        load_types()
    types = {"neighbours": DisputeType.objects.get(code="neighbours")}
    file_dispute(tree, types, grid=twins["410105001001003"], now=timezone.now())
    file_dispute(tree, types, grid=twins["410105002001003"], now=timezone.now())
    client.force_login(dispatcher)
    page = client.get("/disputes/").content.decode()
    assert A3 in page and B3 in page


def test_the_red_and_black_lists_of_the_monthly_review_name_the_community(tree, twin_events):
    from openpyxl import load_workbook

    review = reports.monthly_review(node=tree["410105"], month=timezone.localdate())
    names = {r.name for r in review.best + review.worst}
    assert {A3, B3} <= names
    assert {e.grid.full_name for e in review.overdue} == {A3, B3}
    book = load_workbook(io.BytesIO(reports.review_xlsx(review)))
    cells = {c.value for row in book["网格红黑榜"].iter_rows() for c in row}
    assert {A3, B3} <= cells


def test_the_ranking_of_a_community_names_its_grids_with_the_community(client, tree, twin_events):
    leader = make_user("l", password=None, role=Role.LEADER, node=tree["410105"])
    client.force_login(leader)
    page = client.get("/metrics/ranking/", {"node": "410105002001"}).content.decode()
    assert B3 in page


def test_the_events_export_names_the_community(client, tree, twin_events):
    from openpyxl import load_workbook

    client.force_login(make_user("l", password=None, role=Role.LEADER, node=tree["410105"]))
    response = client.get("/metrics/export/events.xlsx", {"grid": "410105"})
    cells = {c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row}
    assert {A3, B3} <= cells


def test_the_duty_list_names_each_workers_grid_with_its_community(client, dispatcher, twins):
    from fengqiao.dispatch.models import DutyRule

    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.choices[0][0], count=1, hours=24)
    make_user("wa3", password=None, role=Role.GRID_WORKER, node=twins["410105001001003"])
    make_user("wb3", password=None, role=Role.GRID_WORKER, node=twins["410105002001003"])
    client.force_login(dispatcher)
    page = client.get("/dispatch/duty/").content.decode()
    assert A3 in page and B3 in page


def test_the_home_page_names_a_workers_grid_with_its_community(client, twins):
    worker = make_user("wb3", password=None, role=Role.GRID_WORKER, node=twins["410105002001003"])
    client.force_login(worker)
    assert B3 in client.get("/").content.decode()
