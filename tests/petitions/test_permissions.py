"""Attack first: what a caller outside the petition office or outside the area tries, and is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.errors import DomainError
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import Petition
from tests.factories import make_user
from tests.petitions.conftest import GRID_A, GRID_B, STREET_A, data

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(grid, **extra):
    values = {
        "grid": grid,
        "form": "letter",
        "name": "王秀英",
        "id_number": "",
        "phone": "13800138000",
        "address": "",
        "petitioners": "1",
        "category": "land",
        "received_on": "2026-01-05",
        "matter": "征地补偿款至今未发放到位。",
        "links": "",
    }
    values.update(extra)
    return values


def test_another_streets_petition_answers_404(register, centre_b, centre_a, leader_b):
    petition = register(centre_a)
    for outsider in (centre_b, leader_b):
        assert _client(outsider).get(f"/petitions/{petition.tracking_code}/").status_code == 404
        response = _client(outsider).post(f"/petitions/{petition.tracking_code}/act/accept/", {"note": "x"})
        assert response.status_code == 404
    petition.refresh_from_db()
    assert petition.state == "registered"


def test_a_worker_or_a_mediator_cannot_register(tree):
    worker = make_user("w", password=None, role=Role.GRID_WORKER, node=tree[GRID_A])
    mediator = make_user("m", password=None, role=Role.MEDIATOR, node=tree[STREET_A])
    for user in (worker, mediator):
        assert _client(user).get("/petitions/new/").status_code == 403
        assert _client(user).post("/petitions/new/", _form(GRID_A)).status_code == 403
        with pytest.raises(DomainError) as caught:
            from fengqiao.petitions import services

            services.register_petition(actor=user, grid=tree[GRID_A], data=data())
        assert caught.value.code == PetitionErrorCode.PETITION_GRID_OUTSIDE
    assert not Petition.objects.exists()


def test_a_handler_of_another_department_sees_no_petition(tree, register, centre_a):
    petition = register(centre_a)
    urban = Department.objects.create(node=tree[STREET_A], name="城管", code="A-U", kind=Department.Kind.URBAN)
    handler = make_user("h", password=None)
    Membership.objects.create(user=handler, node=tree[STREET_A], role=Role.HANDLER, department=urban)
    assert _client(handler).get("/petitions/").status_code == 403
    assert _client(handler).get(f"/petitions/{petition.tracking_code}/").status_code == 404


def test_a_forged_post_naming_a_grid_of_another_street_is_refused_and_writes_nothing(office_a):
    response = _client(office_a).post("/petitions/new/", _form(GRID_B))
    assert response.status_code == 200
    assert "不在您的辖区内" in response.content.decode()
    assert not Petition.objects.exists()


def test_a_forged_post_linking_an_event_of_another_area_is_refused_and_writes_nothing(tree, office_a, centre_b):
    from fengqiao.events import services as events
    from fengqiao.events.models import Source

    event = events.report_event(
        actor=None, source=Source.RESIDENT, description="路灯不亮", grid=tree[GRID_B], reporter_phone="13800000000"
    )
    response = _client(office_a).post("/petitions/new/", _form(GRID_A, links=event.tracking_code))
    assert response.status_code == 200
    assert f"关联的事件或纠纷“{event.tracking_code}”不存在或不在您的辖区内" in response.content.decode()
    assert not Petition.objects.exists()


def test_an_event_in_the_area_is_linked(tree, office_a):
    from fengqiao.events import services as events
    from fengqiao.events.models import Source

    event = events.report_event(
        actor=None, source=Source.RESIDENT, description="路灯不亮", grid=tree[GRID_A], reporter_phone="13800000000"
    )
    response = _client(office_a).post("/petitions/new/", _form(GRID_A, links=event.tracking_code.lower()))
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert [(link.kind, link.code) for link in petition.links.all()] == [("event", event.tracking_code)]
    page = _client(office_a).get(response["Location"]).content.decode()
    assert f"/events/{event.tracking_code}/" in page


def test_a_petition_office_registers_in_its_street(office_a):
    response = _client(office_a).post("/petitions/new/", _form(GRID_A))
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.grid_path.startswith("4101/410105/410105001/")
    assert petition.registered_by == office_a


def test_a_leader_sees_but_may_not_accept(register, centre_a, leader_a):
    petition = register(centre_a)
    page = _client(leader_a).get(f"/petitions/{petition.tracking_code}/")
    assert page.status_code == 200
    assert 'data-action="accept"' not in page.content.decode()
    _client(leader_a).post(f"/petitions/{petition.tracking_code}/act/accept/", {"note": ""})
    petition.refresh_from_db()
    assert petition.state == "registered"


def test_the_list_is_scoped(register, centre_a, centre_b):
    mine = register(centre_a)
    theirs = register(centre_b, grid=GRID_B)
    page = _client(centre_a).get("/petitions/").content.decode()
    assert mine.tracking_code in page and theirs.tracking_code not in page
