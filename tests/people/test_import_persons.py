"""Importing persons from the street office's spreadsheet: every bad row named and nothing written, or all of it."""

from __future__ import annotations

import io
import time

import pytest
from django.db import connection
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.core import crypto, pii
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.people import importer
from fengqiao.people.models import Building, Person, Residence, Room
from tests.factories import make_user
from tests.people.import_kit import BAD_KINDS, file_with_bad_rows, id_number, person_row, workbook

GRID_A1 = "410105001001001"
GRID_A2 = "410105001001002"
GRID_B1 = "410105002001001"


@pytest.fixture
def leader_a(tree):
    """The grid leader of 甲社区 (street A's community): both of its grids, not street B."""
    return make_user("leader_a", role=Role.GRID_LEADER, node=tree["410105001001"], password=None)


def _refused(actor, rows) -> importer.ImportRefused:
    with pytest.raises(importer.ImportRefused) as caught:
        importer.import_persons(actor=actor, file=workbook(rows))
    return caught.value


class TestAllOrNothing:
    def test_a_file_with_one_percent_bad_rows_names_every_bad_row_and_writes_nothing(self, leader_a):
        rows, bad = file_with_bad_rows(1000, GRID_A1)
        refused = _refused(leader_a, rows)
        named = {(e.row, e.column) for e in refused.checked.errors}
        assert {e.row for e in refused.checked.errors} == set(bad)
        assert all((row, column) in named for row, column in bad.items())
        assert "10 行" in refused.message
        assert Person.objects.count() == 0
        assert Residence.objects.count() == Room.objects.count() == Building.objects.count() == 0
        assert not Action.objects.filter(verb="import_persons").exists()

    def test_the_same_file_with_the_bad_rows_fixed_imports_every_row(self, leader_a):
        rows, bad = file_with_bad_rows(1000, GRID_A1)
        for number in bad:
            n = number - 2
            rows[n] = person_row(n, GRID_A1)
        result = importer.import_persons(actor=leader_a, file=workbook(rows))
        assert (result.rows, result.created) == (1000, 1000)
        assert Person.objects.count() == 1000
        assert Residence.objects.filter(until__isnull=True).count() == 1000
        person = Person.objects.get(id_index=pii.blind_index(id_number(5)))
        assert person.grid.code == GRID_A1 and person.phone == "13900000005"
        assert person.gender == "male" and person.birth_year == 1980  # derived from the ID number
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, id_number, phone, address FROM people_person WHERE id = %s", [person.pk])
            stored = cursor.fetchone()
        assert all(crypto.is_token(v) for v in stored)  # stored encrypted, not as typed
        action = Action.objects.get(verb="import_persons")
        assert action.actor == leader_a and action.data["created"] == 1000
        assert len(action.data["file_sha256"]) == 64

    def test_the_error_report_has_each_bad_row_as_typed_with_its_errors(self, leader_a):
        from openpyxl import load_workbook

        rows, bad = file_with_bad_rows(300, GRID_A1)
        refused = _refused(leader_a, rows)
        sheet = load_workbook(io.BytesIO(importer.error_report(refused.checked)), read_only=True).worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
        assert lines[0][0] == "原行号" and lines[0][-1] == "错误说明"
        assert [line[0] for line in lines[1:]] == sorted(bad)
        assert all(bad[line[0]] in line[-1] for line in lines[1:])

    def test_a_wrong_header_is_refused_before_any_row(self, leader_a):
        with pytest.raises(DomainError) as caught:
            importer.import_persons(actor=leader_a, file=workbook([], headers=["名字", "身份证"]))
        assert caught.value.code == "import_bad_header"

    def test_a_file_that_is_not_a_workbook_is_refused(self, leader_a):
        with pytest.raises(DomainError) as caught:
            importer.import_persons(actor=leader_a, file=io.BytesIO(b"=cmd|' /C calc'!A0"))
        assert caught.value.code == "import_bad_file"

    def test_a_birth_date_or_gender_that_contradicts_the_id_number_is_named(self, leader_a):
        number = id_number(3, male=True)
        refused = _refused(leader_a, [person_row(3, GRID_A1, id_number=number, 性别="女", 出生日期="1980-01-02")])
        assert {(e.row, e.column) for e in refused.checked.errors} == {(2, "性别"), (2, "出生日期")}


