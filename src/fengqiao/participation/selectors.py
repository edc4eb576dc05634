"""Queries of residents' participation, scoped to the communities the caller serves.

Who serves a community: its centre (a dispatcher whose subtree holds it; a platform administrator everywhere) and
the workers of its grids (grid leader, full- and part-time workers of a grid inside it). A community neither
serves is answered like a missing one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core import crypto, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation.models import (
    Claim,
    Entry,
    Item,
    Participant,
    Redemption,
    Review,
    Rule,
    Scheme,
    Task,
    Team,
)

FIELD_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER})
CENTRE_ROLES = frozenset({Role.DISPATCHER})
CODE_PURPOSE = "participant-code"


def centre_paths(actor: Caller) -> list[str] | None:
    """The subtrees whose communities the actor serves as their centre; None: everywhere (the superuser)."""
    if not signed_in(actor):
        return []
    if actor.is_superuser:
        return None
    return scoping.minimal_paths(m.node.path for m in actor.active_memberships if m.role in CENTRE_ROLES)


def field_paths(actor: Caller) -> list[str]:
    if not signed_in(actor):
        return []
    return [m.node.path for m in actor.active_memberships if m.role in FIELD_ROLES]


def is_centre(actor: Caller, community_path: str) -> bool:
    paths = centre_paths(actor)
    return paths is None or any(community_path.startswith(p) for p in paths)


def is_field(actor: Caller, community_path: str) -> bool:
    return any(p.startswith(community_path) for p in field_paths(actor))


def serves(actor: Caller, community_path: str) -> bool:
    return is_centre(actor, community_path) or is_field(actor, community_path)


def _community_q(actor: Caller, field: str, *, centre_only: bool = False) -> Q | None:
    """The filter on ``field`` (a community's path) for the communities the actor serves; None: no filter."""
    centre = centre_paths(actor)
    if centre is None:
        return None
    query = scoping.path_q(centre, field)
    if not centre_only:
        ancestors = {a for p in field_paths(actor) for a in scoping.ancestor_paths(p)}
        query |= Q(**{f"{field}__in": sorted(ancestors)})
    return query


def _scoped(queryset: QuerySet, actor: Caller, field: str, *, centre_only: bool = False) -> QuerySet:  # type: ignore[type-arg]
    if not signed_in(actor):
        return queryset.none()
    query = _community_q(actor, field, centre_only=centre_only)
    return queryset if query is None else queryset.filter(query)


def communities_for(*, actor: Caller, centre_only: bool = False) -> QuerySet[GridNode]:
    qs = GridNode.objects.filter(level=Level.COMMUNITY).select_related("points_scheme")
    return _scoped(qs, actor, "path", centre_only=centre_only).order_by("path")


def community_for(*, actor: Caller, code: str, centre_only: bool = False) -> GridNode | None:
    return communities_for(actor=actor, centre_only=centre_only).filter(code=code).first()


def scheme_of(community: GridNode) -> Scheme | None:
    return Scheme.objects.filter(community=community).first()


def scheme_for_token(token: str) -> Scheme | None:
    if not token or len(token) > 40:
        return None
    return Scheme.objects.select_related("community").filter(token=token).first()


def participants_for(*, actor: Caller) -> QuerySet[Participant]:
    return _scoped(Participant.objects.select_related("scheme__community"), actor, "community_path")


def participant_for(*, actor: Caller, pk: int) -> Participant | None:
    return participants_for(actor=actor).filter(pk=pk).first()


def entries_for(*, actor: Caller) -> QuerySet[Entry]:
    return _scoped(Entry.objects.select_related("rule", "confirmer", "participant"), actor, "community_path")


def rules_of(scheme: Scheme, *, active: bool = True) -> QuerySet[Rule]:
    qs = Rule.objects.filter(scheme=scheme)
    return qs.filter(active=True) if active else qs


def items_of(scheme: Scheme, *, active: bool = True) -> QuerySet[Item]:
    qs = Item.objects.filter(scheme=scheme)
    return qs.filter(active=True) if active else qs


def ledger(participant: Participant) -> QuerySet[Entry]:
    return participant.entries.select_related("rule", "confirmer", "reversal").order_by("-at", "-id")


def redemptions_of(participant: Participant) -> QuerySet[Redemption]:
    return participant.redemptions.select_related("item").order_by("-at", "-id")


def ranking(scheme: Scheme, *, limit: int = 50) -> list[tuple[str, int]]:
    """积分榜: points earned (awards less their reversals; spending does not lower a rank), names masked."""
    rows = (
        Participant.objects.filter(scheme=scheme)
        .annotate(earned=Sum("entries__points", filter=Q(entries__kind__in=[Entry.Kind.AWARD, Entry.Kind.REVERSAL])))
        .filter(earned__gt=0)
        .order_by("-earned", "id")[:limit]
    )
    return [(p.name_masked, int(p.earned)) for p in rows]


# The personal code: a bearer secret of 128 random bits; only its digest is stored.


def new_code() -> tuple[str, str]:
    code = secrets.token_hex(16)
    return code, code_digest(code)


def _normal(code: str) -> str:
    return "".join(code.split()).lower()


def code_digest(code: str, provider: str | None = None) -> str:
    return crypto.fingerprint(_normal(code), provider, purpose=CODE_PURPOSE)


def participant_for_code(code: str, *, scheme: Scheme | None = None) -> Participant | None:
    """The participant whose personal code is ``code`` (in ``scheme`` when given); the caller rate-limits."""
    code = _normal(code or "")
    if "k=" in code:  # a scanned link to the participant's page
        code = code.rsplit("k=", 1)[1].split("&", 1)[0]
    if not code or len(code) > 100:
        return None
    digests = [code_digest(code, name) for name in crypto.PROVIDERS]
    qs = Participant.objects.select_related("scheme__community").filter(code_index__in=digests)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    return qs.first()


# Periods of a rule's limit, in local time.


def period_start(period: str, now: dt.datetime) -> dt.datetime:
    today = timezone.localdate(now)
    if period == Rule.Period.WEEK:
        today -= dt.timedelta(days=today.weekday())
    elif period == Rule.Period.MONTH:
        today = today.replace(day=1)
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def awards_in_period(participant: Participant, rule: Rule, now: dt.datetime) -> int:
    """Awards under ``rule`` in the current period that were not reversed."""
    return Entry.objects.filter(
        participant=participant,
        rule=rule,
        kind=Entry.Kind.AWARD,
        at__gte=period_start(rule.period, now),
        reversal__isnull=True,
    ).count()


# Teams, tasks and patrol slots.


def teams_of(scheme: Scheme) -> QuerySet[Team]:
    return Team.objects.filter(scheme=scheme).select_related("leader").prefetch_related("members")


def tasks_for(*, actor: Caller) -> QuerySet[Task]:
    """Tasks of the communities the caller serves (read: the centre and every grid worker of the community)."""
    return _scoped(Task.objects.select_related("grid", "rule", "team", "scheme__community"), actor, "community_path")


def may_record(actor: Caller, task: Task) -> bool:
    """Who records a task or group patrol: the community's centre, or a grid worker of the task's own grid."""
    if not signed_in(actor):
        return False
    return is_centre(actor, task.community_path) or any(task.grid_path.startswith(p) for p in field_paths(actor))


def task_to_record(*, actor: Caller, pk: int) -> Task | None:
    """The task the caller may record; a task of another grid answers like a missing one."""
    task = tasks_for(actor=actor).filter(pk=pk).first()
    return task if task is not None and may_record(actor, task) else None


def live_claims(task: Task) -> QuerySet[Claim]:
    return task.claims.filter(cancelled_at__isnull=True).select_related("participant", "entry")


def open_tasks(participant: Participant, now: dt.datetime) -> QuerySet[Task]:
    """What the resident may still claim: their community's tasks that have not started."""
    return Task.objects.filter(scheme_id=participant.scheme_id, starts_at__gt=now, recorded_by=None).select_related(
        "grid", "rule"
    )


def claims_of(participant: Participant) -> QuerySet[Claim]:
    return participant.claims.filter(cancelled_at__isnull=True).select_related("task__grid", "task__rule", "entry")


def task_of_participant(participant: Participant, pk: int) -> Task | None:
    """A task of the participant's own community; another community's answers like a missing one."""
    return Task.objects.filter(scheme_id=participant.scheme_id, pk=pk).first()


# Party members (党员双报到).


def quarter_of(moment: dt.datetime) -> tuple[int, int]:
    day = timezone.localdate(moment)
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )


