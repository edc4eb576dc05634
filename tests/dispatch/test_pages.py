"""Pages and API: thin layers over the services, with clear answers."""

from __future__ import annotations

from fengqiao.dispatch import services
from fengqiao.dispatch.models import Instruction, Receipt


def test_the_inbox_page_lists_my_instruction(client, tree, dispatcher, worker_a):
    services.send_instruction(actor=dispatcher, title="防汛巡查", nodes=[tree["410105001"]])
    client.force_login(worker_a)
    page = client.get("/dispatch/").content.decode()
    assert "防汛巡查" in page and 'data-fq-stream="/dispatch/stream/?after=' in page


def test_a_dispatcher_sends_from_the_page_and_lands_on_tracking(client, tree, dispatcher, worker_a):
    client.force_login(dispatcher)
    response = client.post(
        "/dispatch/send/",
        {"title": "清查隐患", "kind": "task", "priority": 2, "nodes": [tree["410105001"].pk], "requires_ack": "on"},
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dispatch/i/{instruction.pk}/track/"
    assert "1" in client.get(response["Location"]).content.decode()


def test_a_grid_worker_is_turned_away_from_the_send_page(client, tree, worker_a):
    client.force_login(worker_a)
    assert client.get("/dispatch/send/").status_code == 302


def test_acknowledging_from_the_inbox_returns_to_the_inbox(client, tree, dispatcher, worker_a):
    instruction = services.send_instruction(actor=dispatcher, title="防汛巡查", nodes=[tree["410105001"]])
    client.force_login(worker_a)
    response = client.post(f"/dispatch/i/{instruction.pk}/ack/", {"next": "/dispatch/"})
    assert response["Location"] == "/dispatch/"
    assert Receipt.objects.get().acknowledged_at is not None


def test_opening_an_instruction_outside_my_grids_answers_as_if_it_did_not_exist(client, tree, dispatcher, worker_b):
    instruction = services.send_instruction(actor=dispatcher, title="防汛巡查", nodes=[tree["410105001"]])
    client.force_login(worker_b)
    assert client.get(f"/dispatch/i/{instruction.pk}/").status_code == 404


def test_the_stream_under_wsgi_answers_once_with_the_unread_count(client, tree, worker_a):
    client.force_login(worker_a)
    response = client.get("/dispatch/stream/")
    assert response["Content-Type"] == "text/event-stream"
    assert 'event: unread\ndata: {"unread":0}' in response.content.decode()


def test_the_work_and_duty_pages_render(client, tree, worker_a, dispatcher):
    client.force_login(worker_a)
    assert "开始巡查" in client.get("/dispatch/work/").content.decode()
    client.force_login(dispatcher)
    assert client.get("/dispatch/duty/").status_code == 200


def test_the_api_sends_acknowledges_and_tracks(client, tree, dispatcher, worker_a):
    client.force_login(dispatcher)
    sent = client.post(
        "/api/v1/dispatch/instructions",
        {"title": "防汛巡查", "nodes": ["410105001"]},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    pk = sent.json()["id"]
    client.force_login(worker_a)
    assert [i["id"] for i in client.get("/api/v1/dispatch/inbox").json()] == [pk]
    assert client.post(f"/api/v1/dispatch/instructions/{pk}/ack").json()["acknowledged_at"]
    client.force_login(dispatcher)
    assert client.get(f"/api/v1/dispatch/instructions/{pk}/tracking").json()["acknowledged"] == 1


def test_the_api_refuses_a_bad_gps_point_with_a_message(client, tree, worker_a):
    client.force_login(worker_a)
    patrol = client.post("/api/v1/dispatch/patrols", {}, content_type="application/json").json()
    response = client.post(
        f"/api/v1/dispatch/patrols/{patrol['id']}/points",
        {"points": [{"lon": 113.6, "lat": 134.7}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "纬度" in response.json()["detail"]


def test_the_api_refuses_sending_outside_the_jurisdiction(client, tree, worker_a, street_a_dispatcher):
    client.force_login(street_a_dispatcher)
    response = client.post(
        "/api/v1/dispatch/instructions", {"title": "x", "nodes": ["410105002"]}, content_type="application/json"
    )
    assert response.status_code == 403
