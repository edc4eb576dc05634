"""Nothing is public by default: Open311 shows only categories marked public, without notes, reporters, exact
positions or tracking codes; and a tracking code alone lets nobody rate an event."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from fengqiao.core.errors import WorkflowError
from fengqiao.events import catalogue, services
from fengqiao.events.models import ApiClient, Category, Event, Source
from tests.events.conftest import POINT_A

SENSITIVE = ("治安", "信访", "困难群众", "投诉", "矛盾纠纷", "重点人员")
PRECISE = (113.601234, 34.708765)  # inside 甲一网格


@pytest.fixture
def api_key(db):
    client = ApiClient(name="郑好办")
    client.set_key("k-123456")
    client.save()
    return "k-123456"


def resident_report(category_code: str, **extra) -> Event:
    data = {
        "actor": None,
        "source": Source.RESIDENT,
        "description": "门口垃圾堆积，联系我 13812345678",
        "category": Category.objects.get(code=category_code),
        "lon": PRECISE[0],
        "lat": PRECISE[1],
        "address": "文化路 12 号 3 单元 501 室",
        "reporter_name": "李秀英",
        "reporter_phone": "13812345678",
    }
    data.update(extra)
    return services.report_event(**data)


def close(event: Event, actor, *, result: str = "已清运") -> Event:
    services.register_event(actor=actor, event=event)
    services.handle_in_grid(actor=actor, event=event, result=result)
    services.verify_event(actor=actor, event=event)
    return services.close_event(actor=actor, event=event)


# The catalogue: private unless marked public; the sensitive families never by default.


def test_a_new_category_is_private_unless_marked_public(db):
    parent = Category.objects.create(code="99", name="测试")
    leaf = Category.objects.create(code="9901", name="测试小类", parent=parent)
    assert leaf.public is False


def test_no_sensitive_family_is_public_in_the_default_catalogue(tree):
    leaked = [
        str(c)
        for c in Category.objects.filter(public=True).select_related("parent")
        if any(word in str(c) for word in SENSITIVE)
    ]
    assert leaked == []
    assert set(Category.objects.filter(public=True).values_list("code", flat=True)) >= {"0403", "0404"}
    assert not Category.objects.get(code="0601").public  # 困难群众帮扶
    assert not Category.objects.get(code="0201").public  # 治安隐患


def test_an_imported_leaf_without_the_public_field_is_private(db):
    catalogue.load_catalogue([{"code": "98", "name": "新大类", "children": [{"code": "9801", "name": "路面积水"}]}])
    assert Category.objects.get(code="9801").public is False


def test_the_catalogue_refuses_a_sensitive_family_marked_public_unless_forced(db):
    data = [
        {"code": "02", "name": "社会治安", "children": [{"code": "0201", "name": "可疑人员", "public": True}]},
        {"code": "06", "name": "民生服务", "children": [{"code": "0601", "name": "困难群众帮扶", "public": True}]},
        {"code": "04", "name": "城市管理", "children": [{"code": "0404", "name": "路灯不亮", "public": True}]},
    ]
    problems = catalogue.validate_catalogue(data)
    assert [where for where, _ in problems] == ["category 1, leaf 1", "category 2, leaf 1"]
    assert all("public" in what for _, what in problems)
    assert catalogue.validate_catalogue(data, force_public=True) == []


def test_the_import_command_refuses_a_sensitive_public_leaf_and_writes_nothing(db, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "cat.json"
    data = [{"code": "97", "name": "信访事项", "children": [{"code": "9701", "name": "来访", "public": True}]}]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("categories", "import", str(path))
    assert not Category.objects.filter(code="9701").exists()
    call_command("categories", "import", str(path), "--force-public")
    assert Category.objects.get(code="9701").public is True


# Open311 reads.


def test_open311_lists_no_sensitive_service(client, tree):
    names = [s["service_name"] for s in client.get("/open311/v2/services.json").json()]
    codes = {s["service_code"] for s in client.get("/open311/v2/services.json").json()}
    assert "0403" in codes
    assert not codes & {"0101", "0201", "0202", "0601", "0802"}
    assert not [n for n in names if any(word in n for word in SENSITIVE)]


def test_open311_does_not_publish_a_report_in_a_private_category(client, tree):
    event = resident_report("0601")  # 困难群众帮扶
    listed = client.get("/open311/v2/requests.json").json()
    assert listed == []
    assert client.get(f"/open311/v2/requests/{event.public_id}.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"service_request_id": event.public_id}).json() == []


def test_open311_shows_no_notes_no_reporter_and_no_exact_position(client, tree, dispatcher):
    event = resident_report("0403")
    close(event, dispatcher, result="已联系李秀英本人，内部备注：其子有前科")
    for url in ("/open311/v2/requests.json", f"/open311/v2/requests/{event.public_id}.json"):
        (item,) = client.get(url).json()
        text = json.dumps(item, ensure_ascii=False)
        assert "李秀英" not in text and "13812345678" not in text and "前科" not in text
        assert event.tracking_code not in text
        assert item["lat"] == round(PRECISE[1], 3) and item["long"] == round(PRECISE[0], 3)
        assert not re.search(r"\d+\s*号", item["address"]) and "501" not in item["address"]
        assert item["status"] == "closed"
    xml = client.get(f"/open311/v2/requests/{event.public_id}.xml").content.decode()
    assert "李秀英" not in xml and "前科" not in xml and event.tracking_code not in xml


def test_open311_never_answers_to_a_tracking_code(client, tree):
    event = resident_report("0403")
    assert event.public_id and event.public_id != event.tracking_code
    assert client.get(f"/open311/v2/requests/{event.tracking_code}.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"service_request_id": event.tracking_code}).json() == []
    (item,) = client.get("/open311/v2/requests.json", {"service_request_id": event.public_id}).json()
    assert item["service_request_id"] == event.public_id


def test_an_open311_post_answers_with_its_own_id_and_never_the_tracking_code(client, tree, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "0404", "lat": POINT_A[1], "long": POINT_A[0], "description": "路灯不亮"},
    )
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert response.json()[0]["service_request_id"] == event.public_id
    assert event.tracking_code not in response.content.decode()


def test_open311_cannot_file_into_a_private_category(client, tree, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "0601", "lat": POINT_A[1], "long": POINT_A[0], "description": "求助"},
    )
    assert response.status_code == 400 and not Event.objects.exists()


def test_every_event_gets_its_own_random_public_id(tree, worker_a):
    ids = {
        services.report_event(
            actor=worker_a, source=Source.PATROL, description=f"{n} 号路灯不亮", lon=POINT_A[0], lat=POINT_A[1]
        ).public_id
        for n in range(5)
    }
    assert len(ids) == 5 and all(len(i) >= 16 for i in ids)


# A tracking code is not a credential: rating needs the reporter's secret.


def private_link(response) -> str:
    location = response["Location"]
    assert "k=" in location, location
    return location


def test_the_tracking_code_alone_cannot_rate_an_event(tree, dispatcher):
    resident = Client()
    response = resident.post(
        "/events/r/410105001001001/",
        {"description": "小区门口垃圾堆积", "category": "0403", "reporter_phone": "13812345678"},
    )
    event = Event.objects.get()
    close(event, dispatcher)
    stranger = Client()
    page = stranger.get(f"/events/track/{event.tracking_code}/").content.decode()
    assert 'id="rating-form"' not in page
    stranger.post(f"/events/track/{event.tracking_code}/", {"stars": "1", "comment": "差"})
    stranger.post(f"/events/track/{event.tracking_code}/?k=guess", {"stars": "1", "k": "guess"})
    event.refresh_from_db()
    assert event.stars is None
    # The reporter's private link (shown once on the receipt) does allow it.
    link = private_link(response)
    assert 'id="rating-form"' in resident.get(link).content.decode()
    secret = link.split("k=")[1].split("&")[0]
    Client().post(f"/events/track/{event.tracking_code}/", {"stars": "5", "comment": "好", "k": secret})
    event.refresh_from_db()
    assert event.stars == 5


def test_the_service_refuses_an_anonymous_rating_without_the_secret(tree, dispatcher):
    event = resident_report("0403")
    close(event, dispatcher)
    for secret in (None, "", "0" * 32):
        with pytest.raises(WorkflowError) as err:
            services.rate_event(actor=None, event=event, stars=5, secret=secret)
        assert err.value.code == "secret_required"
    services.rate_event(actor=None, event=event, stars=5, secret=event.reporter_secret)
    assert event.stars == 5


def test_the_secret_is_stored_only_as_a_keyed_hash(tree):
    event = resident_report("0403")
    stored = Event.objects.filter(pk=event.pk).values().get()
    assert event.reporter_secret and event.reporter_secret not in json.dumps(stored, default=str)
    assert stored["reporter_secret_index"]


def test_wrong_secrets_are_rate_limited(tree, dispatcher, settings):
    settings.FENGQIAO_RATE_SECRET = "3/h"
    event = resident_report("0403")
    close(event, dispatcher)
    stranger = Client()
    codes = [
        stranger.post(f"/events/track/{event.tracking_code}/", {"stars": "1", "k": f"guess{i}"}).status_code
        for i in range(5)
    ]
    assert codes[-1] == 429
    # Even the right secret waits once the guesser is locked out.
    stranger.post(f"/events/track/{event.tracking_code}/", {"stars": "1", "k": event.reporter_secret})
    event.refresh_from_db()
    assert event.stars is None


def test_a_receipt_secret_survives_a_change_of_keys_and_of_crypto_provider(settings):
    """The secret is stored as an unkeyed digest: rotating data or index keys, or switching SM to AES, keeps it."""
    from fengqiao.core import crypto, receipts

    secret, stored = receipts.issue()
    settings.FENGQIAO_DATA_KEYS = "k9:" + "z" * 40
    settings.FENGQIAO_INDEX_KEY = "i" * 40
    settings.FENGQIAO_CRYPTO = "aes"
    assert crypto.ring().provider.name == "aes"  # the ring follows the settings
    assert receipts.matches(stored, secret)
    assert receipts.matches(stored, " " + secret.upper())
    assert not receipts.matches(stored, secret[:-1] + ("0" if secret[-1] != "0" else "1"))
