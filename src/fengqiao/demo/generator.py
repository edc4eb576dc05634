"""The demo city: a Zhengzhou-like grid tree with departments, staff and their roles, loaded in one transaction.

``build_plan`` draws the whole city in memory from a seed (polygons, names, people), ``load`` writes a plan with
``bulk_create`` level by level, and ``generate`` does both. The same scale and seed always give the same city.

At city scale (Zhengzhou's published figures: 212 streets, 3,460 communities, 19,557 grids, 6,331 dedicated
grids, 107,158 micro-grids, about 217,000 grid workers) this writes some 137,000 nodes and 230,000 users, so
nothing here runs a query per row: parents' ids come back from ``bulk_create``, paths and derived geometry
columns are computed here, and all bulk users share one password hash.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np
import shapely
from django.contrib.auth.hashers import make_password
from django.db import transaction
from shapely.geometry.base import BaseGeometry

from fengqiao.accounts.models import WORKER_ROLES, Department, Membership, Role, User
from fengqiao.core import audit, pii
from fengqiao.demo import names as words
from fengqiao.demo import shapes
from fengqiao.grids import geometry as geo
from fengqiao.grids.models import GridNode, Kind, Level
from fengqiao.grids.services import bump_version

DEMO_PASSWORD = "Fengqiao2026"  # three kinds of character, as the password rule asks
DEFAULT_SEED = 20261124
BATCH_SIZE = 5000

# Centre and half sizes of the demo box (longitude 113.45–113.95, latitude 34.60–34.95).
BOX_CENTRE = (113.70, 34.775)
BOX_HALF = (0.25, 0.175)


@dataclass(frozen=True)
class Scale:
    """How big a demo city is: totals per level (spread unevenly over the parents) and its extent."""

    label: str
    districts: int
    streets: int
    communities: int
    grids: int
    dedicated: int
    micro: int
    extent: float  # fraction of the demo box the city covers
    grid_workers: int | None = None  # total of the four grid-worker roles; None: one part-timer per micro-grid
    min_children: int = 1


SCALES: dict[str, Scale] = {
    "small": Scale("小型（测试用）", 2, 6, 18, 54, 3, 162, extent=0.12, min_children=2),
    "medium": Scale("中型", 12, 120, 1000, 3600, 900, 14400, extent=0.7),
    "city": Scale("郑州全市", 12, 212, 3460, 19557, 6331, 107158, extent=1.0, grid_workers=217000),
}

DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "超级管理员", "仅供安装与应急使用，每次进入后台都记入审计"),
    ("sysadmin", "系统管理员", "全市：账号、网格、部门与类别等基础配置"),
    ("secadmin", "安全管理员", "全市：任职与角色授权、接口客户端"),
    ("auditor", "审计管理员", "全市：只读审计日志与审计锚点"),
    ("leader", "领导", "市级领导：全市一张图与统计，可进入后台"),
    ("dispatcher", "综治中心调度员", "第一个区（中原区）综治中心，可进入后台"),
    ("handler", "职能部门办理人", "中原区城管局"),
    ("mediator", "调解员", "第一个街道的调解员（司法所）"),
    ("gridleader", "网格长", "第一个社区第1网格的网格长"),
    ("worker", "专职网格员", "与 gridleader 同一网格"),
    ("worker2", "专职网格员", "同区另一街道的网格（验证数据隔离）"),
    ("parttime", "兼职网格员", "第1网格下的第一个微网格"),
    ("informant", "信息员", "第1网格下的第一个微网格"),
]

_ROLE_PREFIX = {
    Role.GRID_LEADER: "wgz",
    Role.GRID_WORKER: "wgy",
    Role.PART_TIME_WORKER: "jzy",
    Role.INFORMANT: "xxy",
    Role.DISPATCHER: "ddy",
    Role.HANDLER: "bl",
    Role.MEDIATOR: "tjy",
    Role.LEADER: "ld",
    Role.ADMIN: "gly",
    Role.SECURITY_ADMIN: "aqgly",
    Role.AUDIT_ADMIN: "sjgly",
}

_DEDICATED_KINDS = [Kind.SCHOOL, Kind.HOSPITAL, Kind.ENTERPRISE, Kind.MARKET, Kind.PARK]
_DEDICATED_WEIGHTS = [0.32, 0.14, 0.24, 0.15, 0.15]


class Writer(Protocol):
    """Where progress goes: a text stream or a management command's ``self.stdout``."""

    def write(self, msg: str, /) -> Any: ...


