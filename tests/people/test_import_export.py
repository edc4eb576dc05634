"""Exporting the persons of the caller's own grids: masked unless a role that may unmask gives a reason."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.people import exporter, importer
from tests.factories import make_user
from tests.people.import_kit import id_number, person_row, workbook

GRID_A1 = "410105001001001"
GRID_B1 = "410105002001001"


@pytest.fixture
def register(tree, dispatcher):
    importer.import_persons(
        actor=dispatcher, file=workbook([person_row(1, GRID_A1, 姓名="张三丰"), person_row(2, GRID_B1, 姓名="李四")])
    )


def _rows(data: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))


def test_a_worker_exports_only_their_own_grid_masked_and_the_export_is_audited(register, worker_a):
    out = io.BytesIO()
    assert exporter.write_export(actor=worker_a, stream=out) == 1
    rows = _rows(out.getvalue())
    assert list(rows[0]) == importer.HEADERS
    name, number, _g, birth, phone = rows[1][:5]
    assert name == "张**" and number == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    assert birth == "1980" and "*" in phone
    assert rows[1][6] == GRID_A1 and rows[1][7] == "2号楼"
    action = Action.objects.get(verb="export_persons")
    assert action.actor == worker_a and action.data["count"] == 1 and action.data["unmasked"] is False


def test_a_worker_may_not_export_unmasked(register, worker_a):
    with pytest.raises(OutsideJurisdiction):
        exporter.write_export(actor=worker_a, stream=io.BytesIO(), unmasked=True, reason="verify")
    assert not Action.objects.filter(verb="export_persons").exists()


def test_an_unmasked_export_needs_a_reason_and_logs_it(register, dispatcher):
    with pytest.raises(DomainError):
        exporter.write_export(actor=dispatcher, stream=io.BytesIO(), unmasked=True)
    out = io.BytesIO()
    assert exporter.write_export(actor=dispatcher, stream=out, unmasked=True, reason="verify", note="核对台账") == 2
    rows = _rows(out.getvalue())
    assert {r[0] for r in rows[1:]} == {"张三丰", "李四"} and id_number(1) in {r[1] for r in rows[1:]}
    action = Action.objects.get(verb="export_persons")
    assert action.data["unmasked"] is True and action.data["reason"] == "verify"
    assert "张三丰" not in str(action.data) and id_number(1) not in str(action.data)


def test_the_export_page_downloads_a_masked_workbook(client, register, worker_a):
    client.force_login(worker_a)
    assert client.get(reverse("people:export")).status_code == 200
    response = client.post(reverse("people:export_persons"), {})
    assert response.status_code == 200
    rows = _rows(b"".join(response.streaming_content))
    assert len(rows) == 2 and rows[1][0] == "张**"


def test_the_page_refuses_an_unmasked_export_to_a_worker(client, register, worker_a):
    client.force_login(worker_a)
    response = client.post(reverse("people:export_persons"), {"unmasked": "on", "reason": "verify"})
    assert response.status_code == 403


def test_a_resident_informant_without_an_export_role_is_refused(client, tree):
    user = make_user("someone", role=Role.HANDLER, node=tree["410105"], password=None)
    client.force_login(user)
    assert client.post(reverse("people:export_persons"), {}).status_code == 403
