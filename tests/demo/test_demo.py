"""The demo city generator: a valid, repeatable grid tree with working demo logins."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

import pytest
import shapely
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fengqiao.accounts.models import WORKER_ROLES, Department, Membership, Role, User
from fengqiao.demo.generator import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    SCALES,
    DemoError,
    build_plan,
    database_digest,
    generate,
    plan_digest,
    split_total,
)
from fengqiao.grids import geometry as geo
from fengqiao.grids.models import CODE_LENGTHS, GridNode, GridVersion, Kind, Level

TOLERANCE_M = 5.0


@pytest.fixture
def small(db):
    return generate(scale="small")


@pytest.mark.django_db
def test_small_demo_loads_every_level(small):
    counts = {level: GridNode.objects.filter(level=level, kind=Kind.ORDINARY).count() for level in Level}
    assert all(n > 0 for n in counts.values()), counts
    assert counts[Level.CITY] == 1
    assert counts[Level.DISTRICT] == small.districts == 2
    assert counts[Level.MICRO] == small.micro_grids
    assert GridNode.objects.exclude(kind=Kind.ORDINARY).count() == small.dedicated_grids > 0
    assert GridNode.objects.count() == small.nodes
    assert Department.objects.count() == small.departments
    assert User.objects.count() == small.users
    assert Membership.objects.count() == small.memberships
    assert Membership.objects.filter(role__in=WORKER_ROLES).count() == small.grid_workers
    assert GridVersion.objects.get(pk=1).version >= 1
    city = GridNode.objects.get(level=Level.CITY)
    assert (city.code, city.name) == ("4101", "郑州市")
    assert 113.45 <= city.min_lon < city.max_lon <= 113.95
    assert 34.60 <= city.min_lat < city.max_lat <= 34.95


@pytest.mark.django_db
def test_codes_paths_and_counts_add_up(small):
    nodes = {n.pk: n for n in GridNode.objects.all()}
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is None:
            assert node.level == Level.CITY and node.path == "4101/" and node.depth == 0
            continue
        assert node.code.startswith(parent.code)
        assert node.path == parent.path + node.code + "/"
        assert node.depth == parent.depth + 1
        if node.kind == Kind.ORDINARY:
            assert node.level == parent.level + 1
            assert len(node.code) == CODE_LENGTHS[Level(node.level)] and node.code.isdigit()
        else:
            assert node.level == Level.GRID and parent.level == Level.COMMUNITY
            assert node.code[:-3] == parent.code and node.code[-3] == "Z" and node.code[-2:].isdigit()
            assert node.name.endswith("专属网格")
    children = defaultdict(list)
    for node in nodes.values():
        if node.parent_id and node.kind == Kind.ORDINARY:
            children[node.parent_id].append(node)
    for pk, kids in children.items():
        assert nodes[pk].households == sum(k.households for k in kids)
        assert nodes[pk].population == sum(k.population for k in kids)
    for micro in GridNode.objects.filter(level=Level.MICRO):
        assert 50 <= micro.households <= 70
    for dept in Department.objects.select_related("node"):
        assert dept.node_path == dept.node.path
    for m in Membership.objects.select_related("node"):
        assert m.node_path == m.node.path


@pytest.mark.django_db
def test_children_tile_their_parents(small):
    nodes = list(GridNode.objects.all())
    shapes = {n.pk: geo.parse(n.geometry) for n in nodes}
    by_parent = defaultdict(list)
    for n in nodes:
        shape = shapes[n.pk]
        assert shape.is_valid and shape.geom_type in {"Polygon", "MultiPolygon"}
        assert (n.min_lon, n.min_lat, n.max_lon, n.max_lat) == pytest.approx(shape.bounds)
        if n.parent_id:
            assert geo.lies_within(shape, shapes[n.parent_id], TOLERANCE_M), n.code
            if n.kind == Kind.ORDINARY:
                by_parent[n.parent_id].append(n.pk)
    for parent_id, kids in by_parent.items():
        pieces = [shapes[k] for k in kids]
        for i, a in enumerate(pieces):
            for b in pieces[i + 1 :]:
                assert not geo.overlaps_beyond(a, b, TOLERANCE_M)
        parent = shapes[parent_id]
        # No gaps, no spill: what differs is float noise along shared edges, well under 10 cm wide.
        gap = shapely.union_all(pieces).symmetric_difference(parent).area
        assert gap <= parent.length * geo.metres_to_degrees(0.1)


@pytest.mark.django_db
def test_demo_logins_authenticate_and_sit_where_documented(small):
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS])}
    assert set(users) == {u for u, _, _ in DEMO_LOGINS}
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD), user.username
        assert user.full_name and not user.full_name.isascii()
        assert user.phone[:2] in {f"1{d}" for d in "3456789"} and len(user.phone) == 11
    bulk = User.objects.exclude(username__in=users).first()
    assert bulk is not None and check_password(DEMO_PASSWORD, bulk.password)

    admin = users["admin"]
    assert admin.is_superuser and admin.is_staff
    assert users["leader"].is_staff and users["dispatcher"].is_staff
    assert not users["worker"].is_staff and not users["handler"].is_superuser

    def only(username):
        (m,) = users[username].memberships.select_related("node", "department")
        return m

    city = GridNode.objects.get(level=Level.CITY)
    district = GridNode.objects.filter(level=Level.DISTRICT).order_by("code").first()
    street = GridNode.objects.filter(level=Level.STREET).order_by("code").first()
    community = GridNode.objects.filter(level=Level.COMMUNITY).order_by("code").first()
    grid = GridNode.objects.filter(parent=community, kind=Kind.ORDINARY).order_by("code").first()
    assert (only("admin").role, only("admin").node) == (Role.ADMIN, city)
    assert (only("leader").role, only("leader").node) == (Role.LEADER, city)
    dispatcher = only("dispatcher")
    assert (dispatcher.role, dispatcher.node, dispatcher.department.kind) == (Role.DISPATCHER, district, "centre")
    handler = only("handler")
    assert (handler.role, handler.department.kind, handler.department.node) == (Role.HANDLER, "urban", district)
    assert (only("mediator").role, only("mediator").node) == (Role.MEDIATOR, street)
    assert (only("gridleader").role, only("gridleader").node) == (Role.GRID_LEADER, grid)
    assert (only("worker").role, only("worker").node) == (Role.GRID_WORKER, grid)
    for username, role in (("parttime", Role.PART_TIME_WORKER), ("informant", Role.INFORMANT)):
        m = only(username)
        assert m.role == role and m.node.parent_id == grid.pk and m.node.level == Level.MICRO
    other = only("worker2")
    assert other.role == Role.GRID_WORKER and other.node.level == Level.GRID
    assert not other.node.path.startswith(street.path)
    assert other.node.path.startswith(district.path)
    # One grid leader per ordinary grid, one or two full-time workers.
    for g in GridNode.objects.filter(level=Level.GRID, kind=Kind.ORDINARY):
        roles = list(g.memberships.values_list("role", flat=True))
        assert roles.count(Role.GRID_LEADER) == 1
        assert 1 <= roles.count(Role.GRID_WORKER) <= 2


def test_same_seed_gives_same_city_and_another_seed_does_not():
    a = build_plan(scale="small", seed=7)
    assert plan_digest(a) == plan_digest(build_plan(scale="small", seed=7))
    assert plan_digest(a) != plan_digest(build_plan(scale="small", seed=8))


@pytest.mark.django_db
def test_database_holds_exactly_the_plan():
    with transaction.atomic():
        generate(scale="small", seed=11)
        first = database_digest()
        transaction.set_rollback(True)
    assert not GridNode.objects.exists()
    generate(scale="small", seed=11)
    assert database_digest() == first == plan_digest(build_plan(scale="small", seed=11))


@pytest.mark.django_db
def test_command_if_empty_and_refusal(small):
    out = StringIO()
    call_command("demo", scale="small", if_empty=True, stdout=out)
    assert "跳过" in out.getvalue()
    assert GridNode.objects.count() == small.nodes
    with pytest.raises(CommandError):
        call_command("demo", scale="small", stdout=StringIO())
    with pytest.raises(DemoError):
        generate(scale="small")


@pytest.mark.django_db
def test_command_prints_counts_and_logins():
    out = StringIO()
    call_command("demo", "--scale", "small", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert "微网格" in text and DEMO_PASSWORD in text
    assert all(username in text for username, _, _ in DEMO_LOGINS)


def test_scales_follow_the_published_zhengzhou_figures():
    city = SCALES["city"]
    assert (city.streets, city.communities, city.grids, city.dedicated, city.micro) == (
        212,
        3460,
        19557,
        6331,
        107158,
    )
    assert city.grid_workers == 217000
    assert set(SCALES) == {"small", "medium", "city"}


def test_split_total_respects_bounds():
    import numpy as np

    rng = np.random.default_rng(1)
    counts = split_total(100, [1, 5, 1000], low=2, high=60, rng=rng)
    assert sum(counts) == 100 and min(counts) >= 2 and max(counts) <= 60


@pytest.mark.django_db
def test_the_demo_gives_the_duty_and_acknowledgement_figures_something_to_show():
    import datetime as dt

    from django.utils import timezone

    from fengqiao.dispatch.models import DutyRule, Patrol, Receipt
    from fengqiao.grids.models import GridNode, Level
    from fengqiao.metrics import selectors

    call_command("demo", "--scale", "small", "--seed", "3", stdout=StringIO())
    assert DutyRule.objects.filter(active=True).exists()
    assert Patrol.objects.exists() and Receipt.objects.filter(acknowledged_at__isnull=False).exists()
    districts = list(GridNode.objects.filter(level=Level.DISTRICT).values_list("path", flat=True))
    today = timezone.localdate()
    # The demo's four weeks, whatever day of the month the test runs on.
    figures = selectors.stats(districts, selectors.Period("month", today - dt.timedelta(days=27), today))
    for path in districts:
        rates = figures[path].rates
        assert 0.5 < rates["ack_on_time"] < 1  # most acknowledged in time, some late
        assert 0.3 < rates["duty"] < 1  # most of the rules' work done, not all


@pytest.mark.django_db
def test_the_three_administrators_are_three_people_and_none_is_a_superuser(small):
    held = {}
    for username, role in (("sysadmin", Role.ADMIN), ("secadmin", Role.SECURITY_ADMIN), ("auditor", Role.AUDIT_ADMIN)):
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.roles() == {role}
        held[role] = user.pk
    assert len(set(held.values())) == 3
