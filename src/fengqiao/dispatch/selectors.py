"""Reading dispatch data: inboxes (fan-out on read), tracking, notifications and duty compliance, always scoped."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import WORKER_ROLES, Membership, Role, User
from fengqiao.core import duty, scoping
from fengqiao.core.errors import OutsideJurisdiction
from fengqiao.core.scoping import ancestor_paths
from fengqiao.dispatch.models import (
    Diary,
    DutyRule,
    Instruction,
    InstructionTarget,
    Notification,
    Patrol,
    Receipt,
    Screening,
    Visit,
)
from fengqiao.dispatch.pubsub import reach_keys
from fengqiao.grids.models import GridNode, Level

SENDER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})


def memberships_of(user: User) -> list[tuple[str, str]]:
    """(node path, role) of each active membership: what an inbox is computed from."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [(m.node_path, m.role) for m in user.active_memberships]


def can_send(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles() & SENDER_ROLES))


def _reach_q(memberships: Iterable[tuple[str, str]]) -> Q:
    """InstructionTarget rows that reach these memberships: ``path IN (ancestors) AND role IN ('', role)``."""
    by_role: dict[str, set[str]] = defaultdict(set)
    for path, role in memberships:
        by_role[role].update(ancestor_paths(path))
    query = Q(pk__in=[])
    every_role: set[str] = set().union(*by_role.values()) if by_role else set()
    if every_role:
        query |= Q(path__in=sorted(every_role), role="")
    for role, paths in by_role.items():
        query |= Q(path__in=sorted(paths), role=role)
    return query


def inbox(*, actor: User, pending: bool = False) -> QuerySet[Instruction]:
    """指令收件箱: instructions addressed to an ancestor-or-self of the actor's nodes, newest first, with receipts;
    ``pending``: only those that ask for an acknowledgement the actor has not yet given (待签收)."""
    memberships = memberships_of(actor)
    if not memberships:
        return Instruction.objects.none()
    targets = InstructionTarget.objects.filter(_reach_q(memberships)).values("instruction_id")
    mine = Receipt.objects.filter(instruction=OuterRef("pk"), user=actor)
    found = (
        Instruction.objects.filter(pk__in=targets)
        .exclude(sender=actor)
        .annotate(
            my_read_at=Subquery(mine.values("read_at")[:1]),
            my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
            my_completed_at=Subquery(mine.values("completed_at")[:1]),
        )
        .order_by("-id")
    )
    if pending:
        found = found.filter(requires_ack=True, my_acknowledged_at__isnull=True)
    return found


def unread_instructions(*, actor: User) -> int:
    read = Receipt.objects.filter(instruction=OuterRef("pk"), user=actor, read_at__isnull=False)
    return inbox(actor=actor).filter(~Exists(read)).count()


def unread_notifications(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def unread_count(*, actor: User) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return unread_instructions(actor=actor) + unread_notifications(actor=actor)


def notifications(*, actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=actor).order_by("-id")


def is_addressee(user: User, instruction: Instruction) -> bool:
    if user.pk == instruction.sender_id:
        return False
    keys = reach_keys(memberships_of(user))
    return any((t.path, t.role) in keys for t in instruction.targets.all())


def addressed_path(user: User, instruction: Instruction) -> str:
    """The node path of the user's membership that the instruction reaches (for tracking by node)."""
    targets = {(t.path, t.role) for t in instruction.targets.all()}
    for path, role in memberships_of(user):
        if any((a, r) in targets for a in ancestor_paths(path) for r in ("", role)):
            return path
    return ""


def instruction_for(*, actor: User, pk: int) -> Instruction:
    """One instruction the actor may read: the sender, an addressee, or someone whose jurisdiction covers it."""
    instruction = Instruction.objects.select_related("sender").prefetch_related("targets__node").get(pk=pk)
    if (
        instruction.sender_id == actor.pk
        or scoping.covers(actor, instruction.scope_path)
        or is_addressee(actor, instruction)
    ):
        return instruction
    raise Instruction.DoesNotExist()  # foreign or missing: the same answer, so ids cannot be probed


def can_track(actor: User, instruction: Instruction) -> bool:
    return instruction.sender_id == actor.pk or (can_send(actor) and scoping.covers(actor, instruction.scope_path))


def sent(*, actor: User) -> QuerySet[Instruction]:
    """Instructions the actor sent or that were sent inside their jurisdiction (for dispatchers and leaders)."""
    own = Q(sender=actor)
    if not can_send(actor):
        return Instruction.objects.filter(own).order_by("-id")
    return (scoping.scope(Instruction.objects.all(), actor) | Instruction.objects.filter(own)).order_by("-id")


def addressees(instruction: Instruction) -> QuerySet[Membership]:
    """The active memberships an instruction reaches (a user may appear twice through two memberships)."""
    query = Q(pk__in=[])
    for target in instruction.targets.all():
        term = Q(node_path__startswith=target.path)
        if target.role:
            term &= Q(role=target.role)
        query |= term
    return Membership.objects.filter(query, active=True).exclude(user_id=instruction.sender_id)


def instruction_message(pk: int) -> dict[str, Any]:
    """The pub/sub message for a new instruction: its targets (for matching) and what the phone page shows."""
    instruction = Instruction.objects.prefetch_related("targets").get(pk=pk)
    return {
        "t": "i",
        "id": instruction.pk,
        "sender": instruction.sender_id,
        "targets": sorted({(t.path, t.role) for t in instruction.targets.all()}),
        "event": instruction_event(instruction),
    }


def instruction_event(instruction: Instruction) -> dict[str, Any]:
    return {
        "id": instruction.pk,
        "kind": instruction.kind,
        "kind_label": str(instruction.get_kind_display()),
        "title": instruction.title,
        "body": instruction.body[:200],
        "priority": instruction.priority,
        "priority_label": str(instruction.get_priority_display()),
        "deadline": timezone.localtime(instruction.deadline).strftime("%Y-%m-%d %H:%M") if instruction.deadline else "",
        "sender": instruction.sender_name,
        "created": timezone.localtime(instruction.created_at).strftime("%m-%d %H:%M"),
        "requires_ack": instruction.requires_ack,
        "requires_report": instruction.requires_report,
        "url": reverse("dispatch:detail", args=[instruction.pk]),
    }


def notification_event(note: Notification) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "title": note.title,
        "body": note.body[:200],
        "url": note.url,
        "created": timezone.localtime(note.created_at).strftime("%m-%d %H:%M"),
    }


