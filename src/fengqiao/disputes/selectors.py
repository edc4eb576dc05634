"""Queries over disputes, always scoped to the actor's jurisdiction (plus the cases assigned to them).

The "13710" colours (绿橙红) and their labels are declared in ``disputes.clocks`` and computed in SQL by
``core.deadlines`` from the stored deadlines and ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import Role, User
from fengqiao.core import scoping, tracking
from fengqiao.core.codes import normalise
from fengqiao.core.models import Action
from fengqiao.core.scoping import ancestor_paths
from fengqiao.disputes import tiers
from fengqiao.disputes.clocks import DISPUTE_CLOCKS, FLAG_LABELS
from fengqiao.disputes.models import CaseStudy, Dispute, DisputeType, Mediator, Organisation, PanelSeat, Source
from fengqiao.disputes.workflow import (
    DISPUTE_FLOW,
    OPEN_STATES,
    RESOLVED_STATES,
    WITH_MEDIATOR,
)
from fengqiao.grids.models import GridNode, Level

COLOURS = ("green", "orange", "red")


def _mediated_by(membership: Any) -> Q:
    """Cases assigned to the mediator, or to a mediation organisation they serve in."""
    organisations = Mediator.objects.filter(user_id=membership.user_id, active=True).values("organisation_id")
    return Q(mediator__user_id=membership.user_id) | Q(organisation_id__in=organisations)


# Least privilege: who reaches which cases. Roles not named here reach their node's subtree (grid workers, grid
# leaders, informants, dispatchers, leaders, administrators); a mediator reaches the cases of their own and their
# organisation's; department handlers and the security and audit administrators (三员分立) reach none.
DISPUTE_REACH: dict[str, scoping.RoleReach] = {
    Role.MEDIATOR: _mediated_by,
    Role.HANDLER: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}


def visible_disputes(*, actor: User) -> QuerySet[Dispute]:
    """Cases the actor may see, by role (see DISPUTE_REACH), plus those assigned to the actor as mediator (an
    industry mediator's cases anywhere); every list, page, count and figure reads through here."""
    reached = scoping.reach(actor, field="grid_path", by_role=DISPUTE_REACH)
    if reached is None:
        return Dispute.objects.all()
    if getattr(actor, "is_authenticated", False):
        # Also: the organisation leader a case was handed to, its responsible leader, the members of its panel.
        seats = PanelSeat.objects.filter(mediator__user=actor).values("dispute_id")
        reached |= Q(mediator__user=actor) | Q(organisation__leader=actor) | Q(leader=actor) | Q(pk__in=seats)
    return Dispute.objects.filter(reached)


@dataclass
class QueueFilters:
    state: str = ""
    type: str = ""
    grid: str = ""
    colour: str = ""
    flag: str = ""
    risk: str = ""
    source: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""
    open_only: bool = False


def dispute_queue(
    *, actor: User, filters: QueueFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Dispute]:
    """The centre's queue: scoped, filtered, each row with its colour, most urgent first."""
    f = filters or QueueFilters()
    qs = visible_disputes(actor=actor)
    if f.state:
        qs = qs.filter(state=f.state)
    elif f.open_only:
        qs = qs.filter(Q(state__in=OPEN_STATES) | Q(state="resolved"))
    if f.type:
        qs = qs.filter(type__code=f.type)
    if f.grid:
        node = scoping.scope(GridNode.objects.all(), actor).filter(code=f.grid).first()
        qs = qs.filter(grid_path__startswith=node.path) if node else qs.none()
    if f.risk:
        qs = qs.filter(risk=f.risk)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.since:
        qs = qs.filter(entered_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(entered_at__date__lte=f.until)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(Q(tracking_code__icontains=term) | Q(summary__icontains=term))
    qs = DISPUTE_CLOCKS.annotate(qs, now)
    if f.colour:
        qs = qs.filter(colour=f.colour)  # type: ignore[misc]
    if f.flag:
        qs = qs.filter(flag=f.flag)  # type: ignore[misc]
    return qs.select_related("type", "grid", "mediator__user", "organisation").order_by(
        "urgency", "close_due_at", "-entered_at"
    )


def colour_counts(*, actor: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Cases per colour and per label in the actor's jurisdiction (one grouped query)."""
    qs = DISPUTE_CLOCKS.annotate(visible_disputes(actor=actor), now)
    counts = {c: 0 for c in COLOURS} | {f: 0 for f in FLAG_LABELS}
    for row in qs.values("colour", "flag").annotate(n=Count("id")).order_by():  # type: ignore[misc]
        if row["colour"]:
            counts[row["colour"]] += row["n"]
        if row["flag"]:
            counts[row["flag"]] += row["n"]
    return counts


@dataclass
class UnitCounts:
    node: GridNode
    green: int = 0
    orange: int = 0
    red: int = 0
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.green + self.orange + self.red


def units_of(*, actor: User, node: GridNode | None = None) -> list[GridNode]:
    """The units one level below the actor's (or the given) node: the rows of the supervision table."""
    if node is None:
        roots = list(scoping.scope(GridNode.objects.all(), actor).order_by("depth", "path")[:1])
        if not roots:
            return []
        node = roots[0]
    return list(GridNode.objects.filter(parent=node).order_by("code"))


def unit_colour_counts(
    *, actor: User, node: GridNode | None = None, now: dt.datetime | None = None
) -> list[UnitCounts]:
    """Open cases per colour per unit, grouped in SQL by the unit's path prefix."""
    units = units_of(actor=actor, node=node)
    by_path = {u.path: UnitCounts(node=u) for u in units}
    qs = DISPUTE_CLOCKS.annotate(visible_disputes(actor=actor), now)
    for length in sorted({len(u.path) for u in units}):
        rows = (
            qs.annotate(unit=Substr("grid_path", 1, length))
            .values("unit", "colour", "flag")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts = by_path.get(row["unit"])
            if counts is None or not row["colour"]:
                continue
            setattr(counts, row["colour"], getattr(counts, row["colour"]) + row["n"])
            if row["flag"]:
                counts.flags[row["flag"]] = counts.flags.get(row["flag"], 0) + row["n"]
    return list(by_path.values())


def dispute_detail(*, actor: User, code: str, now: dt.datetime | None = None) -> Dispute:
    """One case the actor may open; one outside their reach is refused exactly like a missing one (404), so codes
    cannot be probed."""
    code = normalise(code)
    found = visible_disputes(actor=actor).filter(tracking_code=code).values_list("pk", flat=True).first()
    if found is None:
        raise Dispute.DoesNotExist()
    qs = Dispute.objects.select_related("type", "grid", "mediator__user", "mediator__organisation", "organisation")
    return DISPUTE_CLOCKS.annotate(qs.filter(pk=found), now).prefetch_related("parties").get()


def my_cases(*, actor: User, colour: str = "", now: dt.datetime | None = None) -> QuerySet[Dispute]:
    """The mediator's workspace: cases assigned to them that still need work, most urgent first (only those of one
    deadline ``colour`` when asked)."""
    qs = Dispute.objects.filter(mediator__user=actor).exclude(state__in=("closed", "withdrawn", "referred"))
    qs = DISPUTE_CLOCKS.annotate(qs, now)
    if colour:
        qs = qs.filter(colour=colour)  # type: ignore[misc]
    return qs.select_related("type", "grid").order_by("urgency", "close_due_at")


def timeline(dispute: Dispute) -> list[Action]:
    """The audit trail of one case, each row labelled by the workflow table; what applicants and parties do without
    an account (file, withdraw, rate, join an online session, sign) shows as done by the public, unnamed."""
    return tracking.timeline(
        dispute,
        DISPUTE_FLOW,
        by_public=("submit", "withdraw", "rate", "session_joined", "signed", "agreement_esigned"),
    )


def available_actions(*, actor: User, dispute: Dispute) -> list[str]:
    return [t.name for t in DISPUTE_FLOW.available(dispute, actor)]


def _mediating_organisation(action: Action) -> str:
    chosen = action.data.get("mediator")
    if not isinstance(chosen, dict):
        return ""
    pk = chosen.get("pk")
    if not isinstance(pk, int):
        return ""
    mediator = Mediator.objects.filter(pk=pk).select_related("organisation").first()
    return mediator.organisation.name if mediator else ""


def public_tracking(*, code: str) -> tuple[Dispute, list[tracking.PublicStage]]:
    """What the applicant sees by tracking code: the workflow's public stages and times; never a party's name, phone
    or ID, never a mediator's notes. The only notes: which organisation mediates, the tier, where it was referred."""
    dispute = Dispute.objects.select_related("type", "grid", "organisation").get(tracking_code=normalise(code))
    notes = {
        "assign": _mediating_organisation,
        "escalate": lambda action: (
            str(tiers.tier(int(action.data.get("tier", 0) or 0), dispute.ladder).name) if "tier" in action.data else ""
        ),
        "refer": lambda action: str(dispute.get_referral_to_display()),
    }
    return dispute, tracking.public_stages(dispute, DISPUTE_FLOW, notes=notes)


# Assignment suggestion.
@dataclass
class Suggestion:
    mediator: Mediator
    caseload: int
    reason: str
    rank: tuple[int, ...]


def _open_caseload() -> Count:
    return Count("cases", filter=Q(cases__state__in=WITH_MEDIATOR))


def candidates(*, dispute: Dispute) -> QuerySet[Mediator]:
    """Active mediators whose organisation serves the case's grid and whose kind the case's current tier takes,
    with their open caseload; once the case is handed to an organisation, only its members."""
    handed = (
        Q(organisation_id=dispute.organisation_id) if dispute.organisation_id and dispute.mediator_id is None else Q()
    )
    return (
        Mediator.objects.filter(
            handed,
            kind__in=tiers.tier(dispute.tier, dispute.ladder).kinds,
            active=True,
            organisation__active=True,
            organisation__node_path__in=ancestor_paths(dispute.grid_path),
        )
        .select_related("user", "organisation", "organisation__node")
        .prefetch_related("specialties", "organisation__specialties")
        .annotate(caseload=_open_caseload())
    )


def suggest_mediators(*, dispute: Dispute, limit: int = 5) -> list[Suggestion]:
    """Who should take this case: industry mediators first for their types, then specialists of the type at the
    tier's level, then community mediation as the fallback; within each, the lightest open caseload."""
    level = tiers.tier(dispute.tier, dispute.ladder).level
    ranked = []
    for m in candidates(dispute=dispute):
        org = m.organisation
        specialties = {t.pk for t in m.specialties.all()} or {t.pk for t in org.specialties.all()}
        specialist = dispute.type_id in specialties
        org_level = tiers.COMMUNITY if org.node.level >= 4 else tiers.STREET
        if org.kind == Organisation.Kind.INDUSTRY:
            if not (dispute.type.industry and org.industry == dispute.type.industry) and not specialist:
                continue
            group, reason = 0, gettext_lazy("行业调解优先")
        elif specialist:
            group, reason = 1, gettext_lazy("擅长该类纠纷")
        elif org.kind in (Organisation.Kind.VILLAGE, Organisation.Kind.TOWNSHIP):
            group, reason = 2, gettext_lazy("人民调解兜底")
        else:
            continue
        level_penalty = 0 if org_level == level or group == 0 else 1
        caseload = int(getattr(m, "caseload", 0))
        rank = (group, level_penalty, caseload, -org.node.depth, m.pk)
        ranked.append(Suggestion(mediator=m, caseload=caseload, reason=str(reason), rank=rank))
    ranked.sort(key=lambda s: s.rank)
    return ranked[:limit]


def assignable_mediators(*, dispute: Dispute) -> list[Mediator]:
    return list(candidates(dispute=dispute).order_by("organisation__node_path", "user__full_name"))


def organisations(*, actor: User) -> QuerySet[Organisation]:
    """Mediation organisations in the actor's area, with members and open caseload."""
    return (
        scoping.scope(Organisation.objects.all(), actor)
        .select_related("node", "leader")
        .annotate(
            member_count=Count("members", filter=Q(members__active=True), distinct=True),
            caseload=Count("cases", filter=Q(cases__state__in=WITH_MEDIATOR), distinct=True),
        )
        .order_by("node_path", "kind", "name")
    )


def case_library(*, type_code: str = "", q: str = "") -> QuerySet[CaseStudy]:
    qs = CaseStudy.objects.filter(published=True).select_related("type")
    if type_code:
        qs = qs.filter(type__code=type_code)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(facts__icontains=q) | Q(points__icontains=q))
    return qs


def similar_studies(*, dispute: Dispute, limit: int = 3) -> list[CaseStudy]:
    return list(case_library(type_code=dispute.type.code)[:limit])


def active_types() -> QuerySet[DisputeType]:
    return DisputeType.objects.filter(active=True)


# Figures (统计).
def resolution_rate(*, resolved: float, entered: float) -> float | None:
    """化解率, the one definition: disputes resolved ÷ disputes entered in the period, as the county reports it
    ("排查矛盾纠纷8023件，化解7969件，化解率99.33%"); None when nothing was entered, never above 1. The disputes
    figures and the metrics indicator both call this."""
    return min(1.0, resolved / entered) if entered else None


@dataclass
class Row:
    """One line of the figures. ``entered`` counts cases entered in the period; ``resolved``, ``concluded`` and
    ``on_time`` count cases concluded in the period (by their conclusion date), as the per-grid counters do."""

    key: str
    label: str
    entered: int = 0
    resolved: int = 0
    concluded: int = 0
    on_time: int = 0
    days_total: float = 0.0
    stars_total: int = 0
    rated: int = 0

    @property
    def resolution_rate(self) -> float | None:
        return resolution_rate(resolved=self.resolved, entered=self.entered)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.concluded if self.concluded else None

    @property
    def average_days(self) -> float | None:
        return self.days_total / self.resolved if self.resolved else None

    @property
    def average_stars(self) -> float | None:
        return self.stars_total / self.rated if self.rated else None


@dataclass
class LevelShare:
    """小事不出村、大事不出镇、矛盾不上交: of the cases resolved in the period, how many were resolved by an
    organisation at this level or below (the resolving organisation's place in the grid tree, not a tier label)."""

    label: str
    resolved: int
    share: float | None


@dataclass
class Figures:
    total: Row
    by_type: list[Row]
    by_source: list[Row]
    by_unit: list[Row]
    by_organisation: list[Row]
    by_mediator: list[Row]
    by_tier: list[Row]
    levels: list[LevelShare]
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def village_share(self) -> float | None:
        return self.levels[0].share

    @property
    def township_share(self) -> float | None:
        return self.levels[1].share


# The three sayings, each with the deepest grid level the resolving organisation may sit at.
LEVEL_SAYINGS: tuple[tuple[Any, int], ...] = (
    (gettext_lazy("小事不出村"), Level.COMMUNITY),
    (gettext_lazy("大事不出镇"), Level.STREET),
    (gettext_lazy("矛盾不上交"), Level.DISTRICT),
)


def _in_period(moment: dt.datetime | None, since: dt.date | None, until: dt.date | None) -> bool:
    if moment is None:
        return False
    day = timezone.localdate(moment)
    return (since is None or day >= since) and (until is None or day <= until)


def figures(
    *, actor: User, since: dt.date | None = None, until: dt.date | None = None, node: GridNode | None = None
) -> Figures:
    """Entered and resolved in the period, 化解率 (resolved ÷ entered, ``resolution_rate``), on-time rate, average
    days and stars; by type, source, unit, organisation, mediator and tier (named by each case's own ladder); and
    the share resolved at village, township and county level by the resolving organisation's level.

    A case counts as entered on its entry day and as resolved on its conclusion day, exactly as the per-grid
    counters behind ``/metrics`` and the map count it, so the page and the indicator give the same rate."""
    qs = visible_disputes(actor=actor)
    if node is not None:
        qs = qs.filter(grid_path__startswith=node.path)
    in_window = Q()
    if since:
        in_window &= Q(entered_at__date__gte=since) | Q(concluded_at__date__gte=since)
    if until:
        in_window &= Q(entered_at__date__lte=until) | Q(concluded_at__date__lte=until)
    qs = qs.filter(in_window)
    units = units_of(actor=actor, node=node)
    unit_rows = {u.path: Row(u.code, u.name) for u in units}
    total = Row("", str(gettext_lazy("合计")))
    groups: dict[str, dict[str, Row]] = defaultdict(dict)
    level_counts = [0 for _ in LEVEL_SAYINGS]
    source_labels = dict(Source.choices)
    values = qs.values_list(
        "type__code",
        "type__name",
        "source",
        "grid_path",
        "organisation_id",
        "organisation__name",
        "organisation__node__level",
        "mediator_id",
        "mediator__user__full_name",
        "mediator__user__username",
        "state",
        "ladder",
        "tier",
        "entered_at",
        "concluded_at",
        "close_due_at",
        "stars",
    )
    for (
        code,
        name,
        source,
        path,
        org_id,
        org_name,
        org_level,
        mid,
        full,
        username,
        state,
        ladder,
        tier_index,
        entered,
        concluded,
        due,
        stars,
    ) in values.iterator():
        tier = tiers.tier(tier_index, ladder=ladder)  # named by the case's own ladder
        rows = [
            total,
            groups["type"].setdefault(code, Row(code, name)),
            groups["source"].setdefault(source, Row(source, str(source_labels.get(source, "")))),
            groups["tier"].setdefault(f"{ladder}:{tier.code}", Row(tier.code, tier.name)),
        ]
        unit = next((r for p, r in unit_rows.items() if path.startswith(p)), None)
        if unit is not None:
            rows.append(unit)
        if org_id is not None:
            rows.append(groups["organisation"].setdefault(str(org_id), Row(str(org_id), org_name)))
        if mid is not None:
            rows.append(groups["mediator"].setdefault(str(mid), Row(str(mid), full or username)))
        entered_now = _in_period(entered, since, until)
        concluded_now = state != "withdrawn" and _in_period(concluded, since, until)
        resolved = concluded_now and state in RESOLVED_STATES
        for row in rows:
            row.entered += entered_now
            if concluded_now and concluded is not None:  # _in_period says so; the check tells the type checker
                row.concluded += 1
                row.on_time += due is None or concluded <= due
                if resolved:
                    row.resolved += 1
                    row.days_total += (concluded - entered).total_seconds() / 86400
                    if stars:
                        row.rated += 1
                        row.stars_total += stars
        if resolved:
            for i, (_label, deepest) in enumerate(LEVEL_SAYINGS):
                level_counts[i] += org_level is not None and org_level >= deepest

    def ranked(key: str, limit: int = 50) -> list[Row]:
        return sorted(groups[key].values(), key=lambda r: (-r.entered, -r.resolved, r.label))[:limit]

    return Figures(
        total=total,
        by_type=ranked("type"),
        by_source=ranked("source"),
        by_unit=list(unit_rows.values()),
        by_organisation=ranked("organisation"),
        by_mediator=ranked("mediator"),
        by_tier=ranked("tier"),
        levels=[
            LevelShare(str(label), n, n / total.resolved if total.resolved else None)
            for (label, _deepest), n in zip(LEVEL_SAYINGS, level_counts, strict=True)
        ],
        since=since,
        until=until,
    )
