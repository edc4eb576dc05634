"""Personal-information duties: declared purposes, scoped lookup, export and erasure by the centre, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.core import links
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.people import pii_duties, selectors, services
from fengqiao.people.models import KeyCategory, KeyPerson, Person
from tests.people.base_kit import GRID_A, id_number


def _person(base, serial=1, **extra):
    return services.register_person(
        actor=base["worker_a"],
        grid=base["tree"][GRID_A],
        name="张三",
        id_number=id_number(serial),
        phone="13800138000",
        room=base["room_a"],
        relation="resident",
        **extra,
    ).person


@pytest.fixture
def open_case():
    """A registered case provider that says the person is named in one open case."""
    saved = links._reset_for_tests()
    links.register("fake", cases=lambda i, a: [links.CaseLink("纠纷 X", "/x/", True)], open_count=lambda i: 1)
    yield
    links._reset_for_tests(saved)


def test_every_encrypted_personal_field_has_a_declared_purpose(db):
    declared = {(d.model, d.field) for d in pii_duties.DUTIES}
    assert pii_duties.encrypted_fields() <= declared


def test_lookup_by_id_is_scoped_and_logged(base):
    p = _person(base)
    assert selectors.find_person(actor=base["worker_b"], id_number=id_number(1)) is None
    assert selectors.find_person(actor=base["mediator"], id_number=id_number(1)) is None
    assert selectors.find_person(actor=base["dispatcher"], id_number=id_number(1)).pk == p.pk
    rows = Action.objects.filter(verb="people_lookup")
    assert rows.count() == 3 and sorted(r.data["found"] for r in rows) == [False, False, True]


def test_a_worker_of_another_grid_cannot_export_or_erase(base):
    p = _person(base)
    for actor in (base["worker_a"], base["worker_b"], base["mediator"]):
        with pytest.raises(OutsideJurisdiction):
            pii_duties.export_person(actor=actor, person=p, reason="本人书面申请")
        with pytest.raises(OutsideJurisdiction):
            pii_duties.erase_person(actor=actor, person=p, reason="本人书面申请")
    assert not Action.objects.filter(verb__in=["people_exported", "people_erased"]).exists()


def test_export_needs_a_reason_and_is_logged(base):
    p = _person(base)
    with pytest.raises(DomainError, match="办理依据"):
        pii_duties.export_person(actor=base["dispatcher_a"], person=p, reason=" ")
    data = pii_duties.export_person(actor=base["dispatcher_a"], person=p, reason="本人书面申请 2025-01")
    assert data["person"]["id_number"] == id_number(1) and data["residences"][0]["relation"] == "居住"
    row = Action.objects.get(verb="people_exported")
    assert row.data["reason"] == "本人书面申请 2025-01" and id_number(1) not in str(row.data)


def test_erasure_is_irreversible_and_keeps_the_residences_without_identity(base):
    p = _person(base)
    category = KeyCategory.objects.create(code="x1", name="测试类别")
    KeyPerson.objects.create(person=p, category=category, grid=p.grid, note="情况说明")
    pii_duties.erase_person(actor=base["dispatcher_a"], person=p, reason="本人书面申请")
    p = Person.objects.get(pk=p.pk)
    assert (p.name, p.id_number, p.phone, p.id_index, p.phone_index) == ("已删除", "", "", "", "")
    assert p.erased_at is not None and p.residences.count() == 1
    key = KeyPerson.objects.get(person=p)
    assert key.state == "ended" and key.note == ""
    assert Action.objects.filter(verb="people_erased", object_id=str(p.pk)).exists()
    # Irreversible: no one can put identity back, and the old ID finds nobody.
    with pytest.raises(DomainError, match="已依申请删除"):
        services.edit_person(actor=base["worker_a"], person=p, name="张三")
    with pytest.raises(DomainError, match="无需重复"):
        pii_duties.erase_person(actor=base["dispatcher_a"], person=p, reason="本人书面申请")
    assert selectors.find_person(actor=base["dispatcher"], id_number=id_number(1)) is None


def test_erasure_is_refused_while_an_open_case_names_the_person(base, open_case):
    p = _person(base)
    with pytest.raises(DomainError, match="未办结案件"):
        pii_duties.erase_person(actor=base["dispatcher_a"], person=p, reason="本人书面申请")
    assert Person.objects.get(pk=p.pk).erased_at is None


def test_erasure_is_refused_while_a_real_open_dispute_names_the_person(base):
    from fengqiao.disputes import services as disputes
    from fengqiao.disputes.catalogue import load_catalogue
    from fengqiao.disputes.models import DisputeType, Party

    load_catalogue()
    p = _person(base)
    case = disputes.submit_dispute(
        actor=None,
        source="qr",
        type=DisputeType.objects.get(code="neighbours"),
        summary="楼上邻居装修噪音扰民，多次沟通无果。",
        parties=[
            disputes.PartyData(role=Party.Role.APPLICANT, name="张三", phone="13800138000", id_number=id_number(1)),
            disputes.PartyData(role=Party.Role.RESPONDENT, name="李四", phone="13912345678"),
        ],
        grid=base["tree"]["410105001001"],
    )
    assert [c.url for c in selectors.cases_of(actor=base["dispatcher_a"], person=p)] == [
        f"/disputes/{case.tracking_code}/"
    ]
    assert selectors.cases_of(actor=base["worker_b"], person=p) == []
    with pytest.raises(DomainError, match="未办结案件"):
        pii_duties.erase_person(actor=base["dispatcher_a"], person=p, reason="本人书面申请")


def test_retention_anonymises_only_those_kept_for_an_ended_key_record_past_its_period(base):
    category = KeyCategory.objects.create(code="x2", name="测试类别", retention_days=30)
    now = timezone.now()
    gone = _person(base, 1)
    still_living = _person(base, 2)
    recent = _person(base, 3)
    for p, ended in ((gone, now - dt.timedelta(days=31)), (still_living, now - dt.timedelta(days=31))):
        KeyPerson.objects.create(person=p, category=category, grid=p.grid, state="ended", ended_at=ended, note="x")
    KeyPerson.objects.create(
        person=recent, category=category, grid=recent.grid, state="ended", ended_at=now - dt.timedelta(days=5)
    )
    services.end_residence(actor=base["worker_a"], residence=gone.residences.get())
    services.end_residence(actor=base["worker_a"], residence=recent.residences.get())
    assert pii_duties.run_retention(now=now) == 1
    assert Person.objects.get(pk=gone.pk).erased_at is not None
    assert Person.objects.get(pk=still_living.pk).erased_at is None
    assert Person.objects.get(pk=recent.pk).erased_at is None
    assert Action.objects.filter(verb="people_retention_anonymised", object_id=str(gone.pk)).exists()
    assert pii_duties.run_retention(now=now) == 0  # idempotent