class TestOnePersonAcrossGrids:
    def test_the_same_id_twice_in_one_file_is_one_person(self, leader_a):
        result = importer.import_persons(
            actor=leader_a, file=workbook([person_row(1, GRID_A1), person_row(1, GRID_A1, 联系电话="13700000000")])
        )
        assert (result.rows, result.merged) == (1, 1)
        assert Person.objects.get().phone == "13700000000"

    def test_the_same_id_with_another_name_in_one_file_is_a_named_error(self, leader_a):
        refused = _refused(leader_a, [person_row(1, GRID_A1), person_row(1, GRID_A1, 姓名="另一人")])
        assert [(e.row, e.column) for e in refused.checked.errors] == [(3, "公民身份号码")]

    def test_a_person_already_living_in_another_grid_moves_and_is_not_duplicated(self, tree, leader_a, dispatcher):
        importer.import_persons(actor=dispatcher, file=workbook([person_row(7, GRID_B1, 现居住楼栋="乙1号楼")]))
        person = Person.objects.get()
        old_home = Residence.objects.get(person=person)
        result = importer.import_persons(actor=leader_a, file=workbook([person_row(7, GRID_A2, 现居住楼栋="甲9号楼")]))
        assert (result.created, result.moved) == (0, 1)
        assert Person.objects.count() == 1
        person.refresh_from_db()
        assert person.grid.code == GRID_A2 and person.grid_path == tree[GRID_A2].path
        old_home.refresh_from_db()
        assert old_home.until is not None  # the old residence ended, kept as history
        new_home = Residence.objects.get(person=person, until__isnull=True)
        assert new_home.room.building.name == "甲9号楼" and new_home.room.grid_id == tree[GRID_A2].pk
        assert (result.residences_ended, result.residences_started) == (1, 1)

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self, leader_a):
        rows = [person_row(n, GRID_A1) for n in range(20)]
        importer.import_persons(actor=leader_a, file=workbook(rows))
        again = importer.import_persons(actor=leader_a, file=workbook(rows))
        assert (again.created, again.updated, again.residences_started, again.rooms_created) == (0, 20, 0, 0)
        assert Person.objects.count() == Residence.objects.count() == 20

    def test_an_existing_building_is_matched_by_its_code(self, tree, leader_a):
        building = Building.objects.create(grid=tree[GRID_A1], code="JS-001", name="金水花园1号楼")
        importer.import_persons(actor=leader_a, file=workbook([person_row(1, GRID_A1, 现居住楼栋="JS-001")]))
        assert Building.objects.count() == 1
        assert Residence.objects.get().room.building == building


class TestJurisdiction:
    def test_a_grid_code_outside_the_importers_jurisdiction_is_a_named_row_error(self, leader_a):
        refused = _refused(leader_a, [person_row(1, GRID_A1), person_row(2, GRID_B1), person_row(3, GRID_A2)])
        assert [(e.row, e.column) for e in refused.checked.errors] == [(3, "所属网格编码")]
        assert "管辖范围" in refused.checked.errors[0].message
        assert Person.objects.count() == 0

    def test_a_node_above_the_grid_level_is_refused(self, leader_a):
        refused = _refused(leader_a, [person_row(1, "410105001001")])
        assert [(e.row, e.column) for e in refused.checked.errors] == [(2, "所属网格编码")]

    def test_a_grid_worker_may_not_import(self, tree):
        worker = make_user("w", role=Role.GRID_WORKER, node=tree[GRID_A1], password=None)
        with pytest.raises(OutsideJurisdiction):
            importer.import_persons(actor=worker, file=workbook([person_row(1, GRID_A1)]))
        assert Person.objects.count() == 0


def test_a_hundred_thousand_rows_with_one_percent_bad_then_fixed(leader_a):
    """An office's whole register in one file: 1,000 bad rows of every kind, each named, nothing written; fixed, all
    100,000 are imported in one transaction."""
    rows, bad = file_with_bad_rows(100_000, GRID_A1)
    refused = _refused(leader_a, rows)
    assert {e.row for e in refused.checked.errors} == set(bad) and len(bad) == 1_000
    assert {e.column for e in refused.checked.errors} == {column for _o, column in BAD_KINDS}
    assert Person.objects.count() == 0
    for number in bad:
        rows[number - 2] = person_row(number - 2, GRID_A1)
    start = time.perf_counter()
    result = importer.import_persons(actor=leader_a, file=workbook(rows))
    assert result.created == Person.objects.count() == 100_000
    assert time.perf_counter() - start < 300


class TestPages:
    def test_the_template_downloads_with_the_header_row(self, client, leader_a):
        from openpyxl import load_workbook

        client.force_login(leader_a)
        response = client.get(reverse("people:import_template"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        assert list(next(sheet.iter_rows(values_only=True))) == importer.HEADERS

    def test_upload_with_bad_rows_lists_them_and_offers_the_report(self, client, leader_a):
        client.force_login(leader_a)
        rows, bad = file_with_bad_rows(200, GRID_A1)
        response = client.post(reverse("people:import"), {"file": workbook(rows)})
        assert response.status_code == 200
        page = response.content.decode()
        assert all(f"第 {row} 行" in page for row in bad)
        report = client.get(reverse("people:import_report"))
        assert report.status_code == 200
        assert report["Content-Type"].startswith("application/vnd.openxmlformats")
        assert Person.objects.count() == 0

    def test_another_users_session_gets_no_report(self, client, leader_a, tree):
        client.force_login(leader_a)
        rows, _bad = file_with_bad_rows(100, GRID_A1)
        client.post(reverse("people:import"), {"file": workbook(rows)})
        other = make_user("leader_a2", role=Role.GRID_LEADER, node=tree["410105001001"], password=None)
        client.force_login(other)
        assert client.get(reverse("people:import_report")).status_code == 404

    def test_upload_of_a_good_file_imports_it(self, client, leader_a):
        client.force_login(leader_a)
        response = client.post(reverse("people:import"), {"file": workbook([person_row(1, GRID_A1)])})
        assert response.status_code == 302
        assert Person.objects.count() == 1

    def test_a_grid_worker_cannot_open_the_import_page(self, client, tree):
        worker = make_user("w", role=Role.GRID_WORKER, node=tree[GRID_A1], password=None)
        client.force_login(worker)
        assert client.get(reverse("people:import")).status_code == 403
        assert client.post(reverse("people:import"), {"file": workbook([person_row(1, GRID_A1)])}).status_code == 403
        assert Person.objects.count() == 0
