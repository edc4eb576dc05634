"""Deadline clocks, declared once per kind of case and run by ``core`` for all of them.

A kind of case (an event, a dispute, and the kinds still to come) declares its :class:`Clock` rows beside its
workflow: which column holds the clock's due time, which transitions (or the creation verb) start it and for how
long, which transitions stop it, while which condition it runs, and the :class:`Signal` it gives: *nearly due*
(orange when only a share of the time is left, as the events practice does) or *missed* (red, or orange when "an
earlier clock was missed", as the "13710" rule does). Both meanings of orange are rows in the same table.

From the declarations ``core`` derives everything else:

* :meth:`CaseClocks.annotate` paints each row ``colour`` (green / orange / red, or the case's idle colour when no
  clock runs), ``flag`` (the signal that paints it) and ``urgency`` (0 red, 1 orange, 2 green, 3 idle) in SQL;
* :meth:`CaseClocks.start` is called by the workflow engine after each transition, and by the app at creation;
* :func:`send_warnings` is the one periodic job: each signal of each clock run goes out once, recorded in one
  ledger table (:class:`fengqiao.core.models.DeadlineWarning`, unique per case, signal and due time), to the
  people the signal names.

Every entry point takes ``now``, so every clock can be tested on a controlled clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core import sla
from fengqiao.core.signals import notify
from fengqiao.core.sla import Colour

Duration = tuple[float, str]  # (amount, unit): unit is "hours", "days" or "workdays"
DurationOf = Callable[[Any], Duration]
Recipients = Callable[[Any], Iterable[Any]]
M = TypeVar("M", bound=models.Model)

CREATE = "create"  # the pseudo-transition of a case being entered (clocks that start with the case)

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d|wd)\s*$")
_UNITS = {"h": "hours", "d": "days", "wd": "workdays"}


def parse_duration(text: str) -> Duration:
    """``"24h"``, ``"30d"`` or ``"3wd"`` (working days) as ``(amount, unit)``; settings write clocks this way."""
    match = _DURATION_RE.match(str(text))
    if match is None:
        raise ValueError(f"not a duration: {text!r} (write e.g. 24h, 30d or 3wd)")
    return float(match[1]), _UNITS[match[2]]


def due(start: dt.datetime, duration: Duration) -> dt.datetime:
    amount, unit = duration
    if unit == "days":
        return start + dt.timedelta(days=amount)
    return sla.due(start, amount, unit)


@dataclass(frozen=True)
class Signal:
    """What a clock says, when, and to whom.

    ``nearly``: fires when only ``share`` of the clock's time is left (the clock keeps its orange time in
    ``Clock.warn_field``); otherwise it fires once the due time has passed.
    """

    name: str  # stable key: shown as the flag, recorded in the ledger
    colour: Colour
    label: Any  # what a queue shows beside the colour
    recipients: Recipients
    notice: Any = None  # the notification's wording ("即将超期"); the label when empty
    kind: str = ""  # the notification kind (inbox filters); "deadline_<colour>" when empty
    nearly: bool = False


@dataclass(frozen=True)
class Clock:
    """One deadline of a kind of case."""

    name: str
    due_field: str
    starts: Mapping[str, DurationOf]  # transition (or CREATE) -> how long from then
    signals: Sequence[Signal]
    stops: frozenset[str] = frozenset()  # transitions that clear the clock
    running: Q = field(default_factory=Q)  # the clock counts only while this holds (and the due time is set)
    warn_field: str = ""  # for a nearly-due signal: when it turns orange
    started_field: str = ""  # where to keep when the clock started, if the case shows it
    share: Callable[[], float] = lambda: float(settings.FENGQIAO_ORANGE_SHARE)

    def __post_init__(self) -> None:
        if any(s.nearly for s in self.signals) and not self.warn_field:
            raise ValueError(f"clock {self.name!r} has a nearly-due signal but no warn_field")

    def is_running(self) -> Q:
        return Q(**{f"{self.due_field}__isnull": False}) & self.running

    def fires(self, signal: Signal, now: dt.datetime) -> Q:
        """The rows on which ``signal`` holds at ``now``."""
        if signal.nearly:
            return self.is_running() & Q(**{f"{self.warn_field}__lte": now, f"{self.due_field}__gte": now})
        return self.is_running() & Q(**{f"{self.due_field}__lt": now})


@dataclass
class CaseClocks:
    """The clocks of one kind of case, and what ``core`` needs to run them."""

    model: type[models.Model]
    workflow: str  # the workflow's name: the engine starts and stops clocks on its transitions
    noun: Any  # "事件", "纠纷": used in notifications
    url: Callable[[Any], str]
    clocks: Sequence[Clock]
    idle: str = ""  # the colour of a case with no running clock ("" = no colour)
    code_field: str = "tracking_code"

    def __post_init__(self) -> None:
        names = [s.name for c in self.clocks for s in c.signals]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.workflow}: a signal name is declared twice")

    # -- the declarations, read -----------------------------------------------------------------------------------
    @property
    def signals(self) -> list[tuple[Clock, Signal]]:
        """Every (clock, signal), red first, then in declaration order: the order flags are chosen in."""
        rows = [(c, s) for c in self.clocks for s in c.signals]
        return sorted(rows, key=lambda row: 0 if row[1].colour == Colour.RED else 1)

    @property
    def labels(self) -> dict[str, Any]:
        return {s.name: s.label for _c, s in self.signals}

    def started_by(self, transition: str) -> list[Clock]:
        return [c for c in self.clocks if transition in c.starts]

    def stopped_by(self, transition: str) -> list[Clock]:
        return [c for c in self.clocks if transition in c.stops]

    # -- writing clocks -------------------------------------------------------------------------------------------
    def start(self, obj: Any, transition: str, now: dt.datetime) -> None:
        """Stop the clocks ``transition`` stops and start those it starts (in memory; the caller saves)."""
        for clock in self.stopped_by(transition):
            for column in (clock.due_field, clock.warn_field, clock.started_field):
                if column:
                    setattr(obj, column, None)
        for clock in self.started_by(transition):
            due_at = due(now, clock.starts[transition](obj))
            setattr(obj, clock.due_field, due_at)
            if clock.warn_field:
                setattr(obj, clock.warn_field, sla.warn_time(now, due_at, clock.share()))
            if clock.started_field:
                setattr(obj, clock.started_field, now)

    def extend(self, obj: Any, clock_name: str, by: dt.timedelta) -> None:
        """Move a running clock (an approved extension): due and orange times both move; the new due time is a new
        run of the clock, so its warnings may go out again."""
        clock = next(c for c in self.clocks if c.name == clock_name)
        current = getattr(obj, clock.due_field)
        if current is None:
            return
        setattr(obj, clock.due_field, current + by)
        if clock.warn_field:
            setattr(obj, clock.warn_field, (getattr(obj, clock.warn_field) or current) + by)

    def running(self) -> Q:
        """Rows on which at least one clock runs."""
        return functools.reduce(operator.or_, [c.is_running() for c in self.clocks])

    # -- reading colours ------------------------------------------------------------------------------------------
    def expressions(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """``flag``, ``colour`` and ``urgency`` as SQL expressions, from the declarations and ``now``."""
        now = now or timezone.now()
        rows = [(c.fires(s, now), s) for c, s in self.signals]
        running = self.running()
        rank = {Colour.RED: 0, Colour.ORANGE: 1}
        return {
            "flag": Case(*[When(q, then=Value(s.name)) for q, s in rows], default=Value(""), output_field=CharField()),
            "colour": Case(
                *[When(q, then=Value(s.colour.value)) for q, s in rows],
                When(running, then=Value(Colour.GREEN.value)),
                default=Value(self.idle),
                output_field=CharField(),
            ),
            "urgency": Case(
                *[When(q, then=Value(rank.get(s.colour, 1))) for q, s in rows],
                When(running, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        }

    def annotate(self, qs: QuerySet[M], now: dt.datetime | None = None, *, only: Sequence[str] = ()) -> QuerySet[M]:
        """``colour``, ``flag`` and ``urgency`` (or ``only`` those named) for every row, in SQL."""
        found = self.expressions(now)
        return cast(
            "QuerySet[M]", qs.annotate(**{name: expr for name, expr in found.items() if not only or name in only})
        )


REGISTRY: dict[str, CaseClocks] = {}


def register(case: CaseClocks) -> CaseClocks:
    REGISTRY[case.workflow] = case
    return case


def for_workflow(name: str) -> CaseClocks | None:
    return REGISTRY.get(name)


# -- the one periodic job ---------------------------------------------------------------------------------------------
def send_warnings(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every signal that holds and has not been sent for this run of its clock; returns the count per signal
    (``"<workflow>.<signal>"``). Safe to run twice and from two workers: the ledger's unique row is the claim."""
    from django.contrib.contenttypes.models import ContentType

    from fengqiao.core.models import DeadlineWarning

    now = now or timezone.now()
    sent: dict[str, int] = {}
    for case in REGISTRY.values():
        content_type = ContentType.objects.get_for_model(case.model)
        for clock, signal in case.signals:
            key = f"{case.workflow}.{signal.name}"
            sent[key] = 0
            already = DeadlineWarning.objects.filter(
                content_type=content_type,
                object_id=OuterRef("pk"),
                signal=signal.name,
                due_at=OuterRef(clock.due_field),
            )
            pending = case.model._default_manager.filter(clock.fires(signal, now)).filter(~Exists(already))
            for obj in pending.iterator(chunk_size=500):
                try:
                    with transaction.atomic():
                        DeadlineWarning.objects.create(
                            content_type=content_type,
                            object_id=obj.pk,
                            signal=signal.name,
                            due_at=getattr(obj, clock.due_field),
                            sent_at=now,
                        )
                except IntegrityError:  # another worker announced it first
                    continue
                code = getattr(obj, case.code_field)
                notify.send(
                    sender=case.model,
                    recipients=_unique(signal.recipients(obj)),
                    kind=signal.kind or f"deadline_{signal.colour.value}",
                    title=_("%(noun)s %(code)s：%(notice)s")
                    % {"noun": case.noun, "code": code, "notice": signal.notice or signal.label},
                    url=case.url(obj),
                    target=obj,
                )
                sent[key] += 1
    return sent


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for user in users:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def describe() -> list[dict[str, Any]]:
    """Every declared clock as data: what starts and stops it, and what each signal says to whom."""
    rows = []
    for case in REGISTRY.values():
        for clock in case.clocks:
            rows.append(
                {
                    "case": str(case.noun),
                    "workflow": case.workflow,
                    "clock": clock.name,
                    "starts": sorted(clock.starts),
                    "stops": sorted(clock.stops),
                    "signals": [
                        {
                            "name": s.name,
                            "colour": s.colour.value,
                            "label": str(s.label),
                            "when": "nearly due" if s.nearly else "missed",
                            "told": _first_line(s.recipients.__doc__) or s.recipients.__name__.strip("_"),
                        }
                        for s in clock.signals
                    ],
                }
            )
    return rows


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def render_catalogue() -> str:
    """docs/clocks.md: for each kind of case, its steps (who may, what they start and stop) and its clocks (when
    they turn orange or red, and who is told)."""
    from fengqiao.core import audit
    from fengqiao.core.workflow import WORKFLOWS, who

    lines = [
        "# Kinds of case: steps and deadline clocks",
        "",
        "Generated by `fengqiao clocks` from the declarations (`<app>/workflow.py`, `<app>/clocks.py`, run by",
        "`core.workflow` and `core.deadlines`); a test keeps this page equal to the code. Durations come from each",
        "case's catalogue (event categories, dispute types) or, for disputes, the county's `FENGQIAO_DISPUTE_CLOCKS`.",
        "A *nearly due* signal turns orange when `FENGQIAO_ORANGE_SHARE` of the time is left; a *missed* signal fires",
        "once the due time has passed. Each warning is sent once per run of its clock.",
    ]

    def verbs(workflow: str, names: Iterable[str]) -> str:
        return ", ".join(
            "entry" if name == CREATE else f"{name} ({audit.verb_label(name, workflow=workflow)})" for name in names
        )

    for case in REGISTRY.values():
        flow = WORKFLOWS.get(case.workflow)
        lines += ["", f"## {case.noun} (`{case.workflow}`)", ""]
        if flow is not None:
            lines += [
                "| Step | From | To | Who may | Starts | Stops | Public page shows |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            for row in flow.transitions:
                starts = [c.name for c in case.started_by(row.name)]
                stops = [c.name for c in case.stopped_by(row.name)]
                lines.append(
                    f"| {row.name} ({row.label}) | {', '.join(sorted(row.source))} | {row.target} | "
                    f"{who(row.allowed)} | {', '.join(starts) or '—'} | {', '.join(stops) or '—'} | "
                    f"{row.public if row.public is not None else '—'} |"
                )
            lines.append("")
        lines += [
            "| Clock | Started by | Stopped by | Signal | Colour | Label | When | Who is told |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for clock in case.clocks:
            for signal in clock.signals:
                told = _first_line(signal.recipients.__doc__) or signal.recipients.__name__.strip("_")
                lines.append(
                    f"| {clock.name} | {verbs(case.workflow, sorted(clock.starts))} | "
                    f"{verbs(case.workflow, sorted(clock.stops)) or '—'} | {signal.name} | {signal.colour.value} | "
                    f"{signal.label} | {'nearly due' if signal.nearly else 'missed'} | {told} |"
                )
    return "\n".join(lines) + "\n"
