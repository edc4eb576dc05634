"""Base data commands: who may keep which grid's data, one person across grids, and clear refusals."""

from __future__ import annotations

import pytest

from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.people import selectors, services
from fengqiao.people.models import Person, Place, Residence
from tests.people.base_kit import GRID_A, GRID_A2, id_number


def test_a_worker_cannot_add_a_building_to_another_grid(base):
    with pytest.raises(OutsideJurisdiction):
        services.save_building(actor=base["worker_a"], grid=base["tree"]["410105002001001"], name="越界楼")


def test_a_dispatcher_reads_but_does_not_keep_base_data(base):
    with pytest.raises(OutsideJurisdiction):
        services.save_building(actor=base["dispatcher_a"], grid=base["tree"][GRID_A], name="调度员楼")


def test_a_grid_leader_keeps_every_grid_of_their_community(base):
    b = services.save_building(actor=base["leader_a"], grid=base["tree"][GRID_A2], name="甲二1号楼")
    assert b.grid_path.startswith(base["tree"]["410105001001"].path)


def test_a_worker_cannot_edit_a_room_of_another_grid(base):
    with pytest.raises(OutsideJurisdiction):
        services.save_room(actor=base["worker_a"], building=base["building_b"], number="999")


def test_base_data_belongs_in_a_grid_not_a_street(base):
    with pytest.raises(DomainError, match="具体的网格"):
        services.save_building(actor=base["leader_a"], grid=base["tree"]["410105001001"], name="社区楼")


def test_a_room_is_registered_once_per_building(base):
    with pytest.raises(DomainError, match="请勿重复登记"):
        services.save_room(actor=base["worker_a"], building=base["building_a"], unit="1单元", number="101")


def test_a_wrong_check_digit_is_refused_in_chinese(base):
    bad = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    with pytest.raises(DomainError, match="校验码"):
        services.register_person(actor=base["worker_a"], grid=base["tree"][GRID_A], name="张三", id_number=bad)


def test_a_bad_phone_and_credit_code_are_refused(base):
    with pytest.raises(DomainError, match="联系电话不正确"):
        services.register_person(actor=base["worker_a"], grid=base["tree"][GRID_A], name="张三", phone="12345")
    with pytest.raises(DomainError, match="统一社会信用代码"):
        services.save_organisation(
            actor=base["worker_a"], grid=base["tree"][GRID_A], kind="enterprise", name="某公司", credit_code="1" * 18
        )


def test_registering_a_known_id_links_the_same_person(base):
    first = services.register_person(
        actor=base["worker_a"], grid=base["tree"][GRID_A], name="张三", id_number=id_number(1), phone="13800138000"
    )
    again = services.register_person(
        actor=base["worker_a"], grid=base["tree"][GRID_A], name="张三", id_number=id_number(1).lower()
    )
    assert first.created and not again.created and not again.moved
    assert again.person.pk == first.person.pk
    assert Person.objects.count() == 1
    assert again.person.gender == "male" and again.person.birth_year == 1985


def test_a_person_registered_in_another_grid_moves_and_the_old_residence_ends(base):
    first = services.register_person(
        actor=base["worker_b"],
        grid=base["tree"]["410105002001001"],
        name="李四",
        id_number=id_number(2),
        phone="13912345678",
        room=base["room_b"],
        relation=Residence.Relation.TENANT,
    )
    moved = services.register_person(
        actor=base["worker_a"],
        grid=base["tree"][GRID_A],
        name="李四",
        id_number=id_number(2),
        room=base["room_a"],
        relation=Residence.Relation.RESIDENT,
    )
    assert moved.person.pk == first.person.pk and moved.moved and not moved.created
    assert Person.objects.count() == 1
    person = Person.objects.get()
    assert person.grid_path == base["tree"][GRID_A].path
    old, new = person.residences.get(room=base["room_b"]), person.residences.get(room=base["room_a"])
    assert old.until is not None and new.until is None
    # Worker B no longer reaches the person; worker A does.
    assert selectors.find_person(actor=base["worker_b"], id_number=id_number(2)) is None
    assert selectors.find_person(actor=base["worker_a"], id_number=id_number(2)).pk == person.pk
    assert Action.objects.filter(verb="people_person_moved", object_id=str(person.pk)).exists()


def test_a_forged_residence_for_a_person_of_another_grid_is_refused(base):
    other = services.register_person(
        actor=base["worker_b"], grid=base["tree"]["410105002001001"], name="王五", id_number=id_number(3)
    ).person
    with pytest.raises(Person.DoesNotExist):
        services.add_residence(actor=base["worker_a"], person=other, room=base["room_a"], relation="resident")
    other.refresh_from_db()
    assert other.grid_path == base["tree"]["410105002001001"].path


def test_ownership_survives_a_move_but_living_does_not(base):
    p = services.register_person(
        actor=base["worker_a"], grid=base["tree"][GRID_A], name="赵六", room=base["room_a"], relation="owner"
    ).person
    services.add_residence(actor=base["worker_a"], person=p, room=base["room_a"], relation="resident")
    room2 = services.save_room(actor=base["worker_a"], building=base["building_a"], unit="1单元", number="102")
    services.add_residence(actor=base["worker_a"], person=p, room=room2, relation="tenant")
    open_rows = set(p.residences.filter(until__isnull=True).values_list("room_id", "relation"))
    assert open_rows == {(base["room_a"].pk, "owner"), (room2.pk, "tenant")}


def test_a_place_takes_its_layer_from_its_kind_and_every_change_is_audited(base):
    place = services.save_place(actor=base["worker_a"], grid=base["tree"][GRID_A], kind="hydrant", name="1号消防栓")
    assert place.layer == Place.Layer.PROTECTION
    services.save_place(
        actor=base["worker_a"], grid=base["tree"][GRID_A], kind="hydrant", name="1号消防栓（已检修）", place=place
    )
    rows = Action.objects.filter(verb="people_place_saved", object_id=str(place.pk)).order_by("id")
    assert [r.data["created"] for r in rows] == [True, False]
    assert rows[1].data["fields"] == ["name"]


def test_audit_rows_never_carry_a_persons_identifiers(base):
    p = services.register_person(
        actor=base["worker_a"], grid=base["tree"][GRID_A], name="钱七", id_number=id_number(4), phone="13700001111"
    ).person
    services.edit_person(actor=base["worker_a"], person=p, name="钱七", phone="13700002222")
    for row in Action.objects.filter(object_id=str(p.pk)):
        text = f"{row.note} {row.data} {row.object_repr}"
        assert "钱七" not in text and "13700002222" not in text and id_number(4) not in text


def test_an_organisation_keeps_its_contact_encrypted(base):
    org = services.save_organisation(
        actor=base["worker_a"],
        grid=base["tree"][GRID_A],
        kind="property",
        name="甲物业",
        contact_name="孙八",
        contact_phone="0371-65551234",
    )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("select contact_phone from people_organisation where id=%s", [org.pk])
        assert "65551234" not in cur.fetchone()[0]
    assert org.contact_phone == "037165551234"