class DemoError(Exception):
    """The demo cannot be loaded here (the database already holds grids or demo logins)."""


@dataclass(slots=True)
class PlanNode:
    code: str
    name: str
    level: int
    parent: int  # index into Plan.nodes, -1 for the city
    geom: BaseGeometry
    kind: str = Kind.ORDINARY
    households: int = 0
    population: int = 0
    rural: bool = False  # a village (村) or a township (镇/乡): names its children differently
    path: str = ""
    depth: int = 0


@dataclass(slots=True)
class PlanDepartment:
    name: str
    code: str
    kind: str
    node: int


@dataclass(slots=True)
class PlanPerson:
    username: str
    full_name: str
    phone: str
    role: str
    node: int
    department: int = -1
    since: date | None = None
    fixed: bool = False  # one of the documented demo logins: hashed on its own with set_password
    staff: bool = False
    superuser: bool = False


@dataclass
class Plan:
    scale: str
    seed: int
    nodes: list[PlanNode] = field(default_factory=list)
    departments: list[PlanDepartment] = field(default_factory=list)
    people: list[PlanPerson] = field(default_factory=list)

    def first(self, level: int, kind: str = Kind.ORDINARY, parent: int | None = None) -> int:
        return next(
            i
            for i, n in enumerate(self.nodes)
            if n.level == level and n.kind == kind and (parent is None or n.parent == parent)
        )


@dataclass
class DemoSummary:
    scale: str
    seed: int
    cities: int = 0
    districts: int = 0
    streets: int = 0
    communities: int = 0
    grids: int = 0
    dedicated_grids: int = 0
    micro_grids: int = 0
    nodes: int = 0
    departments: int = 0
    users: int = 0
    memberships: int = 0
    grid_workers: int = 0
    households: int = 0
    population: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    plan_seconds: float = 0.0
    load_seconds: float = 0.0

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("市", self.cities),
            ("区/县", self.districts),
            ("街道/乡镇", self.streets),
            ("社区/村", self.communities),
            ("网格", self.grids),
            ("专属网格", self.dedicated_grids),
            ("微网格", self.micro_grids),
            ("网格节点合计", self.nodes),
            ("职能部门", self.departments),
            ("用户", self.users),
            ("任职", self.memberships),
            ("网格员（网格长/专职/兼职/信息员）", self.grid_workers),
            ("户数", self.households),
            ("人口", self.population),
        ]


# ---------------------------------------------------------------------------------------------------------
# Planning: everything in memory, from the seed.