# --- tracking -------------------------------------------------------------------------------------------------------


@dataclass
class NodeProgress:
    path: str
    name: str
    total: int = 0
    read: int = 0
    acknowledged: int = 0
    completed: int = 0


@dataclass
class Tracking:
    total: int
    read: int
    acknowledged: int
    completed: int
    nodes: list[NodeProgress] = field(default_factory=list)
    pending: list[Membership] = field(default_factory=list)
    pending_total: int = 0

    @property
    def done_label(self) -> str:
        return f"{self.acknowledged} / {self.total}"


def _group_length(target: InstructionTarget) -> int:
    """Characters of a path prefix naming the target's children (codes have one length per level)."""
    child = GridNode.objects.filter(parent_id=target.node_id).values_list("code", flat=True).first()
    return len(target.path) + (len(child) + 1 if child else 0)


def pending_filter(instruction: Instruction) -> Q:
    """Receipts that count as done: what a reminder chases."""
    if instruction.requires_report:
        return Q(completed_at__isnull=False)
    if instruction.requires_ack:
        return Q(acknowledged_at__isnull=False)
    return Q(read_at__isnull=False)


def pending_memberships(instruction: Instruction) -> QuerySet[Membership]:
    done = Receipt.objects.filter(pending_filter(instruction), instruction=instruction).values("user_id")
    return addressees(instruction).exclude(user_id__in=done)


def tracking(*, actor: User, instruction: Instruction, pending_limit: int = 100) -> Tracking:
    """How many addressees have read, acknowledged and completed, in all and by node, and who has not yet."""
    if not can_track(actor, instruction):
        raise OutsideJurisdiction()
    members = addressees(instruction)
    receipts = Receipt.objects.filter(instruction=instruction)
    result = Tracking(
        total=members.values("user_id").distinct().count(),
        read=receipts.filter(read_at__isnull=False).count(),
        acknowledged=receipts.filter(acknowledged_at__isnull=False).count(),
        completed=receipts.filter(completed_at__isnull=False).count(),
    )
    groups: dict[str, NodeProgress] = {}
    for target in instruction.targets.all():
        length = _group_length(target)
        scoped_members = members.filter(node_path__startswith=target.path)
        if target.role:
            scoped_members = scoped_members.filter(role=target.role)
        for row in (
            scoped_members.annotate(group=Substr("node_path", 1, length))
            .values("group")
            .annotate(n=Count("user_id", distinct=True))
        ):
            groups.setdefault(row["group"], NodeProgress(row["group"], "")).total += row["n"]
        for row in (
            receipts.filter(node_path__startswith=target.path)
            .annotate(group=Substr("node_path", 1, length))
            .values("group")
            .annotate(
                read=Count("id", filter=Q(read_at__isnull=False)),
                acked=Count("id", filter=Q(acknowledged_at__isnull=False)),
                done=Count("id", filter=Q(completed_at__isnull=False)),
            )
        ):
            progress = groups.setdefault(row["group"], NodeProgress(row["group"], ""))
            progress.read += row["read"]
            progress.acknowledged += row["acked"]
            progress.completed += row["done"]
    names = dict(GridNode.objects.filter(path__in=list(groups)).values_list("path", "name"))
    for progress in groups.values():
        progress.name = names.get(progress.path, progress.path)
    result.nodes = sorted(groups.values(), key=lambda p: p.path)
    pending = pending_memberships(instruction)
    result.pending_total = pending.values("user_id").distinct().count()
    result.pending = list(pending.select_related("user", "node").order_by("node_path", "user_id")[:pending_limit])
    return result


