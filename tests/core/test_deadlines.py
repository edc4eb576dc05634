"""The deadline engine on a real table and a controlled clock: clocks declared once, colours in SQL, each warning
sent once through the ledger, and both meanings of orange ("little time left", "an earlier clock was missed")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Signal
from fengqiao.core.models import DeadlineWarning
from fengqiao.core.signals import notify
from fengqiao.core.sla import Colour
from fengqiao.core.workflow import Transition, Workflow
from tests.workflow_app.models import Ticket

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 11, 16, 9, 0, tzinfo=TZ)  # a Monday
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)

FLOW = Workflow(
    name="timed_ticket",
    states={"new": "新建", "open": "处理中", "done": "已办结"},
    initial="new",
    transitions=[
        Transition("open", "new", "open", label="受理"),
        Transition("answer", "open", "open", label="答复"),
        Transition("finish", ["new", "open"], "done", label="办结"),
    ],
)
TOLD: list[str] = []


def _told(name: str):
    def recipients(ticket):
        TOLD.append(name)
        return []

    return recipients


def clocks() -> CaseClocks:
    return CaseClocks(
        model=Ticket,
        workflow="timed_ticket",
        noun="工单",
        url=lambda t: f"/tickets/{t.pk}/",
        code_field="pk",
        clocks=[
            Clock(
                "whole",
                due_field="due_at",
                warn_field="warn_at",
                starts={CREATE: lambda t: (10.0, "hours")},
                stops=frozenset({"finish"}),
                running=Q(state__in=["new", "open"]),
                share=lambda: 0.2,
                signals=[
                    Signal("overdue", Colour.RED, "超期", _told("supervisor")),
                    Signal("nearly_due", Colour.ORANGE, "临期", _told("holder"), nearly=True),
                ],
            ),
            Clock(
                "answer",
                due_field="answer_due_at",
                starts={"open": lambda t: (1.0, "workdays")},
                stops=frozenset({"answer", "finish"}),
                running=Q(state="open"),
                signals=[Signal("late_answer", Colour.ORANGE, "未按时答复", _told("centre"))],
            ),
        ],
    )


@pytest.fixture
def declared():
    case = deadlines.register(clocks())
    TOLD.clear()
    yield case
    deadlines.REGISTRY.pop("timed_ticket", None)


@pytest.fixture
def ticket(tree, declared):
    t = Ticket(grid=tree["410105001001001"])
    declared.start(t, CREATE, T0)
    t.save()
    return t


def at(ticket, now):
    row = deadlines.for_workflow("timed_ticket").annotate(Ticket.objects.filter(pk=ticket.pk), now).get()
    return row.colour, row.flag, row.urgency


def test_a_clock_started_at_creation_is_green_then_orange_with_a_fifth_left_then_red(ticket):
    assert ticket.due_at == T0 + 10 * H and ticket.warn_at == T0 + 8 * H
    assert at(ticket, T0 + 8 * H - S) == ("green", "", 2)
    assert at(ticket, T0 + 8 * H) == ("orange", "nearly_due", 1)
    assert at(ticket, T0 + 10 * H) == ("orange", "nearly_due", 1)
    assert at(ticket, T0 + 10 * H + S) == ("red", "overdue", 0)


def test_a_transition_starts_a_second_clock_whose_miss_is_orange_and_the_next_step_stops_it(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher, now=T0 + H)
    assert ticket.answer_due_at == T0 + H + dt.timedelta(days=1)  # one working day, Monday to Tuesday
    late = T0 + H + dt.timedelta(days=1) + S
    ticket.refresh_from_db()
    Ticket.objects.filter(pk=ticket.pk).update(due_at=T0 + dt.timedelta(days=5), warn_at=T0 + dt.timedelta(days=4))
    assert at(ticket, late) == ("orange", "late_answer", 1)
    FLOW.apply(Ticket.objects.get(pk=ticket.pk), "answer", actor=dispatcher, now=late)
    assert at(ticket, late) == ("green", "", 2)
    assert Ticket.objects.get(pk=ticket.pk).answer_due_at is None


def test_red_outranks_an_earlier_orange(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher, now=T0 + H)
    assert at(ticket, T0 + dt.timedelta(days=3)) == ("red", "overdue", 0)


def test_a_stopped_clock_gives_no_colour_and_no_warning(ticket, dispatcher):
    FLOW.apply(ticket, "finish", actor=dispatcher, now=T0 + H)
    ticket.refresh_from_db()
    assert (ticket.due_at, ticket.warn_at) == (None, None)
    assert at(ticket, T0 + dt.timedelta(days=30)) == ("", "", 3)
    assert deadlines.send_warnings(now=T0 + dt.timedelta(days=30))["timed_ticket.overdue"] == 0


def test_each_warning_goes_out_once_per_run_of_its_clock_to_whom_it_names(ticket):
    titles: list[str] = []

    def receiver(sender, **kw):
        titles.append(kw["title"])

    notify.connect(receiver, weak=False, dispatch_uid="deadline-engine-test")
    try:
        assert deadlines.send_warnings(now=T0 + 7 * H)["timed_ticket.nearly_due"] == 0
        assert deadlines.send_warnings(now=T0 + 9 * H)["timed_ticket.nearly_due"] == 1
        assert deadlines.send_warnings(now=T0 + 9 * H)["timed_ticket.nearly_due"] == 0
        sent = deadlines.send_warnings(now=T0 + 11 * H)
        assert (sent["timed_ticket.nearly_due"], sent["timed_ticket.overdue"]) == (0, 1)
        assert deadlines.send_warnings(now=T0 + 12 * H)["timed_ticket.overdue"] == 0
        # A new run of the clock (an extension moves the due time) may warn again, once.
        case = deadlines.for_workflow("timed_ticket")
        case.extend(ticket, "whole", dt.timedelta(hours=10))
        ticket.save()
        assert deadlines.send_warnings(now=T0 + 19 * H)["timed_ticket.nearly_due"] == 1
        assert deadlines.send_warnings(now=T0 + 19 * H)["timed_ticket.nearly_due"] == 0
    finally:
        notify.disconnect(dispatch_uid="deadline-engine-test")
    assert TOLD == ["holder", "supervisor", "holder"]
    assert titles[0] == f"工单 {ticket.pk}：临期"
    assert DeadlineWarning.objects.filter(object_id=ticket.pk).count() == 3


def test_the_ledger_refuses_a_second_row_for_the_same_run(ticket):
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError, transaction

    kind = ContentType.objects.get_for_model(Ticket)
    DeadlineWarning.objects.create(content_type=kind, object_id=ticket.pk, signal="overdue", due_at=ticket.due_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineWarning.objects.create(content_type=kind, object_id=ticket.pk, signal="overdue", due_at=ticket.due_at)


def test_durations_are_written_in_hours_days_or_working_days():
    assert deadlines.parse_duration("24h") == (24.0, "hours")
    assert deadlines.parse_duration("30d") == (30.0, "days")
    assert deadlines.parse_duration(" 3wd ") == (3.0, "workdays")
    for bad in ("", "3", "3 weeks", "-1d", "h"):
        with pytest.raises(ValueError):
            deadlines.parse_duration(bad)


def test_declarations_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="warn_field"):
        Clock("x", due_field="due_at", starts={}, signals=[Signal("n", Colour.ORANGE, "", _told("x"), nearly=True)])
    twice = [Signal("same", Colour.RED, "", _told("x"))]
    with pytest.raises(ValueError, match="twice"):
        CaseClocks(
            model=Ticket,
            workflow="w",
            noun="",
            url=str,
            clocks=[Clock("a", "due_at", {}, twice), Clock("b", "answer_due_at", {}, twice)],
        )


def test_every_case_kind_of_the_platform_declares_its_clocks():
    assert {"event", "dispute"} <= set(deadlines.REGISTRY)
    described = {(row["case"], row["clock"]) for row in deadlines.describe()}
    assert {
        ("事件", "stage"),
        ("纠纷", "close"),
        ("纠纷", "assign"),
        ("纠纷", "update"),
        ("纠纷", "revisit"),
    } <= described


def test_the_clocks_page_is_what_the_declarations_say():
    """docs/clocks.md answers "when does a case turn orange, and who is told?"; it may not drift from the code."""
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "clocks.md"
    assert page.read_text(encoding="utf-8") == deadlines.render_catalogue(), "run: fengqiao clocks > docs/clocks.md"
