"""A report's position checked against the grid it is filed in: far-off QR reports are flagged for the dispatcher,
and a grid worker outside every polygon may still report by choosing one of their own grids."""

from __future__ import annotations

import pytest

from fengqiao.events import services
from fengqiao.events.models import Event, Source
from tests.events.conftest import POINT_A, POINT_B

BEIJING = (116.397, 39.909)  # about 620 km from the demo patch near Zhengzhou
NEARBY_OUTSIDE = (113.6, 34.69)  # just south of every grid polygon, about 1.1 km from 甲一网格


def test_a_qr_report_from_far_away_is_filed_in_the_qr_grid_and_flagged(client, tree):
    client.post(
        "/events/r/410105001001001/",
        {"description": "小区门口垃圾堆积", "reporter_phone": "13812345678", "lon": BEIJING[0], "lat": BEIJING[1]},
    )
    event = Event.objects.get()
    assert event.grid.code == "410105001001001"
    assert event.position_mismatch_m is not None and 600_000 < event.position_mismatch_m < 700_000


def test_a_qr_report_inside_its_grid_is_not_flagged(client, tree):
    client.post(
        "/events/r/410105001001001/",
        {"description": "小区门口垃圾堆积", "reporter_phone": "13812345678", "lon": POINT_A[0], "lat": POINT_A[1]},
    )
    assert Event.objects.get().position_mismatch_m is None


def test_a_qr_report_without_a_position_is_not_flagged(client, tree):
    client.post("/events/r/410105001001001/", {"description": "小区门口垃圾堆积", "reporter_phone": "13812345678"})
    assert Event.objects.get().position_mismatch_m is None


def test_the_dispatcher_sees_the_mismatch_on_the_event_page_and_in_the_queue(client, tree, dispatcher):
    event = services.report_event(
        actor=None,
        source=Source.RESIDENT,
        description="楼道堆放杂物",
        reporter_phone="13812345678",
        lon=BEIJING[0],
        lat=BEIJING[1],
        grid=tree["410105001001001"],
    )
    client.force_login(dispatcher)
    page = client.get(f"/events/{event.tracking_code}/").content.decode()
    assert "定位与二维码网格相距 约 6" in page and "公里，请核实" in page
    # A district dispatcher's own queue holds county-tier events; this community-tier one is under 辖区全部.
    queue = client.get("/events/?scope=all").content.decode()
    assert "定位与二维码网格相距" in queue


def test_a_worker_outside_every_grid_reports_by_choosing_an_own_grid(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/events/report/").content.decode()
    assert 'name="grid"' in page and "410105001001001" in page
    response = client.post(
        "/events/report/",
        {"description": "路灯不亮", "lon": NEARBY_OUTSIDE[0], "lat": NEARBY_OUTSIDE[1], "grid": "410105001001001"},
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.grid.code == "410105001001001"
    assert event.position_mismatch_m is not None and 1_000 < event.position_mismatch_m < 1_300


def test_a_worker_without_a_position_reports_by_grid_and_address(client, worker_a):
    client.force_login(worker_a)
    response = client.post(
        "/events/report/", {"description": "路灯不亮", "address": "甲一路 3 号", "grid": "410105001001001"}
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.grid.code == "410105001001001" and event.address == "甲一路 3 号"
    assert event.position_mismatch_m is None


def test_a_worker_with_one_grid_has_it_chosen_already(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/events/report/").content.decode()
    assert 'value="410105001001001" selected' in page


def test_the_grid_choice_offers_only_the_workers_own_grids(client, worker_a, worker_b):
    client.force_login(worker_a)
    page = client.get("/events/report/").content.decode()
    assert "410105002001001" not in page


def test_a_worker_cannot_file_in_another_workers_grid_by_forging_the_choice(client, worker_a, worker_b):
    client.force_login(worker_a)
    response = client.post(
        "/events/report/",
        {"description": "路灯不亮", "lon": NEARBY_OUTSIDE[0], "lat": NEARBY_OUTSIDE[1], "grid": "410105002001001"},
    )
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_a_position_inside_another_grid_is_still_refused_for_a_worker(client, worker_a):
    client.force_login(worker_a)
    response = client.post(
        "/events/report/", {"description": "路灯不亮", "lon": POINT_B[0], "lat": POINT_B[1], "grid": "410105001001001"}
    )
    assert response.status_code == 200
    assert "不在您负责的网格内" in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize("position", [NEARBY_OUTSIDE, (None, None)])
def test_the_service_files_a_patrol_report_in_the_chosen_grid(worker_a, tree, position):
    event = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="井盖缺失",
        lon=position[0],
        lat=position[1],
        grid=tree["410105001001001"],
    )
    assert event.grid.code == "410105001001001"
