"""A household visit names a person of the base data by reference: only one the worker may see, shown masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.dispatch import services
from fengqiao.dispatch.errors import DispatchErrorCode
from fengqiao.dispatch.models import Visit
from fengqiao.people import pii_duties
from fengqiao.people import services as people
from tests.people.base_kit import GRID_A, GRID_B, base, id_number  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(base):  # noqa: F811
    a = people.register_person(
        actor=base["worker_a"],
        grid=base["tree"][GRID_A],
        name="张三丰",
        id_number=id_number(11),
        room=base["room_a"],
        relation="resident",
    ).person
    b = people.register_person(
        actor=base["worker_b"],
        grid=base["tree"][GRID_B],
        name="李四光",
        id_number=id_number(12),
        room=base["room_b"],
        relation="resident",
    ).person
    return {**base, "a": a, "b": b}


def test_a_visit_names_a_person_of_the_workers_grid_masked_with_where_they_live(residents):
    visit = services.record_visit(
        actor=residents["worker_a"], address="", note="了解近况", person_ref=f"P{residents['a'].pk}"
    )
    assert visit.person_ref == f"P{residents['a'].pk}"
    assert visit.person_name == "张**"
    assert visit.address == "甲一1号楼1单元101"


@pytest.mark.parametrize("ref", ["b", "P", "P12x", "X1", "P-1", "P99999999"])
def test_a_person_of_another_grid_or_a_forged_reference_is_refused_and_nothing_written(residents, ref):
    forged = f"P{residents['b'].pk}" if ref == "b" else ref
    with pytest.raises(DomainError) as refused:
        services.record_visit(actor=residents["worker_a"], address="某地", note="走访", person_ref=forged)
    assert refused.value.code == DispatchErrorCode.VISIT_PERSON_UNKNOWN
    assert not Visit.objects.exists()
    assert not Action.objects.filter(verb="record_visit").exists()


def test_an_erased_person_can_no_longer_be_named(residents):
    pii_duties.erase_person(actor=residents["dispatcher_a"], person=residents["a"], reason="本人书面申请")
    with pytest.raises(DomainError):
        services.record_visit(
            actor=residents["worker_a"], address="某地", note="走访", person_ref=f"P{residents['a'].pk}"
        )


def test_the_visit_form_started_from_a_person_names_them_and_leaks_nothing_of_another_grid(client, residents):
    client.force_login(residents["worker_a"])
    page = client.get(reverse("dispatch:work") + f"?person=P{residents['a'].pk}").content.decode()
    assert "张**" in page and "甲一1号楼1单元101" in page and "张三丰" not in page
    other = client.get(reverse("dispatch:work") + f"?person=P{residents['b'].pk}").content.decode()
    assert "李*" not in other and "乙一1号楼" not in other


def test_the_person_page_offers_the_visit_to_the_grids_worker_only(client, residents):
    url = reverse("people:person", args=[residents["a"].pk])
    visit_link = reverse("dispatch:work") + f"?person=P{residents['a'].pk}"
    client.force_login(residents["worker_a"])
    assert visit_link in client.get(url).content.decode()
    client.force_login(residents["dispatcher_a"])
    page = client.get(url)
    assert page.status_code == 200 and visit_link not in page.content.decode()
