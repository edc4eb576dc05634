"""The home page counts what waits for each role, and each count links to a list of exactly those cases: the count
equals the list's length, the list is filtered, and nobody counts another jurisdiction's or department's cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role
from fengqiao.dispatch import services as dispatch_services
from fengqiao.disputes.models import Dispute
from fengqiao.events.models import Category, Event
from fengqiao.grids import home
from tests.disputes.conftest import file_dispute, mediation, types  # noqa: F401  (fixtures)
from tests.factories import make_department, make_user

GRID_A1 = "410105001001001"
GRID_B1 = "410105002001001"
H = dt.timedelta(hours=1)


@pytest.fixture
def events(tree, catalogue):
    """In each of two grids: two reported, one registered and overdue, one routed and nearly due, one closed."""
    litter = Category.objects.get(code="0403")
    department = make_department(tree["410105"])
    now = timezone.now()
    counter = iter(range(1, 1000))

    def make(grid: str, state: str, **fields: Any) -> Event:
        return Event.objects.create(
            tracking_code=f"H{next(counter):06d}",
            grid=tree[grid],
            category=litter,
            source="patrol",
            description="测试事件",
            state=state,
            reported_at=now - 3 * H,
            **fields,
        )

    for grid in (GRID_A1, GRID_B1):
        make(grid, "reported", due_at=now + H, warn_at=now + H / 2)
        make(grid, "reported", due_at=now + H, warn_at=now + H / 2)
        make(grid, "registered", due_at=now - H, warn_at=now - 2 * H)
        make(grid, "routed", lead_department=department, due_at=now + H, warn_at=now - H / 2)
        make(grid, "signed", lead_department=department, due_at=now - H, warn_at=now - 2 * H)
        make(grid, "closed", lead_department=department)
    return department


def _todos(client, user) -> list[home.Todo]:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.context["todos"]


def _listed(client, url: str) -> int:
    """How many rows the list behind a count shows (all pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "page" in context:
        return context["page"].paginator.count
    for key in ("events", "cases"):
        if key in context:
            return len(context[key])
    raise AssertionError(f"no list on {url}")


def _by_label(todos: list[home.Todo]) -> dict[str, home.Todo]:
    return {str(t.label): t for t in todos}


def _each_count_is_its_lists_length(client, todos: list[home.Todo]) -> None:
    for todo in todos:
        assert _listed(client, todo.url) == todo.count, (str(todo.label), todo.url)


def _owned_by(node, tier: str, grid: str | None = None) -> None:
    """The fixture's events as the work of one centre (四事分办: a centre's home counts what its own level owns)."""
    rows = Event.objects.filter(grid__code=grid) if grid else Event.objects.all()
    rows.update(tier=tier, owner_node=node)


def test_a_dispatcher_sees_what_waits_for_verification_and_what_is_late(client, tree, dispatcher, events):
    _owned_by(tree["410105"], "county")
    todos = _by_label(_todos(client, dispatcher))
    assert todos["待核实"].count == 4 and todos["待核实"].url.startswith("/events/")
    assert todos["超期"].count == 4 and todos["超期"].colour == "red"
    assert todos["临期"].count == 2 and todos["临期"].colour == "orange"
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_the_home_page_shows_the_counts_as_links(client, tree, dispatcher, events):
    _owned_by(tree["410105"], "county")
    client.force_login(dispatcher)
    page = client.get("/").content.decode()
    assert 'id="todos"' in page and "待核实" in page and 'href="/events/?state=reported&amp;scope=own"' in page


def test_a_street_dispatcher_counts_only_their_street(client, tree, events):
    street = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    _owned_by(tree["410105001"], "street", GRID_A1)
    _owned_by(tree["410105002"], "street", GRID_B1)
    todos = _by_label(_todos(client, street))
    assert todos["待核实"].count == 2 and todos["超期"].count == 2
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_a_dispatcher_sees_the_disputes_waiting_for_a_mediator(client, tree, dispatcher, types, mediation):  # noqa: F811
    now = timezone.now()
    waiting = file_dispute(tree, types, now=now)
    Dispute.objects.filter(pk=waiting.pk).update(state="registered")
    late = file_dispute(tree, types, now=now - dt.timedelta(days=2))  # past its 24-hour assignment clock
    Dispute.objects.filter(pk=late.pk).update(state="registered")
    todos = _by_label(_todos(client, dispatcher))
    assert todos["待分配纠纷"].count == 2
    assert todos["未按时分配"].count == 1 and todos["未按时分配"].colour == "orange"
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_a_department_handler_sees_their_departments_work(client, tree, events):
    handler = make_user("handler", password=None)
    Membership.objects.create(user=handler, node=tree["410105"], role=Role.HANDLER, department=events)
    todos = _by_label(_todos(client, handler))
    assert todos["待签收"].count == 2
    assert todos["办理中"].count == 2
    assert todos["超期"].count == 2 and todos["超期"].url.startswith("/events/department/")
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_a_handler_of_another_department_counts_nothing_of_this_one(client, tree, events):
    other = make_department(tree["410105"], name="住建局", code="D2")
    handler = make_user("handler2", password=None)
    Membership.objects.create(user=handler, node=tree["410105"], role=Role.HANDLER, department=other)
    todos = _todos(client, handler)
    assert todos and all(t.count == 0 for t in todos)
    _each_count_is_its_lists_length(client, todos)


def test_a_mediator_sees_their_cases_that_need_work(client, tree, types, mediation):  # noqa: F811
    mediator = mediation["generalist"]
    mine = file_dispute(tree, types, now=timezone.now() - dt.timedelta(days=40))  # past its 30-day close clock
    Dispute.objects.filter(pk=mine.pk).update(state="mediating", mediator=mediator)
    theirs = file_dispute(tree, types)
    Dispute.objects.filter(pk=theirs.pk).update(state="mediating", mediator=mediation["township_mediator"])
    todos = _by_label(_todos(client, mediator.user))
    assert todos["待办案件"].count == 1
    assert todos["超过办结期限"].count == 1 and todos["超过办结期限"].colour == "red"
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_a_grid_worker_sees_their_grids_work_and_instructions_to_acknowledge(client, tree, dispatcher, events):
    worker = make_user("w", role=Role.GRID_WORKER, node=tree[GRID_A1], password=None)
    dispatch_services.send_instruction(actor=dispatcher, title="排查燃气隐患", nodes=[tree[GRID_A1]])
    dispatch_services.send_instruction(actor=dispatcher, title="知悉即可", nodes=[tree[GRID_A1]], requires_ack=False)
    todos = _by_label(_todos(client, worker))
    assert todos["待签收指令"].count == 1
    assert todos["待处置"].count == 1  # the registered event of their grid, not the other grid's
    assert todos["超期"].count == 2  # the registered and the signed event of their grid
    _each_count_is_its_lists_length(client, list(todos.values()))


def test_a_user_without_a_membership_has_no_counts(client, db):
    assert _todos(client, make_user("nobody", password=None)) == []
