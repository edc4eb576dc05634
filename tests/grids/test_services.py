"""Grid validation, import and export: clear errors, and nothing written when anything is wrong."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fengqiao.core.models import Action
from fengqiao.grids.models import GridNode, GridVersion, Kind, Level
from fengqiao.grids.services import GridValidationError, NodeData, export_geojson, import_geojson, save_nodes
from tests.factories import square

OX, OY, S = 113.6, 34.7, 0.01


def sq(x0, y0, x1, y1):
    return square(OX + x0 * S, OY + y0 * S, OX + x1 * S, OY + y1 * S)


def feature(code, name, level, parent, geom, kind="ordinary"):
    props = {"code": code, "name": name, "level": level, "parent_code": parent, "kind": kind}
    return {"type": "Feature", "properties": props, "geometry": geom}


def test_the_tree_has_paths_depths_and_derived_geometry(tree):
    micro = tree["410105001001001001"]
    assert micro.path == "4101/410105/410105001/410105001001/410105001001001/410105001001001001/"
    assert micro.depth == 5
    assert micro.min_lon == pytest.approx(OX)
    assert micro.centroid_lat == pytest.approx(OY + 0.25 * S)
    assert tree["410105001001"].division_code == "410105001001"
    assert tree["410105"].division_code == "410105000000"


def test_a_child_outside_its_parent_is_refused(tree):
    with pytest.raises(GridValidationError) as err:
        save_nodes(
            actor=None,
            items=[NodeData("410105001001003", "越界网格", Level.GRID, "410105001001", geometry=sq(0.8, 0, 1.5, 1))],
        )
    assert "超出上级" in err.value.message


def test_overlapping_siblings_are_refused_but_a_shared_edge_is_fine(tree):
    with pytest.raises(GridValidationError) as err:
        save_nodes(
            actor=None,
            items=[NodeData("410105001001003", "重叠网格", Level.GRID, "410105001001", geometry=sq(0.2, 0, 0.7, 1))],
        )
    assert "重叠" in err.value.message
    # A dedicated grid may overlap ordinary ones; that is what it is for.
    assert tree["410105001001Z01"].kind == Kind.SCHOOL


def test_a_self_intersecting_polygon_is_reported_with_its_location(tree):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[OX, OY], [OX + S, OY + S], [OX + S, OY], [OX, OY + S], [OX, OY]]],
    }
    with pytest.raises(GridValidationError) as err:
        save_nodes(
            actor=None,
            items=[NodeData("410105001002", "蝴蝶社区", Level.COMMUNITY, "410105001", geometry=bowtie)],
        )
    assert "自相交" in err.value.message
    assert "113.605000" in err.value.message and "34.705000" in err.value.message


def test_a_code_must_extend_its_parents_code(tree):
    with pytest.raises(GridValidationError) as err:
        save_nodes(
            actor=None,
            items=[NodeData("410106001001", "错码社区", Level.COMMUNITY, "410105001", geometry=sq(0, 0, 1, 1))],
        )
    assert "410105001" in err.value.message and "开头" in err.value.message


def test_saving_bumps_the_version_and_writes_the_audit_trail(tree):
    version = GridVersion.objects.get(pk=1).version
    node = save_nodes(
        actor=None,
        items=[NodeData("410105002002", "丙社区", Level.COMMUNITY, "410105002", geometry=sq(1.5, 0, 2, 1))],
    )[0]
    assert GridVersion.objects.get(pk=1).version == version + 1
    assert Action.objects.for_object(node).filter(verb="grid.save").count() == 1


def test_a_broken_file_names_every_bad_feature_and_writes_nothing(tree):
    before = GridNode.objects.count()
    actions = Action.objects.count()
    data = {
        "type": "FeatureCollection",
        "features": [
            feature("410105002002", "丙社区", 4, "410105002", sq(1.5, 0, 2, 1)),  # good on its own
            feature("410105002002001", "丙一网格", 5, "410105002002", sq(1.4, 0, 1.8, 1)),  # leaves its parent
            {"type": "Feature", "properties": {"code": "x"}, "geometry": None},  # no level
        ],
    }
    with pytest.raises(GridValidationError) as err:
        import_geojson(actor=None, data=data)
    indexes = {where for where, _ in err.value.problems}
    assert indexes == {1, 2}
    assert GridNode.objects.count() == before
    assert Action.objects.count() == actions


def test_export_then_import_round_trips(tree):
    exported = export_geojson(nodes=GridNode.objects.select_related("parent").order_by("depth"))
    assert len(exported["features"]) == GridNode.objects.count()
    imported = import_geojson(actor=None, data=json.dumps(exported))
    assert len(imported) == GridNode.objects.count()
    assert GridNode.objects.get(code="410105001001Z01").kind == Kind.SCHOOL


def test_the_import_command_reports_a_broken_feature_and_leaves_the_database_unchanged(tree, tmp_path):
    path = tmp_path / "broken.geojson"
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[OX, OY], [OX + S, OY + S], [OX + S, OY], [OX, OY + S], [OX, OY]]],
    }
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature("410105002002", "丙社区", 4, "410105002", sq(1.5, 0, 2, 1)),
                    feature("410105002003", "丁社区", 4, "410105002", bowtie),
                ],
            }
        ),
        encoding="utf-8",
    )
    before = GridNode.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("grids", "import", str(path), stderr=err)
    assert "feature 1" in err.getvalue()
    assert "自相交" in err.getvalue()
    assert GridNode.objects.count() == before
    assert not GridNode.objects.filter(code="410105002002").exists()


def test_the_export_command_writes_a_feature_collection(tree, tmp_path):
    out = tmp_path / "grids.geojson"
    call_command("grids", "export", "--root", "410105001", "-o", str(out), stdout=StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in data["features"]} == {
        "410105001",
        "410105001001",
        "410105001001001",
        "410105001001002",
        "410105001001Z01",
        "410105001001001001",
    }
