"""Event pages through the Django test client: forms, messages, scoping."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fengqiao.events.models import Event
from tests.events.conftest import POINT_A


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_worker_reports_from_the_phone_page(client, worker_a):
    client.force_login(worker_a)
    assert client.get("/events/report/").status_code == 200
    response = client.post(
        "/events/report/",
        {"description": "路灯不亮", "category": "0404", "lon": POINT_A[0], "lat": POINT_A[1], "photos": [jpeg()]},
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.tracking_code}/"
    page = client.get(response["Location"]).content.decode()
    assert "路灯不亮" in page and event.tracking_code in page


def test_a_resident_reports_by_qr_without_login_and_gets_a_tracking_code(client, tree):
    response = client.post(
        "/events/r/410105001001001/",
        {"description": "小区门口垃圾堆积", "reporter_phone": "13812345678", "reporter_name": "李先生"},
    )
    event = Event.objects.get()
    assert event.grid.code == "410105001001001" and event.source == "resident"
    assert response["Location"].startswith(f"/events/track/{event.tracking_code}/?new=1&k=")  # the private link
    page = client.get(response["Location"]).content.decode()
    assert event.tracking_code in page
    assert "13812345678" not in page and "李先生" not in page


def test_a_resident_with_a_bad_phone_sees_the_error_and_nothing_is_saved(client, tree):
    response = client.post("/events/r/410105001001001/", {"description": "垃圾堆积", "reporter_phone": "123"})
    assert response.status_code == 200
    assert "联系电话格式不正确" in response.content.decode()
    assert not Event.objects.exists()


def test_a_fake_image_upload_is_refused_on_the_page(client, worker_a):
    client.force_login(worker_a)
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post(
        "/events/report/", {"description": "路灯不亮", "lon": POINT_A[0], "lat": POINT_A[1], "photos": [fake]}
    )
    assert response.status_code == 200
    assert "不是可识别的图片" in response.content.decode()
    assert not Event.objects.exists()


def test_the_workbench_shows_colours_and_only_the_jurisdiction(client, event, dispatcher, worker_b):
    client.force_login(dispatcher)
    # The district centre's own queue holds county-tier events; this community-tier one is under 辖区全部.
    page = client.get("/events/?scope=all").content.decode()
    assert event.tracking_code in page and 'data-colour="green"' in page
    client.force_login(worker_b)
    assert event.tracking_code not in client.get("/events/").content.decode()
    assert client.get(f"/events/{event.tracking_code}/").status_code == 404


def test_actions_on_the_event_page_answer_with_a_message(client, event, dispatcher):
    client.force_login(dispatcher)
    wrong = client.post(f"/events/{event.tracking_code}/act/close/", follow=True)
    assert "不能执行" in wrong.content.decode()
    ok = client.post(f"/events/{event.tracking_code}/act/register/", {"category": "0403"}, follow=True)
    assert f"已完成“核实立案”：事件 {event.tracking_code}。" in ok.content.decode()
    event.refresh_from_db()
    assert event.state == "registered"
    assert client.post(f"/events/{event.tracking_code}/act/nonsense/").status_code == 404


def test_the_tracking_page_takes_a_rating_once_closed(client, tree, dispatcher):
    from fengqiao.events import services
    from fengqiao.events.models import Category

    event = services.report_event(
        actor=None,
        source="resident",
        description="路口垃圾堆积",
        category=Category.objects.get(code="0403"),
        grid=tree["410105001001001"],
        reporter_phone="13812345678",
    )
    services.register_event(actor=dispatcher, event=event)
    services.handle_in_grid(actor=dispatcher, event=event, result="已清理")
    services.verify_event(actor=dispatcher, event=event)
    services.close_event(actor=dispatcher, event=event)
    # The reporter's private link (tests/events/test_public_data.py: the code alone cannot rate).
    response = client.post(
        f"/events/track/{event.tracking_code}/",
        {"stars": "5", "comment": "好", "k": event.reporter_secret},
        follow=True,
    )
    assert "感谢您的评价" in response.content.decode()
    event.refresh_from_db()
    assert event.stars == 5


def test_the_tracking_lookup_finds_a_code_and_explains_a_wrong_one(client, event):
    assert client.get("/events/track/", {"code": event.tracking_code.lower()}).status_code == 302
    assert "没有找到该查询码" in client.get("/events/track/", {"code": "E000000-XXXXXX"}).content.decode()


def test_the_qr_poster_holds_the_public_report_link(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/events/poster/410105001001001/").content.decode()
    assert "<svg" in page and "/events/r/410105001001001/" in page
    assert client.get("/events/poster/410105002001001/").status_code == 404


def test_only_a_centre_records_hotline_calls(client, worker_a, dispatcher):
    client.force_login(worker_a)
    assert client.get("/events/hotline/").status_code == 403
    client.force_login(dispatcher)
    response = client.post(
        "/events/hotline/",
        {
            "hotline_kind": "complaint",
            "reporter_phone": "0371-12345678",
            "description": "夜间施工噪音",
            "grid": "410105001001002",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and event.source == "hotline" and event.grid.code == "410105001001002"
