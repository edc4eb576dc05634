"""The event catalogue from a file: import, export, and refusal of bad files with nothing written."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fengqiao.events.catalogue import load_catalogue
from fengqiao.events.models import Category

pytestmark = pytest.mark.django_db

FILE = [
    {
        "code": "09",
        "name": "物业管理",
        "children": [
            {
                "code": "0901",
                "name": "电梯故障",
                "department_kind": "housing",
                "tier": "street",
                "handle_amount": 2,
                "handle_unit": "workdays",
                "sign_hours": 1,
                "requires_acceptance": True,
                "keywords": ["电梯停运 困人", "电梯异响"],
            },
            {"code": "0902", "name": "物业收费争议"},
        ],
    }
]


def test_a_catalogue_file_is_imported_and_exported_in_the_same_shape(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(FILE, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("categories", "import", str(path), stdout=out)
    assert "imported 2 leaf categories" in out.getvalue()
    lift = Category.objects.get(code="0901")
    assert (lift.parent.code, lift.tier, lift.handle_amount, lift.sign_hours) == ("09", "street", 2, 1)
    assert lift.requires_acceptance and lift.keywords.splitlines() == ["电梯停运 困人", "电梯异响"]
    assert Category.objects.get(code="0902").tier == "community"  # the model's default

    exported = tmp_path / "out.json"
    call_command("categories", "export", "-o", str(exported), stdout=StringIO())
    again = json.loads(exported.read_text(encoding="utf-8"))
    top = next(t for t in again if t["code"] == "09")
    assert [c["code"] for c in top["children"]] == ["0901", "0902"]
    assert top["children"][0]["keywords"] == ["电梯停运 困人", "电梯异响"]
    # The export imports again unchanged.
    call_command("categories", "import", str(exported), stdout=StringIO())
    assert Category.objects.get(code="0901").keywords.splitlines() == ["电梯停运 困人", "电梯异响"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d[0]["children"][0].update(tier="village"), "tier must be one of"),
        (lambda d: d[0]["children"][0].update(handle_amount=-1), "handle_amount must be greater than 0"),
        (lambda d: d[0]["children"][0].update(handle_unit="weeks"), "handle_unit must be one of"),
        (lambda d: d[0]["children"][1].update(code="0801"), "must start with its top category's code 09"),
        (lambda d: d[0]["children"][1].update(code="0901"), "code 0901 appears twice"),
        (lambda d: d[0]["children"][1].update(colour="red"), "unknown field(s): colour"),
        (lambda d: d[0]["children"][1].update(department_kind="army"), "is not a department kind"),
        (lambda d: d[0]["children"][1].update(requires_acceptance="yes"), "requires_acceptance has the wrong type"),
    ],
)
def test_a_bad_file_is_refused_with_the_place_and_reason_and_nothing_is_written(tmp_path, change, message):
    data = json.loads(json.dumps(FILE))
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = Category.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("categories", "import", str(path), stderr=err, stdout=StringIO())
    assert message in err.getvalue()
    assert "category 1, leaf" in err.getvalue()
    assert Category.objects.count() == before


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[{", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("categories", "import", str(path), stderr=err, stdout=StringIO())
    assert "not valid JSON" in err.getvalue()


def test_the_default_catalogue_exports_and_validates(tmp_path):
    from fengqiao.events.catalogue import export_catalogue, validate_catalogue

    load_catalogue()
    assert validate_catalogue(export_catalogue()) == []
