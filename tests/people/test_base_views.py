"""Base-data pages: the grid profile, drill-down, phone forms, unmasking and the PIPL pages, each scoped."""

from __future__ import annotations

from django.test import Client

from fengqiao.core.models import Action
from fengqiao.people import services
from fengqiao.people.models import Person
from tests.people.base_kit import GRID_A, GRID_B, id_number


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _person(base):
    return services.register_person(
        actor=base["worker_a"],
        grid=base["tree"][GRID_A],
        name="张三丰",
        id_number=id_number(7),
        phone="13800138000",
        room=base["room_a"],
        relation="resident",
    ).person


def test_the_grid_profile_shows_counts_and_one_page(base):
    _person(base)
    page = _client(base["worker_a"]).get(f"/people/grid/{GRID_A}/?tab=persons")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-tile="persons">1<' in html and "张**" in html and "张三丰" not in html


def test_a_worker_of_another_grid_gets_404_for_the_profile_building_and_person(base):
    p = _person(base)
    c = _client(base["worker_b"])
    for url in (
        f"/people/grid/{GRID_A}/",
        f"/people/buildings/{base['building_a'].pk}/",
        f"/people/rooms/{base['room_a'].pk}/",
        f"/people/persons/{p.pk}/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/people/persons/{p.pk}/erase/", {"reason": "本人书面申请"}).status_code == 404
    assert c.post(f"/people/persons/{p.pk}/export/", {"reason": "本人书面申请"}).status_code == 404
    assert Person.objects.get(pk=p.pk).erased_at is None


def test_unmasking_needs_a_reason_and_is_logged(base):
    p = _person(base)
    c = _client(base["worker_a"])
    assert id_number(7) not in c.get(f"/people/persons/{p.pk}/").content.decode()
    page = c.post(f"/people/persons/{p.pk}/", {"reason": "verify", "note": ""})
    assert id_number(7) in page.content.decode()
    row = Action.objects.get(verb="reveal_pii")
    assert row.data["reason"] == "verify" and row.actor_id == base["worker_a"].pk


def test_a_worker_registers_a_person_from_the_phone_form_and_a_duplicate_links(base):
    c = _client(base["worker_a"])
    form = {"name": "李四", "id_number": id_number(8), "phone": "13912345678", "kind": "resident", "relation": "tenant"}
    assert c.post(f"/people/rooms/{base['room_a'].pk}/persons/new/", form).status_code == 302
    again = c.post(f"/people/rooms/{base['room_a'].pk}/persons/new/", form, follow=True)
    assert "没有重复登记" in again.content.decode()
    assert Person.objects.count() == 1
    wrong = id_number(8)[:-1] + ("0" if id_number(8)[-1] != "0" else "1")
    bad = c.post(f"/people/rooms/{base['room_a'].pk}/persons/new/", {**form, "id_number": wrong})
    assert "校验码" in bad.content.decode()


def test_a_worker_of_grid_b_moving_a_person_learns_nothing_of_grid_a(base):
    _person(base)
    c = _client(base["worker_b"])
    form = {"name": "张三丰", "id_number": id_number(7), "kind": "resident", "relation": "resident"}
    page = c.post(f"/people/rooms/{base['room_b'].pk}/persons/new/", form, follow=True).content.decode()
    assert "已将此人迁入本房屋" in page
    assert base["room_a"].building.name not in page
    moved = Person.objects.get()
    person_page = c.get(f"/people/persons/{moved.pk}/").content.decode()
    assert "其他辖区的房屋" in person_page and base["building_a"].name not in person_page
    assert _client(base["worker_a"]).get(f"/people/persons/{moved.pk}/").status_code == 404


def test_a_dispatcher_reads_but_gets_no_edit_forms_and_a_mediator_gets_nothing(base):
    c = _client(base["dispatcher_a"])
    assert c.get(f"/people/grid/{GRID_A}/").status_code == 200
    assert c.get(f"/people/grid/{GRID_A}/buildings/new/").status_code == 403
    assert _client(base["mediator"]).get(f"/people/grid/{GRID_A}/").status_code == 403
    assert c.get(f"/people/grid/{GRID_B}/").status_code == 404


def test_the_dispatcher_erases_from_the_page_and_the_notice_lists_every_field(base):
    p = _person(base)
    c = _client(base["dispatcher_a"])
    assert c.post(f"/people/persons/{p.pk}/erase/", {"reason": "本人书面申请"}).status_code == 302
    assert Person.objects.get(pk=p.pk).name == "已删除"
    notice = c.get("/people/pii/").content.decode()
    assert "身份证号" in notice and "保存期限" in notice
