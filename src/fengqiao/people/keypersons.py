"""Key persons (重点人员): who may read them, the commands that list, visit, re-grade, reassign and end them, and
the figures other apps may see (counts only, never names).

Need-to-know: a record is read only by its responsible worker, the grid leaders and the centre dispatchers whose
jurisdiction covers its grid. Part-time workers, informants, handlers, mediators, leaders and administrators do not
read records; leaders and dispatchers see counts per area. A record outside the caller's reach is missing (404).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import Role, User
from fengqiao.core import audit, deadlines, duty, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction
from fengqiao.grids.models import GridNode
from fengqiao.people import keyflow
from fengqiao.people.clocks import KEY_CLOCKS
from fengqiao.people.models import KeyCategory, KeyPerson, KeyVisit, Person, Risk

# Who sees counts per area (the map's layer), never the records behind them.
COUNT_ROLES = (Role.LEADER, Role.DISPATCHER, Role.GRID_LEADER)
# How far back the duty page looks at visits (one month, as visits of yellow records fall monthly).
DUTY_DAYS = 30


# --- who reads what ---------------------------------------------------------------------------------------------------


def _paths(actor: Caller, roles: Iterable[str]) -> list[str]:
    if not signed_in(actor):
        return []
    wanted = set(roles)
    return scoping.minimal_paths(m.node.path for m in actor.active_memberships if m.role in wanted)


def reach(actor: Caller) -> Q:
    """The records ``actor`` may read: their own as responsible worker while serving the grid, and every record
    under a node where they are grid leader or centre dispatcher. Superusers get nothing more (need-to-know)."""
    if not signed_in(actor):
        return Q(pk__in=[])
    own = Q(worker_id=actor.pk) & scoping.path_q(_paths(actor, keyflow.WORKER_ROLES), "grid_path")
    return own | scoping.path_q(_paths(actor, keyflow.MANAGER_ROLES), "grid_path")


def may_read_any(actor: Caller) -> bool:
    """Whether the caller holds a post that can read key-person records at all (menus, pages)."""
    return signed_in(actor) and bool(actor.roles() & {*keyflow.WORKER_ROLES, *keyflow.MANAGER_ROLES})


def may_manage_any(actor: Caller) -> bool:
    return signed_in(actor) and actor.has_role(*keyflow.MANAGER_ROLES) and not actor.is_superuser


def visible_key_persons(*, actor: Caller) -> QuerySet[KeyPerson]:
    return KeyPerson.objects.filter(reach(actor)).select_related("person", "category", "worker", "grid")


def key_person_for(*, actor: Caller, pk: Any) -> KeyPerson:
    """One record the actor may read; a foreign or missing one raises ``DoesNotExist`` alike (404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise KeyPerson.DoesNotExist() from None
    record = visible_key_persons(actor=actor).filter(pk=pk).first()
    if record is None:
        raise KeyPerson.DoesNotExist()
    return record


def with_colours(qs: QuerySet[KeyPerson], now: dt.datetime | None = None) -> QuerySet[KeyPerson]:
    return KEY_CLOCKS.annotate(qs, now)


def my_key_persons(*, actor: Caller, now: dt.datetime | None = None) -> QuerySet[KeyPerson]:
    """我的重点人员: the worker's active records, red first, then by due time."""
    qs = visible_key_persons(actor=actor).filter(worker_id=getattr(actor, "pk", None), state=keyflow.ACTIVE)
    return with_colours(qs, now).order_by("urgency", "visit_due_at", "pk")


def key_persons_in_scope(
    *, actor: Caller, overdue: bool = False, state: str = keyflow.ACTIVE, now: dt.datetime | None = None
) -> QuerySet[KeyPerson]:
    """The grid leader's or centre's list: every record they may read, with colours; ``overdue`` keeps red ones."""
    qs = visible_key_persons(actor=actor).filter(state=state)
    qs = with_colours(qs, now)
    if overdue:
        qs = qs.filter(colour="red")  # type: ignore[misc]  # annotated by the clock
    return qs.order_by("urgency", "visit_due_at", "pk")


def visits_of(*, record: KeyPerson) -> QuerySet[KeyVisit]:
    return record.visits.select_related("worker").order_by("-visited_at")


def visits_due_count(*, actor: Caller, now: dt.datetime | None = None) -> int:
    """待走访: the worker's records that are orange or red now."""
    owed = my_key_persons(actor=actor, now=now)
    return owed.filter(colour__in=["orange", "red"]).count()  # type: ignore[misc]  # annotated by the clock


def key_person_counts(*, actor: Caller, paths: Sequence[str], now: dt.datetime | None = None) -> dict[str, Any]:
    """The map's key-person layer: per path, active records by risk and how many are overdue. Counts only, and only
    for paths a leader, dispatcher or grid leader of the caller's covers (others are left out)."""
    if not signed_in(actor):
        return {}
    reach_paths = _paths(actor, COUNT_ROLES)
    wanted = [p for p in paths if any(p.startswith(r) for r in reach_paths)]
    out: dict[str, Any] = {p: {"red": 0, "yellow": 0, "blue": 0, "overdue": 0, "total": 0} for p in wanted}
    if not wanted:
        return out
    now = now or timezone.now()
    active = KeyPerson.objects.filter(state=keyflow.ACTIVE)
    for path in wanted:
        row = active.filter(grid_path__startswith=path).aggregate(
            red=Count("pk", filter=Q(risk=Risk.RED)),
            yellow=Count("pk", filter=Q(risk=Risk.YELLOW)),
            blue=Count("pk", filter=Q(risk=Risk.BLUE)),
            overdue=Count("pk", filter=Q(visit_due_at__lt=now)),
            total=Count("pk"),
        )
        out[path] = {k: int(v or 0) for k, v in row.items()}
    return out


# --- commands ---------------------------------------------------------------------------------------------------------


def _check_worker(worker: User | None, grid_path: str) -> None:
    if worker is None or not keyflow.serves(worker, grid_path, keyflow.WORKER_ROLES):
        raise DomainError(_("责任人须是该网格在岗的专职网格员或网格长。"), code=CoreErrorCode.INVALID)


def _require_manager(actor: Caller, grid_path: str) -> None:
    if not keyflow.serves(actor, grid_path, keyflow.MANAGER_ROLES):
        raise OutsideJurisdiction()


def list_key_person(
    *,
    actor: User,
    person: Person,
    category: KeyCategory,
    risk: str,
    worker: User,
    grid: GridNode | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> KeyPerson:
    """列管: list a person as key in a category, with a risk level and a responsible worker; the visit clock starts."""
    now = now or timezone.now()
    grid = grid or person.grid
    _require_manager(actor, grid.path)
    if risk not in Risk.values:
        raise DomainError(_("请选择风险等级。"), code=CoreErrorCode.MISSING_FIELDS)
    if not category.active:
        raise DomainError(_("该重点人员类别已停用。"), code=CoreErrorCode.INVALID)
    _check_worker(worker, grid.path)
    record = KeyPerson(
        person=person,
        category=category,
        risk=risk,
        worker=worker,
        grid=grid,
        note=note.strip(),
        state=keyflow.ACTIVE,
        since=timezone.localdate(now),
        created_at=now,
    )
    KEY_CLOCKS.start(record, deadlines.CREATE, now)
    try:
        with transaction.atomic():
            record.save()
            audit.record(
                actor=actor,
                verb="list",
                target=record,
                workflow=keyflow.NAME,
                to_state=keyflow.ACTIVE,
                data={"category": category.code, "risk": risk, "worker": worker.pk},
            )
    except IntegrityError:
        raise DomainError(_("此人已按该类别列管。"), code=CoreErrorCode.INVALID) from None
    return record


def _restart_base(record: KeyPerson) -> dt.datetime:
    return record.last_visit_at or record.created_at


def change_risk(
    *, actor: User, record: KeyPerson, risk: str, note: str = "", now: dt.datetime | None = None
) -> KeyPerson:
    """调整风险等级: the visit clock restarts with the new interval, counted from the last visit (or the listing)."""
    if risk not in Risk.values:
        raise DomainError(_("请选择风险等级。"), code=CoreErrorCode.MISSING_FIELDS)
    return keyflow.WORKFLOW.apply(record, "change_risk", actor=actor, note=note, now=_restart_base(record), risk=risk)


def reassign(*, actor: User, record: KeyPerson, worker: User, note: str = "") -> KeyPerson:
    """变更责任人: to a worker who serves the record's grid; the clock runs on."""
    _check_worker(worker, record.grid_path)
    return keyflow.WORKFLOW.apply(record, "reassign", actor=actor, note=note, worker=worker)


def end_listing(*, actor: User, record: KeyPerson, note: str, now: dt.datetime | None = None) -> KeyPerson:
    """解除列管: the record is kept for the category's retention period; its clock stops."""
    now = now or timezone.now()
    return keyflow.WORKFLOW.apply(record, "end", actor=actor, note=note, now=now, ended_at=now)


def _retry_key(actor: User, key: str | None) -> str | None:
    """The phone's idempotency key as stored: scoped to this kind of write and the worker."""
    if not key:
        return None
    return hashlib.sha256(f"key_visit\0user:{actor.pk}\0{key}".encode()).hexdigest()


def _point(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise DomainError(_("位置坐标无效。"), code=CoreErrorCode.BAD_POSITION) from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90) or (x, y) == (0, 0):
        raise DomainError(_("位置坐标无效。"), code=CoreErrorCode.BAD_POSITION)
    return x, y


def record_key_visit(
    *,
    actor: User,
    record: KeyPerson,
    note: str,
    met: bool = True,
    visited_at: dt.datetime | None = None,
    lon: Any = None,
    lat: Any = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> KeyVisit:
    """走访: record a visit and restart the clock from it. A visit queued offline and sent again with the same
    ``idempotency_key`` returns the first; a visit to an ended record is refused."""
    now = now or timezone.now()
    key = _retry_key(actor, idempotency_key)
    if key:
        existing = KeyVisit.objects.filter(idempotency_key=key, key_person=record).first()
        if existing is not None:
            return existing
    if not note.strip():
        raise DomainError(_("请填写走访情况。"), code=CoreErrorCode.NOTE_REQUIRED)
    point: tuple[float | None, float | None] = (None, None)
    if lon not in (None, "") or lat not in (None, ""):
        point = _point(lon, lat)
    # A phone's clock may run ahead; a visit is never later than now, nor earlier than the listing.
    visited_at = min(visited_at or now, now)
    visited_at = max(visited_at, record.created_at)
    base = max(visited_at, record.last_visit_at or visited_at)
    try:
        with transaction.atomic():
            due_before = record.visit_due_at
            keyflow.WORKFLOW.apply(record, "visit", actor=actor, now=base, visited_at=visited_at, met=met)
            visit = KeyVisit.objects.create(
                key_person=record,
                worker=actor,
                visited_at=visited_at,
                due_at=due_before,
                met=met,
                note=note.strip(),
                lon=point[0],
                lat=point[1],
                idempotency_key=key,
            )
    except IntegrityError:
        existing = KeyVisit.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    return visit


def open_record(*, actor: User, record: KeyPerson) -> None:
    """Log that ``actor`` opened the record's page (who, when, which record): need-to-know reads leave a trace."""
    audit.record(actor=actor, verb="open_record", target=record, workflow=keyflow.NAME)


# --- duty: key-person visits due vs done in time ----------------------------------------------------------------------


def _visit_tallies(visits: QuerySet[KeyVisit], overdue: QuerySet[KeyPerson], key_v: str, key_o: str) -> dict[Any, Any]:
    due: dict[Any, int] = defaultdict(int)
    done: dict[Any, int] = defaultdict(int)
    for row in visits.values(key_v, "visited_at", "due_at"):
        due[row[key_v]] += 1
        if row["due_at"] is None or row["visited_at"] <= row["due_at"]:
            done[row[key_v]] += 1
    for owner in overdue.values_list(key_o, flat=True):
        due[owner] += 1
    return {k: duty.Tally(due=due[k], done=done.get(k, 0)) for k in due}


def visits_by_worker(user_ids: Sequence[int], since: dt.datetime, until: dt.datetime) -> dict[int, duty.Tally]:
    """Per worker over [since, until): each visit made is one owed and done if made by its deadline; each record
    still overdue at ``until`` is one owed and not done."""
    visits = KeyVisit.objects.filter(worker_id__in=list(user_ids), visited_at__gte=since, visited_at__lt=until)
    overdue = KeyPerson.objects.filter(
        worker_id__in=list(user_ids), state=keyflow.ACTIVE, visit_due_at__lt=until, created_at__lt=until
    )
    return _visit_tallies(visits, overdue, "worker_id", "worker_id")


def visits_by_path(paths: Sequence[str], since: dt.datetime, until: dt.datetime) -> dict[str, duty.Tally]:
    """The same, summed for the records under each node."""
    out: dict[str, duty.Tally] = {}
    for path in paths:
        visits = KeyVisit.objects.filter(
            key_person__grid_path__startswith=path, visited_at__gte=since, visited_at__lt=until
        )
        overdue = KeyPerson.objects.filter(
            grid_path__startswith=path, state=keyflow.ACTIVE, visit_due_at__lt=until, created_at__lt=until
        )
        due = visits.count() + overdue.count()
        done = visits.filter(Q(due_at__isnull=True) | Q(visited_at__lte=F("due_at"))).count()
        out[path] = duty.Tally(due=due, done=done)
    return out


DUTY_SOURCE = duty.DutySource(
    name="key_visits",
    label=gettext_lazy("重点人员走访"),
    roles=frozenset(keyflow.WORKER_ROLES),
    days=DUTY_DAYS,
    by_worker=visits_by_worker,
    by_path=visits_by_path,
)