def party_members(scheme: Scheme) -> QuerySet[Participant]:
    return Participant.objects.filter(scheme=scheme, kind=Participant.Kind.PARTY_MEMBER).order_by("registered_at", "id")


def done_claims(participant: Participant, start: dt.datetime, end: dt.datetime) -> QuerySet[Claim]:
    """The tasks and patrols the participant came to, by when they took place."""
    return participant.claims.filter(present=True, task__starts_at__gte=start, task__starts_at__lt=end).select_related(
        "task", "entry"
    )


@dataclass
class YearRow:
    participant: Participant
    quarters: list[Review | None] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    points: int = 0

    @property
    def cells(self) -> list[tuple[Review | None, int]]:
        return list(zip(self.quarters, self.done, strict=True))

    @property
    def total_done(self) -> int:
        return sum(self.done)

    @property
    def score(self) -> int:
        """好 4, 较好 3, 一般 2, 差 1, summed over the reviewed quarters."""
        return sum(SCORES[str(r.grade)] for r in self.quarters if r is not None)


SCORES: dict[str, int] = {
    Review.Grade.GOOD: 4,
    Review.Grade.FAIR_GOOD: 3,
    Review.Grade.AVERAGE: 2,
    Review.Grade.POOR: 1,
}


def party_year(scheme: Scheme, year: int, *, members: list[Participant] | None = None) -> list[YearRow]:
    """年底评: for each party member the four quarters' reviews and the tasks done in each, and the year's points
    earned by them."""
    members = list(party_members(scheme)) if members is None else members
    reviews = {
        (r.participant_id, r.quarter): r
        for r in Review.objects.filter(participant__in=members, year=year).select_related("reviewer")
    }
    rows = []
    for p in members:
        row = YearRow(participant=p)
        for q in range(1, 5):
            start, end = quarter_bounds(year, q)
            row.quarters.append(reviews.get((p.pk, q)))
            claims = list(done_claims(p, start, end))
            row.done.append(len(claims))
            row.points += sum(c.entry.points for c in claims if c.entry is not None)
        rows.append(row)
    return rows