# --- duty compliance ------------------------------------------------------------------------------------------------


def window_start(hours: int, now: dt.datetime) -> dt.datetime:
    """Start of the current duty window: aligned to local midnight when ``hours`` divides a day, else rolling."""
    local = timezone.localtime(now)
    if hours <= 24 and 24 % hours == 0:
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + dt.timedelta(hours=(local.hour // hours) * hours)
    return now - dt.timedelta(hours=hours)


@dataclass
class DutyItem:
    rule: DutyRule
    done: int
    since: dt.datetime

    @property
    def label(self) -> str:
        return str(self.rule.get_what_display())

    @property
    def due(self) -> int:
        return int(self.rule.count)

    @property
    def ok(self) -> bool:
        return self.done >= self.rule.count


@dataclass
class SourceItem:
    """Duty another app registered with ``core.duty`` (e.g. key-person visits): owed and done in time since."""

    source: duty.DutySource
    done: int
    due: int
    since: dt.datetime

    @property
    def label(self) -> str:
        return str(self.source.label)

    @property
    def ok(self) -> bool:
        return self.done >= self.due


@dataclass
class WorkerCompliance:
    membership: Membership
    items: list[DutyItem | SourceItem]

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def rate(self) -> float | None:
        """The worker's duty figure: Σ min(done, due) / Σ due over the items (as metrics' 巡查履职率 counts it)."""
        total = sum(item.due for item in self.items)
        if not total:
            return None
        return sum(min(item.done, item.due) for item in self.items) / total


def _done_counts(what: str, user_ids: list[int], since: dt.datetime) -> dict[int, int]:
    rows: Iterable[tuple[int, int]]
    if what == DutyRule.What.PATROL:
        rows = (
            Patrol.objects.filter(worker_id__in=user_ids, started_at__gte=since)
            .values("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
    elif what == DutyRule.What.VISIT:
        rows = (
            Visit.objects.filter(worker_id__in=user_ids, visited_at__gte=since)
            .values("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
    elif what == DutyRule.What.DIARY:
        rows = (
            Diary.objects.filter(worker_id__in=user_ids, written_at__gte=since)
            .values("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
    elif what == DutyRule.What.SCREENING:
        rows = (
            Screening.objects.filter(worker_id__in=user_ids, recorded_at__gte=since)
            .values("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
    else:
        event = apps.get_model("events", "Event")
        rows = (
            event.objects.filter(reporter_id__in=user_ids, reported_at__gte=since)
            .values("reporter_id")
            .annotate(n=Count("id"))
            .values_list("reporter_id", "n")
        )
    return dict(rows)


def duty_workers(*, actor: User) -> QuerySet[Membership]:
    """The grid workers in the actor's jurisdiction that some active duty rule applies to."""
    roles = set(DutyRule.objects.filter(active=True).values_list("role", flat=True)) & set(WORKER_ROLES)
    return (
        scoping.scope(Membership.objects.filter(active=True, role__in=roles), actor)
        .exclude(user_id=getattr(actor, "pk", 0) or 0)
        .select_related("user", "node")
        .order_by("node_path", "user_id")
    )


def compliance(*, memberships: Iterable[Membership], now: dt.datetime | None = None) -> list[WorkerCompliance]:
    """Each worker's progress against the duty rules of their role in the current windows."""
    now = now or timezone.now()
    memberships = list(memberships)
    rules = list(DutyRule.objects.filter(active=True, role__in={m.role for m in memberships}))
    user_ids = sorted({m.user_id for m in memberships})
    counts = {}
    for rule in rules:
        since = window_start(rule.hours, now)
        counts[rule.pk] = (since, _done_counts(rule.what, user_ids, since))
    # Duty with its own deadlines, registered by other apps: owed and done in time over each source's last days.
    extra = []
    for source in duty.sources():
        since = now - dt.timedelta(days=source.days)
        ids = sorted({m.user_id for m in memberships if m.role in source.roles})
        extra.append((source, since, source.by_worker(ids, since, now) if ids else {}))
    result = []
    for membership in memberships:
        items: list[DutyItem | SourceItem] = [
            DutyItem(rule, counts[rule.pk][1].get(membership.user_id, 0), counts[rule.pk][0])
            for rule in rules
            if rule.role == membership.role
        ]
        for source, since, tallies in extra:
            tally = tallies.get(membership.user_id)
            if membership.role in source.roles and tally is not None and tally.due:
                items.append(SourceItem(source, tally.done, tally.due, since))
        result.append(WorkerCompliance(membership, items))
    return result


def worker_grid(user: User) -> GridNode | None:
    """The finest node a worker serves (where their patrols, visits and diaries are filed)."""
    memberships = [m for m in user.active_memberships if m.role in WORKER_ROLES] or list(user.active_memberships)
    if not memberships:
        return None
    return max(memberships, key=lambda m: (m.node.depth, m.node_path)).node


def open_patrol(*, actor: User) -> Patrol | None:
    return Patrol.objects.filter(worker=actor, ended_at__isnull=True).first()


def my_patrols(*, actor: User) -> QuerySet[Patrol]:
    return Patrol.objects.filter(worker=actor).select_related("grid").order_by("-started_at")


def patrols_in_scope(*, actor: User) -> QuerySet[Patrol]:
    return scoping.scope(Patrol.objects.select_related("worker", "grid"), actor).order_by("-started_at")


# --- screening (矛盾纠纷排查) ----------------------------------------------------------------------------------------

# Who screens their grids: the grid's own workers. Informants report what they see as events instead.
SCREENING_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER})
# Who reads the screening records of a jurisdiction (the list, the missing zero reports).
SCREENING_READERS = frozenset({Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER, Role.ADMIN})


def screening_grids(user: User) -> list[GridNode]:
    """The nodes a worker screens: those of their active memberships in a screening role, first membership first."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = (
        Membership.objects.filter(user=user, active=True, role__in=SCREENING_ROLES)
        .select_related("node")
        .order_by("id")
    )
    seen: dict[int, GridNode] = {}
    for row in rows:
        seen.setdefault(row.node_id, row.node)
    return list(seen.values())


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month holding ``day``: the routine screening period (每月一排查)."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def screening_period(today: dt.date, *, instruction: Instruction | None = None) -> tuple[dt.date, dt.date]:
    """The period a new record covers by default: the campaign's (sent → deadline), else the current month."""
    if instruction is None:
        return month_of(today)
    start = min(timezone.localdate(instruction.created_at), today)
    end = timezone.localdate(instruction.deadline) if instruction.deadline else today
    return start, max(start, end)


def my_screenings(*, actor: User) -> QuerySet[Screening]:
    return Screening.objects.filter(worker=actor).select_related("grid", "instruction").order_by("-recorded_at")


def screenings_in_scope(
    *, actor: User, since: dt.date | None = None, until: dt.date | None = None
) -> QuerySet[Screening]:
    """Screening records in the actor's jurisdiction whose period starts within [since, until], newest first."""
    found = scoping.scope(Screening.objects.select_related("worker", "grid", "instruction"), actor)
    if since is not None:
        found = found.filter(period_start__gte=since)
    if until is not None:
        found = found.filter(period_start__lte=until)
    return found.order_by("grid_path", "-period_start", "-recorded_at")


def missing_grids(*, actor: User, since: dt.date, until: dt.date) -> QuerySet[GridNode]:
    """The grids (网格 level) in the actor's jurisdiction with no screening record whose period starts in
    [since, until]: neither a count nor a zero report, which is what 零报告 exists to expose."""
    reported: set[str] = set()
    paths = screenings_in_scope(actor=actor, since=since, until=until).values_list("grid_path", flat=True).distinct()
    for path in paths:
        reported.update(ancestor_paths(path))  # a record in a micro-grid reports for its grid
    grids = scoping.scope(GridNode.objects.filter(level=Level.GRID), actor, field="path")
    return grids.exclude(path__in=sorted(reported)).order_by("path")


@dataclass
class ScreeningTotals:
    """What the screening of a jurisdiction adds up to over a window (for the figures)."""

    found: int
    records: int
    zero_reports: int
    grids_expected: int
    grids_missing: int

    @property
    def grids_reported(self) -> int:
        return self.grids_expected - self.grids_missing


def screening_totals(*, actor: User, since: dt.date, until: dt.date) -> ScreeningTotals:
    """Disputes found, records, zero reports, and grids that did not report, for periods starting in [since, until],
    in the actor's jurisdiction."""
    records = screenings_in_scope(actor=actor, since=since, until=until).order_by()
    sums = records.aggregate(n=Count("id"), found=Sum("found"), zero=Count("id", filter=Q(none_found=True)))
    expected = scoping.scope(GridNode.objects.filter(level=Level.GRID), actor, field="path").count()
    return ScreeningTotals(
        found=sums["found"] or 0,
        records=sums["n"],
        zero_reports=sums["zero"],
        grids_expected=expected,
        grids_missing=missing_grids(actor=actor, since=since, until=until).count(),
    )
