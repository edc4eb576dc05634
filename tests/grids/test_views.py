"""The grid browser and the grid API honour jurisdiction: pages, admin and API alike."""

from __future__ import annotations

import pytest

from fengqiao.grids.models import GridNode


def test_a_worker_opens_their_own_grid(client, worker_a):
    client.force_login(worker_a)
    response = client.get("/grids/410105001001001/")
    assert response.status_code == 200
    assert "甲一网格" in response.content.decode()


def test_a_worker_cannot_open_another_grids_page(client, worker_a):
    client.force_login(worker_a)
    # Refused exactly like a grid that does not exist (test_an_unknown_grid_is_404), so codes cannot be probed.
    assert client.get("/grids/410105002001001/").status_code == 404
    assert client.get("/grids/410105002001001/map.json").status_code == 404
    assert client.get("/grids/410105001/").status_code == 404  # the street above is not theirs either


def test_an_unknown_grid_is_404(client, worker_a):
    client.force_login(worker_a)
    assert client.get("/grids/999999/").status_code == 404


def test_the_grid_index_goes_to_the_jurisdiction_root(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get("/grids/")
    assert response.status_code == 302 and response["Location"] == "/grids/410105/"


def test_the_map_json_holds_the_node_and_its_visible_children(client, dispatcher):
    client.force_login(dispatcher)
    data = client.get("/grids/410105/map.json").json()
    roles = {f["properties"]["code"]: f["properties"]["role"] for f in data["features"]}
    assert roles == {"410105": "self", "410105001": "child", "410105002": "child"}
    assert data["features"][1]["geometry"]["type"] == "Polygon"


def test_pages_need_a_login(client, tree):
    response = client.get("/grids/410105/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_api_refuses_another_grid_with_a_message(client, worker_a):
    client.force_login(worker_a)
    response = client.get("/api/v1/grids/410105002001001")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] == "网格 410105002001001 不存在。"
    assert client.get("/api/v1/grids/410105001001001").json()["name"] == "甲一网格"


def test_the_api_lists_only_visible_children(client, worker_a):
    client.force_login(worker_a)
    codes = [n["code"] for n in client.get("/api/v1/grids/410105001001001/children").json()]
    assert codes == ["410105001001001001"]


def test_the_api_needs_a_login(client, tree):
    response = client.get("/api/v1/grids/410105")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_locate_through_the_api_hides_grids_outside_the_jurisdiction(client, worker_a, worker_b):
    client.force_login(worker_a)
    mine = client.get("/api/v1/grids/locate", {"lon": 113.6 + 0.002, "lat": 34.7 + 0.008}).json()
    assert mine["found"] and mine["grid"]["code"] == "410105001001001"
    theirs = client.get("/api/v1/grids/locate", {"lon": 113.6 + 0.012, "lat": 34.7 + 0.005}).json()
    assert theirs == {"found": False, "grid": None, "suggestion": None, "suggestion_metres": None}
    bad = client.get("/api/v1/grids/locate", {"lon": 500, "lat": 34.7})
    assert bad.status_code == 422


def test_me_reports_roles_and_masked_phone(client, worker_a):
    worker_a.phone = "13912345678"
    worker_a.save()
    client.force_login(worker_a)
    me = client.get("/api/v1/accounts/me").json()
    assert me["phone_masked"] == "139****5678"
    assert me["memberships"][0]["node_code"] == "410105001001001"


@pytest.mark.parametrize("url", ["/admin/grids/gridnode/", "/admin/accounts/membership/"])
def test_the_admin_lists_only_the_jurisdiction(client, dispatcher, worker_b, url):
    client.force_login(dispatcher)
    assert client.get(url).status_code == 200


def test_a_street_dispatcher_cannot_edit_another_streets_grid_in_admin(client, tree):
    from tests.factories import make_user

    street_a = make_user("disp_a", role="dispatcher", node=tree["410105001"], is_staff=True)
    client.force_login(street_a)
    foreign = GridNode.objects.get(code="410105002001001")
    own = GridNode.objects.get(code="410105001001001")
    listing = client.get("/admin/grids/gridnode/").content.decode()
    assert "甲一网格" in listing and "乙一网格" not in listing
    assert client.get(f"/admin/grids/gridnode/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/grids/gridnode/{foreign.pk}/change/").status_code in (302, 403, 404)


def test_a_grid_worker_is_kept_out_of_the_admin(client, worker_a):
    worker_a.is_staff = True
    worker_a.save()
    client.force_login(worker_a)
    assert client.get("/admin/grids/gridnode/").status_code == 403