def split_total(
    total: int, weights: Iterable[float], *, low: int = 1, high: int = 999, rng: np.random.Generator
) -> list[int]:
    """Spread ``total`` over parents in proportion to ``weights``, each getting between ``low`` and ``high``."""
    w = np.asarray(list(weights), dtype=float)
    n = len(w)
    if n == 0:
        return []
    low = min(low, total // n)
    counts = np.full(n, low, dtype=int)
    rest = total - low * n
    while rest > 0:
        room = counts < high
        if not room.any():
            raise ValueError("too many children for the code space")
        share = np.where(room, w, 0.0)
        share = share / share.sum() * rest
        add = np.minimum(np.floor(share).astype(int), high - counts)
        counts += add
        rest -= int(add.sum())
        if rest > 0:  # largest remainders first, ties broken by the random source
            frac = share - np.floor(share) + rng.uniform(0, 1e-6, n)
            for i in np.argsort(-frac):
                if rest == 0:
                    break
                if counts[i] < high:
                    counts[i] += 1
                    rest -= 1
    return [int(c) for c in counts]


def _noise(rng: np.random.Generator, n: int, sigma: float = 0.35) -> np.ndarray:
    return np.asarray(rng.lognormal(0.0, sigma, n))


class _Planner:
    def __init__(self, scale_name: str, seed: int) -> None:
        if scale_name not in SCALES:
            raise DemoError(f"未知规模 {scale_name}，可选：{', '.join(SCALES)}")
        self.scale = SCALES[scale_name]
        self.rng = np.random.default_rng(seed)
        self.rnd = random.Random(seed)
        self.plan = Plan(scale=scale_name, seed=seed)
        self.phones: set[str] = set()

    # -- nodes ------------------------------------------------------------------------------------------

    def add(self, code: str, name: str, level: int, parent: int, geom: BaseGeometry, **extra: Any) -> int:
        node = PlanNode(code=code, name=name, level=level, parent=parent, geom=geom, **extra)
        if parent >= 0:
            up = self.plan.nodes[parent]
            node.path = f"{up.path}{code}/"
            node.depth = up.depth + 1
        else:
            node.path = f"{code}/"
        self.plan.nodes.append(node)
        return len(self.plan.nodes) - 1

    def build(self) -> Plan:
        s = self.scale
        hw, hh = BOX_HALF[0] * s.extent, BOX_HALF[1] * s.extent
        outline = shapes.city_outline(self.rng, BOX_CENTRE, hw, hh)
        city = self.add(words.CITY_CODE, words.CITY_NAME, Level.CITY, -1, outline)

        districts = self._districts(city, outline, s.districts, s.extent)
        streets = self._streets(districts, s.streets)
        communities = self._communities(streets, s.communities)
        grids = self._grids(communities, s.grids)
        self._dedicated(communities, s.dedicated)
        micros = self._micros(grids, s.micro)
        self._households(micros)
        self._people(city, districts, streets, communities, grids, micros)
        return self.plan

    def _districts(self, city: int, outline: BaseGeometry, count: int, extent: float) -> list[int]:
        chosen = words.DISTRICTS[:count]
        cx, cy = BOX_CENTRE
        seeds = []
        shapely.prepare(outline)
        for _, _, lon, lat, _ in chosen:
            k = extent * 0.95
            while True:
                x, y = cx + (lon - cx) * k, cy + (lat - cy) * k
                if shapely.contains_xy(outline, x, y):
                    break
                k *= 0.9
            seeds.append((x, y))
        pieces = shapes.subdivide(outline, len(chosen), self.rng, seeds=np.array(seeds))
        return [
            self.add(code, name, Level.DISTRICT, city, piece, rural=not urban)
            for (code, name, _, _, urban), piece in zip(chosen, pieces, strict=True)
        ]

    def _children_counts(self, parents: list[int], total: int, *, density: float = 0.5, high: int = 999) -> list[int]:
        nodes = self.plan.nodes
        area = np.array([nodes[p].geom.area for p in parents])
        urban = np.array([0.6 if nodes[p].rural else 1.4 for p in parents])
        weights = area**density * urban * _noise(self.rng, len(parents))
        return split_total(total, weights, low=self.scale.min_children, high=high, rng=self.rng)

    def _near_centre_first(self, parent: BaseGeometry, pieces: list[BaseGeometry]) -> list[int]:
        """Indices of ``pieces`` from the one nearest the parent's centre outwards."""
        centre = parent.representative_point()
        dist = shapely.distance(np.array(pieces, dtype=object), centre)
        return [int(i) for i in np.argsort(dist, kind="stable")]

    def _streets(self, districts: list[int], total: int) -> list[int]:
        counts = self._children_counts(districts, total, density=0.3)
        taken: set[str] = set()
        rows: list[Any] = []
        for d, n in zip(districts, counts, strict=True):
            district = self.plan.nodes[d]
            pieces = shapes.subdivide(district.geom, n, self.rng)
            # In a county the pieces nearest its seat are 街道, the outer ones 镇, the farthest few 乡.
            kinds = ["街道"] * n
            if district.rural:
                order = self._near_centre_first(district.geom, pieces)
                n_street = max(1, round(n * 0.3))
                n_xiang = round(n * 0.15)
                for rank, i in enumerate(order):
                    kinds[i] = "街道" if rank < n_street else ("乡" if rank >= n - n_xiang else "镇")
            real = [w for w in words.REAL_STREETS.get(district.code, []) if w not in taken]
            taken.update(real)
            made = words.unique_words(self.rnd, words.STREET_WORDS, max(0, n - len(real)), taken)
            stems = (real + made)[:n]
            serial = {"街道": 0, "镇": 100, "乡": 200}
            for stem, kind, piece in zip(stems, kinds, pieces, strict=True):
                serial[kind] += 1
                code = f"{district.code}{serial[kind]:03d}"
                rows.append((code, stem + kind, piece, kind != "街道", d))
        return self._add_sorted(rows, Level.STREET)

    def _add_sorted(self, rows: list[Any], level: int) -> list[int]:
        """Add (code, name, geom, rural, parent) rows in code order; returns their indices."""
        rows.sort(key=lambda r: r[0])
        return [self.add(code, name, level, parent, geom, rural=rural) for code, name, geom, rural, parent in rows]

    def _communities(self, streets: list[int], total: int) -> list[int]:
        counts = self._children_counts(streets, total, density=0.5)
        rows: list[Any] = []
        taken_by_district: dict[int, set[str]] = {}
        for s, n in zip(streets, counts, strict=True):
            street = self.plan.nodes[s]
            district = street.parent
            taken = taken_by_district.setdefault(district, set())
            pieces = shapes.subdivide(street.geom, n, self.rng)
            # Urban streets are mostly 社区 with a few villages at the edge; towns mostly 村.
            if street.name.endswith("街道"):
                share = 0.6 if self.plan.nodes[district].rural else 0.9
            else:
                share = 0.15 if street.name.endswith("镇") else 0.05
            n_comm = max(1, round(n * share)) if share >= 0.5 else round(n * share)
            order = self._near_centre_first(street.geom, pieces)
            is_comm = [False] * n
            for rank, i in enumerate(order):
                is_comm[i] = rank < n_comm
            comm_words = words.unique_words(
                self.rnd, words.COMMUNITY_WORDS, sum(is_comm), {w[:-2] for w in taken if w.endswith("社区")}
            )
            serial = {True: 0, False: 200}
            for i, piece in enumerate(pieces):
                serial[is_comm[i]] += 1
                code = f"{street.code}{serial[is_comm[i]]:03d}"
                if is_comm[i]:
                    name = comm_words.pop(0) + "社区"
                    taken.add(name)
                else:
                    name = words.village_name(self.rnd, taken)
                rows.append((code, name, piece, not is_comm[i], s))
        return self._add_sorted(rows, Level.COMMUNITY)

    def _grids(self, communities: list[int], total: int) -> list[int]:
        counts = self._children_counts(communities, total, density=0.5)
        rows: list[Any] = []
        for c, n in zip(communities, counts, strict=True):
            community = self.plan.nodes[c]
            for k, piece in enumerate(shapes.subdivide(community.geom, n, self.rng), start=1):
                rows.append((f"{community.code}{k:03d}", f"第{k}网格", piece, community.rural, c))
        return self._add_sorted(rows, Level.GRID)

    def _dedicated(self, communities: list[int], total: int) -> list[int]:
        weights = _noise(self.rng, len(communities), 0.6)
        counts = split_total(total, weights, low=0, high=99, rng=self.rng)
        out: list[int] = []
        for c, n in zip(communities, counts, strict=True):
            community = self.plan.nodes[c]
            place = words.short(community.name)
            used: set[str] = set()
            for k in range(1, n + 1):
                kind = self.rnd.choices(_DEDICATED_KINDS, weights=_DEDICATED_WEIGHTS, k=1)[0]
                name = self._institution(kind, place)
                while name in used:
                    name = self._institution(kind, place + self.rnd.choice("东西南北新"))
                used.add(name)
                geom = shapes.dedicated_shape(community.geom, self.rng)
                out.append(self.add(f"{community.code}Z{k:02d}", f"{name}专属网格", Level.GRID, c, geom, kind=kind))
        return out

    def _institution(self, kind: str, place: str) -> str:
        pick = self.rnd.choice
        if kind == Kind.SCHOOL:
            return place + pick(words.SCHOOL_SUFFIXES)
        if kind == Kind.HOSPITAL:
            return place + pick(words.HOSPITAL_SUFFIXES)
        if kind == Kind.ENTERPRISE:
            return "郑州" + pick(words.ENTERPRISE_WORDS) + pick(words.ENTERPRISE_SUFFIXES)
        if kind == Kind.MARKET:
            return place + pick(words.MARKET_SUFFIXES)
        return place + pick(words.PARK_SUFFIXES)

    def _micros(self, grids: list[int], total: int) -> list[int]:
        nodes = self.plan.nodes
        weights = _noise(self.rng, len(grids), 0.3)
        counts = split_total(total, weights, low=self.scale.min_children, rng=self.rng)
        out: list[int] = []
        for g, n in zip(grids, counts, strict=True):
            grid = nodes[g]
            for k, piece in enumerate(shapes.subdivide(grid.geom, n, self.rng), start=1):
                name = f"第{k}村民小组微网格" if grid.rural else f"{k}号楼栋微网格"
                out.append(self.add(f"{grid.code}{k:03d}", name, Level.MICRO, g, piece, rural=grid.rural))
        return out

    def _households(self, micros: list[int]) -> None:
        nodes = self.plan.nodes
        households = self.rng.integers(50, 71, len(micros))
        per_home = self.rng.uniform(2.3, 3.2, len(micros))
        for i, h, p in zip(micros, households, per_home, strict=True):
            nodes[i].households = int(h)
            nodes[i].population = round(float(h * p))
        # Children come after their parents in the list: walk backwards and add each ordinary node upwards.
        for node in reversed(nodes):
            if node.parent >= 0 and node.kind == Kind.ORDINARY:
                up = nodes[node.parent]
                up.households += node.households
                up.population += node.population

    # -- people -----------------------------------------------------------------------------------------

    def phone(self) -> str:
        while True:
            number = f"1{self.rnd.choice('3456789')}{self.rnd.randrange(10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, role: str, node: int, tag: str, *, department: int = -1) -> PlanPerson:
        person = PlanPerson(
            username=f"{_ROLE_PREFIX[Role(role)]}{tag}",
            full_name=words.person_name(self.rnd),
            phone=self.phone(),
            role=role,
            node=node,
            department=department,
            since=date(2022, 1, 1) + timedelta(days=self.rnd.randrange(1000)),
        )
        self.plan.people.append(person)
        return person

    def department(self, node: int, kind: str, suffix: str) -> int:
        owner = self.plan.nodes[node]
        self.plan.departments.append(
            PlanDepartment(
                name=owner.name + suffix.removeprefix("区").removeprefix("街道"),
                code=f"{owner.code}-{kind}",
                kind=kind,
                node=node,
            )
        )
        return len(self.plan.departments) - 1

    def _people(
        self,
        city: int,
        districts: list[int],
        streets: list[int],
        communities: list[int],
        grids: list[int],
        micros: list[int],
    ) -> None:
        nodes = self.plan.nodes
        rnd = self.rnd
        for k in range(1, 4):
            self.person(Role.LEADER, city, f"{nodes[city].code}-{k}")
        for d in districts:
            code = nodes[d].code
            for k in (1, 2):
                self.person(Role.LEADER, d, f"{code}-{k}")
            for kind, suffix in words.DISTRICT_DEPARTMENTS:
                dept = self.department(d, kind, suffix)
                if kind == Department.Kind.CENTRE:
                    for k in (1, 2):
                        self.person(Role.DISPATCHER, d, f"{code}-{k}", department=dept)
                else:
                    for k in range(1, rnd.randint(1, 2) + 1):
                        self.person(Role.HANDLER, d, f"{code}-{kind}-{k}", department=dept)
        for s in streets:
            code = nodes[s].code
            self.person(Role.LEADER, s, code)
            for kind, suffix in words.STREET_DEPARTMENTS:
                dept = self.department(s, kind, suffix)
                if kind == Department.Kind.CENTRE:
                    for k in range(1, rnd.randint(1, 2) + 1):
                        self.person(Role.DISPATCHER, s, f"{code}-{k}", department=dept)
                else:
                    self.person(Role.HANDLER, s, f"{code}-{kind}", department=dept)
                    if kind == Department.Kind.JUSTICE:  # the street's people's mediators sit in 司法所
                        for k in (1, 2):
                            self.person(Role.MEDIATOR, s, f"{code}-{k}", department=dept)
        for c in communities:
            for k in range(1, rnd.randint(1, 2) + 1):
                self.person(Role.MEDIATOR, c, f"{nodes[c].code}-{k}")
        for g in grids:
            self.person(Role.GRID_LEADER, g, nodes[g].code)
            for k in range(1, rnd.randint(1, 2) + 1):
                self.person(Role.GRID_WORKER, g, f"{nodes[g].code}-{k}")
        for i, node in enumerate(nodes):
            if node.kind != Kind.ORDINARY:
                self.person(Role.GRID_WORKER, i, node.code)
        for m in micros:
            self.person(Role.PART_TIME_WORKER, m, nodes[m].code)

        # Informants fill up to the scale's total of grid workers (or one micro-grid in two gets one).
        so_far = sum(1 for p in self.plan.people if p.role in WORKER_ROLES)
        if self.scale.grid_workers is None:
            per_micro = (self.rng.random(len(micros)) < 0.5).astype(int)
        else:
            wanted = max(0, self.scale.grid_workers - so_far)
            per_micro = np.full(len(micros), wanted // max(len(micros), 1), dtype=int)
            extra = self.rng.choice(len(micros), wanted - int(per_micro.sum()), replace=False)
            per_micro[extra] += 1
        if per_micro[0] == 0:  # the documented informant login sits in the first micro-grid
            donors = np.flatnonzero(per_micro)
            if len(donors):
                per_micro[donors[0]] -= 1
            per_micro[0] = 1
        for m, n in zip(micros, per_micro, strict=True):
            for k in range(1, int(n) + 1):
                self.person(Role.INFORMANT, m, f"{nodes[m].code}-{k}")
        self._claim_logins(city, districts, streets, grids, micros)

    def _claim_logins(
        self, city: int, districts: list[int], streets: list[int], grids: list[int], micros: list[int]
    ) -> None:
        """Give the documented demo logins to particular people of the generated staff."""
        plan, nodes = self.plan, self.plan.nodes
        d0, s0 = districts[0], streets[0]
        g0 = grids[0]
        m0 = next(m for m in micros if nodes[m].parent == g0)
        other = next(g for g in grids if not nodes[g].path.startswith(nodes[s0].path))
        urban = next(
            i for i, dep in enumerate(plan.departments) if dep.node == d0 and dep.kind == Department.Kind.URBAN
        )

        def claim(username: str, role: str, node: int, department: int | None = None, staff: bool = False) -> None:
            person = next(
                p
                for p in plan.people
                if p.role == role
                and p.node == node
                and not p.fixed
                and (department is None or p.department == department)
            )
            person.username, person.fixed, person.staff = username, True, staff

        admin = self.person(Role.ADMIN, city, "admin")
        admin.username, admin.fixed, admin.staff, admin.superuser = "admin", True, True, True
        # The three administrators of 等保 (三员分立), one person each.
        for username, role in (
            ("sysadmin", Role.ADMIN),
            ("secadmin", Role.SECURITY_ADMIN),
            ("auditor", Role.AUDIT_ADMIN),
        ):
            person = self.person(role, city, username)
            person.username, person.fixed, person.staff = username, True, True
        claim("leader", Role.LEADER, city, staff=True)
        claim("dispatcher", Role.DISPATCHER, d0, staff=True)
        claim("handler", Role.HANDLER, d0, department=urban)
        claim("mediator", Role.MEDIATOR, s0)
        claim("gridleader", Role.GRID_LEADER, g0)
        claim("worker", Role.GRID_WORKER, g0)
        claim("worker2", Role.GRID_WORKER, other)
        claim("parttime", Role.PART_TIME_WORKER, m0)
        claim("informant", Role.INFORMANT, m0)


def build_plan(*, scale: str, seed: int = DEFAULT_SEED) -> Plan:
    """The whole demo city in memory; the same scale and seed always give the same plan."""
    return _Planner(scale, seed).build()


# ---------------------------------------------------------------------------------------------------------
# Loading.


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _node_rows(plan: Plan, indices: list[int], ids: list[int | None]) -> list[GridNode]:
    nodes = plan.nodes
    geoms = np.array([nodes[i].geom for i in indices], dtype=object)
    bounds = shapely.bounds(geoms)
    centres = shapely.centroid(geoms)
    outside = ~shapely.contains(geoms, centres)
    if outside.any():  # as geometry.derived_fields: a concave grid gets a centre that lies inside it
        centres[outside] = shapely.point_on_surface(geoms[outside])
    cxy = shapely.get_coordinates(centres)
    rows = []
    for j, i in enumerate(indices):
        n = nodes[i]
        rows.append(
            GridNode(
                code=n.code,
                name=n.name,
                level=n.level,
                kind=n.kind,
                parent_id=ids[n.parent] if n.parent >= 0 else None,
                path=n.path,
                depth=n.depth,
                geometry=geo.to_text(n.geom),
                min_lon=float(bounds[j, 0]),
                min_lat=float(bounds[j, 1]),
                max_lon=float(bounds[j, 2]),
                max_lat=float(bounds[j, 3]),
                centroid_lon=float(cxy[j, 0]),
                centroid_lat=float(cxy[j, 1]),
                households=n.households,
                population=n.population,
            )
        )
    return rows


def _bulk(model: Any, rows: list[Any]) -> list[int]:
    made = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    ids = [obj.pk for obj in made]
    if any(pk is None for pk in ids):  # pragma: no cover - every supported database returns keys
        raise DemoError("数据库未返回新行的主键，无法批量导入演示数据。")
    return ids


def ensure_empty() -> None:
    if GridNode.objects.exists():
        raise DemoError("数据库中已有网格数据：演示数据只能导入空库（可加 --if-empty 跳过）。")
    clash = list(User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).values_list("username", flat=True))
    if clash:
        raise DemoError(f"演示账号已存在：{', '.join(sorted(clash))}。")


def load(plan: Plan, *, stdout: Writer | None = None) -> DemoSummary:
    """Write ``plan`` into an empty database in one transaction."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    started = time.monotonic()
    nodes = plan.nodes
    with transaction.atomic():
        ensure_empty()
        ids: list[int | None] = [None] * len(nodes)
        by_level: dict[int, list[int]] = {}
        for i, n in enumerate(nodes):
            by_level.setdefault(n.level, []).append(i)
        for level in sorted(by_level):
            indices = by_level[level]
            for chunk in _chunks(indices, BATCH_SIZE * 4):
                made = _bulk(GridNode, _node_rows(plan, chunk, ids))
                for i, pk in zip(chunk, made, strict=True):
                    ids[i] = pk
            say(f"  {Level(level).label}：{len(indices)} 个节点（{time.monotonic() - started:.1f} s）\n")

        node_ids = [pk for pk in ids if pk is not None]
        assert len(node_ids) == len(nodes)

        dept_ids = _bulk(
            Department,
            [
                Department(
                    name=d.name,
                    code=d.code,
                    kind=d.kind,
                    node_id=node_ids[d.node],
                    node_path=nodes[d.node].path,
                    phone=f"0371-{6000_0000 + k:08d}",
                )
                for k, d in enumerate(plan.departments)
            ],
        )
        say(f"  职能部门：{len(dept_ids)} 个（{time.monotonic() - started:.1f} s）\n")

        shared_hash = make_password(DEMO_PASSWORD)
        user_ids: list[int] = []
        for chunk in _chunks(plan.people, BATCH_SIZE):
            rows = []
            for p in chunk:
                user = User(
                    username=p.username,
                    full_name=p.full_name,
                    phone=p.phone,
                    phone_index=pii.blind_index(p.phone),
                    password=shared_hash,
                    is_staff=p.staff,
                    is_superuser=p.superuser,
                )
                if p.fixed:
                    user.set_password(DEMO_PASSWORD)
                rows.append(user)
            user_ids.extend(_bulk(User, rows))
        say(f"  用户：{len(user_ids)} 个（{time.monotonic() - started:.1f} s）\n")

        for chunk_start in range(0, len(plan.people), BATCH_SIZE):
            chunk = plan.people[chunk_start : chunk_start + BATCH_SIZE]
            _bulk(
                Membership,
                [
                    Membership(
                        user_id=user_ids[chunk_start + k],
                        node_id=node_ids[p.node],
                        node_path=nodes[p.node].path,
                        role=p.role,
                        department_id=dept_ids[p.department] if p.department >= 0 else None,
                        since=p.since,
                    )
                    for k, p in enumerate(chunk)
                ],
            )
        say(f"  任职：{len(plan.people)} 条（{time.monotonic() - started:.1f} s）\n")

        summary = summarise(plan)
        city = GridNode.objects.get(pk=node_ids[0])
        audit.record(
            actor=None,
            verb="demo.load",
            target=city,
            data={"scale": plan.scale, "seed": plan.seed, "nodes": summary.nodes, "users": summary.users},
        )
        bump_version()
    summary.load_seconds = time.monotonic() - started
    return summary


def summarise(plan: Plan) -> DemoSummary:
    levels = Counter((n.level, n.kind == Kind.ORDINARY) for n in plan.nodes)
    roles = Counter(p.role for p in plan.people)
    city = plan.nodes[0]
    return DemoSummary(
        scale=plan.scale,
        seed=plan.seed,
        cities=levels[(Level.CITY, True)],
        districts=levels[(Level.DISTRICT, True)],
        streets=levels[(Level.STREET, True)],
        communities=levels[(Level.COMMUNITY, True)],
        grids=levels[(Level.GRID, True)],
        dedicated_grids=sum(v for (_, ordinary), v in levels.items() if not ordinary),
        micro_grids=levels[(Level.MICRO, True)],
        nodes=len(plan.nodes),
        departments=len(plan.departments),
        users=len(plan.people),
        memberships=len(plan.people),
        grid_workers=sum(v for r, v in roles.items() if r in WORKER_ROLES),
        households=city.households,
        population=city.population,
        roles={str(Role(r).label): v for r, v in sorted(roles.items())},
    )


def generate(*, scale: str, seed: int = DEFAULT_SEED, stdout: Writer | None = None) -> DemoSummary:
    """Draw the demo city for ``scale`` and ``seed`` and load it into an empty database (all or nothing)."""
    if scale not in SCALES:
        raise DemoError(f"未知规模 {scale}，可选：{', '.join(SCALES)}")
    ensure_empty()
    started = time.monotonic()
    if stdout is not None:
        stdout.write(f"生成演示城市（{SCALES[scale].label}，种子 {seed}）…\n")
    plan = build_plan(scale=scale, seed=seed)
    plan_seconds = time.monotonic() - started
    if stdout is not None:
        stdout.write(f"  边界与人员已生成（{plan_seconds:.1f} s），写入数据库…\n")
    summary = load(plan, stdout=stdout)
    summary.plan_seconds = plan_seconds
    return summary


# ---------------------------------------------------------------------------------------------------------
# Fingerprints, to show that a seed always gives the same city.


def _digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()


def plan_digest(plan: Plan) -> str:
    nodes = plan.nodes
    node_lines = sorted(
        f"{n.code}|{n.name}|{n.level}|{n.kind}|{nodes[n.parent].code if n.parent >= 0 else ''}|{n.path}|"
        f"{n.households}|{n.population}|{geo.to_text(n.geom)}"
        for n in nodes
    )
    people = sorted(
        f"{p.username}|{p.full_name}|{p.phone}|{p.role}|{nodes[p.node].code}|"
        f"{plan.departments[p.department].code if p.department >= 0 else ''}"
        for p in plan.people
    )
    return _digest([*node_lines, *people])


def database_digest() -> str:
    """The same fingerprint as :func:`plan_digest`, read back from the database."""
    node_lines = sorted(
        f"{n.code}|{n.name}|{n.level}|{n.kind}|{n.parent.code if n.parent else ''}|{n.path}|"
        f"{n.households}|{n.population}|{n.geometry}"
        for n in GridNode.objects.select_related("parent")
    )
    people = sorted(
        f"{m.user.username}|{m.user.full_name}|{m.user.phone}|{m.role}|{m.node.code}|"
        f"{m.department.code if m.department else ''}"
        for m in Membership.objects.select_related("user", "node", "department")
    )
    return _digest([*node_lines, *people])
