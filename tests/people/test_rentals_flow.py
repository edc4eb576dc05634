"""Rentals and tenants: who may register, verify and end; what the public form refuses; the tenant's status page;
the gate API. Each rule with the attempt that tries to break it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, NotFound, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.people import rentals
from fengqiao.people.models import Credential, Passage, Person, Tenancy
from tests.factories import make_user
from tests.people.rentals_kit import form, id_number, let, make_room

pytestmark = pytest.mark.django_db
GRID_A = "410105001001001"
GATE = "/api/v1/people/gate/check"


@pytest.fixture
def room(tree):
    return make_room(tree[GRID_A])


@pytest.fixture
def rental(room, worker_a):
    return let(worker_a, room)


@pytest.fixture
def submitted(rental):
    tenancy, secret = rentals.register_tenant(room_code=rental.room.code, data=form())
    return tenancy, secret


@pytest.fixture
def gates(tree):
    leader = make_user("security", role=Role.SECURITY_ADMIN, node=tree["410105"], password=None)
    own, own_key = rentals.register_gate(actor=leader, grid=tree["410105001001"], name="甲社区东门")
    other, other_key = rentals.register_gate(actor=leader, grid=tree["410105002001"], name="乙社区北门")
    return {"own": own, "own_key": own_key, "other": other, "other_key": other_key, "security": leader}


def gate_post(key, code, direction="in"):
    return Client().post(
        GATE, {"code": code, "direction": direction}, content_type="application/json", HTTP_X_API_KEY=key
    )


# Registering a letting.


def test_a_worker_of_another_grid_cannot_register_a_letting(room, worker_b):
    with pytest.raises(OutsideJurisdiction):
        let(worker_b, room)


def test_an_informant_cannot_register_a_letting(room, tree):
    informant = make_user("informant", role=Role.INFORMANT, node=tree[GRID_A], password=None)
    with pytest.raises(OutsideJurisdiction):
        let(informant, room)


def test_a_room_is_let_once_at_a_time(rental, worker_a):
    with pytest.raises(DomainError, match="已登记为出租"):
        let(worker_a, rental.room)


def test_the_landlord_is_one_person_found_by_id_number(rental, worker_a, tree):
    second = make_room(tree[GRID_A], code="R-A1-102", number="102")
    other = let(worker_a, second)
    assert other.landlord_id == rental.landlord_id
    assert Person.objects.filter(id_index=rental.landlord.id_index).count() == 1


# The public form.


def test_a_room_not_let_is_refused_in_chinese(room):
    with pytest.raises(DomainError, match="未登记出租或已停租"):
        rentals.register_tenant(room_code=room.code, data=form())


def test_an_ended_letting_is_refused(rental, worker_a):
    rentals.end_rental(actor=worker_a, rental=rental)
    with pytest.raises(DomainError, match="未登记出租或已停租"):
        rentals.register_tenant(room_code=rental.room.code, data=form())


def test_a_full_letting_is_refused(room, worker_a):
    rental = let(worker_a, room, max_tenants=1)
    first, _ = rentals.register_tenant(room_code=room.code, data=form(2))
    rentals.verify_tenancy(actor=worker_a, tenancy=first)
    with pytest.raises(DomainError, match="已达到核定人数"):
        rentals.register_tenant(room_code=room.code, data=form(3))
    assert rental.tenancies.count() == 1


def test_verifying_past_the_limit_is_refused(room, worker_a):
    let(worker_a, room, max_tenants=1)
    first, _ = rentals.register_tenant(room_code=room.code, data=form(2))
    second, _ = rentals.register_tenant(room_code=room.code, data=form(3))
    rentals.verify_tenancy(actor=worker_a, tenancy=first)
    with pytest.raises(DomainError, match="核定人数"):
        rentals.verify_tenancy(actor=worker_a, tenancy=second)


def test_consent_is_required(rental):
    data = form()
    data = rentals.TenantForm(**{**data.__dict__, "consent": False})
    with pytest.raises(DomainError, match="同意"):
        rentals.register_tenant(room_code=rental.room.code, data=data)


def test_a_wrong_check_digit_is_refused(rental):
    good = id_number(2)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = rentals.TenantForm(
        name="刘租客", id_number=bad, phone="13900000002", move_in=timezone.localdate(), consent=True
    )
    with pytest.raises(DomainError, match="校验码"):
        rentals.register_tenant(room_code=rental.room.code, data=data)


def test_the_form_answers_alike_for_a_known_and_a_new_person(rental):
    client = Client()
    url = reverse("people:tenant_form", args=[rental.room.code])
    post = {
        "name": "刘租客",
        "id_number": id_number(2),
        "phone": "13900000002",
        "move_in": timezone.localdate().isoformat(),
        "consent": "on",
    }
    first = client.post(url, post)
    second = client.post(url, {**post, "name": "冒名者"})
    assert first.status_code == second.status_code == 302
    assert first["Location"].split("k=")[0] == second["Location"].split("k=")[0]
    assert (
        Person.objects.filter(
            id_index=Person(id_number=id_number(2)).id_index or rentals._id_index(id_number(2))
        ).count()
        == 1
    )
    # The name on record is not changed by someone typing the same ID number.
    assert Person.objects.get(id_index=rentals._id_index(id_number(2))).name == "刘租客"


def test_the_public_form_is_noindex_and_shows_the_purpose(rental):
    response = Client().get(reverse("people:tenant_form", args=[rental.room.code]))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "个人信息处理说明" in response.content.decode()


def test_an_unknown_room_code_answers_404_with_words(db):
    response = Client().get(reverse("people:tenant_form", args=["NOPE"]))
    assert response.status_code == 404
    assert "未登记出租或已停租" in response.content.decode()


# Verification by the grid's own worker.


def test_a_worker_of_another_grid_cannot_verify(submitted, worker_b):
    tenancy, _ = submitted
    with pytest.raises(OutsideJurisdiction):
        rentals.verify_tenancy(actor=worker_b, tenancy=tenancy)
    with pytest.raises(NotFound):
        rentals.tenancy_for(actor=worker_b, pk=tenancy.pk)


def test_an_informant_of_the_grid_cannot_verify(submitted, tree):
    tenancy, _ = submitted
    informant = make_user("informant", role=Role.INFORMANT, node=tree[GRID_A], password=None)
    with pytest.raises(OutsideJurisdiction):
        rentals.verify_tenancy(actor=informant, tenancy=tenancy)


def test_a_forged_tenancy_id_on_the_page_answers_404(submitted, worker_b, worker_a):
    tenancy, _ = submitted
    client = Client()
    client.force_login(worker_b)
    assert client.post(reverse("people:tenancy_act", args=[tenancy.pk, "verify"])).status_code == 404
    assert client.get(reverse("people:tenancy_detail", args=[tenancy.pk])).status_code == 404
    assert client.post(reverse("people:tenancy_act", args=[999999, "verify"])).status_code == 404
    tenancy.refresh_from_db()
    assert tenancy.state == Tenancy.State.SUBMITTED
    assert not Credential.objects.exists()


def test_an_informant_is_refused_the_pages(submitted, tree):
    tenancy, _ = submitted
    informant = make_user("informant", role=Role.INFORMANT, node=tree[GRID_A])
    client = Client()
    client.force_login(informant)
    assert client.post(reverse("people:tenancy_act", args=[tenancy.pk, "verify"])).status_code == 403
    assert client.get(reverse("people:rental_list")).status_code == 403


def test_verifying_twice_is_refused_and_issues_one_credential(submitted, worker_a):
    tenancy, _ = submitted
    rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    with pytest.raises(DomainError):
        rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    assert Credential.objects.filter(tenancy=tenancy).count() == 1


def test_verify_and_reject_are_audited(rental, worker_a):
    one, _ = rentals.register_tenant(room_code=rental.room.code, data=form(2))
    two, _ = rentals.register_tenant(room_code=rental.room.code, data=form(3))
    rentals.verify_tenancy(actor=worker_a, tenancy=one)
    with pytest.raises(DomainError, match="原因"):
        rentals.reject_tenancy(actor=worker_a, tenancy=two, reason=" ")
    rentals.reject_tenancy(actor=worker_a, tenancy=two, reason="身份证与本人不符")
    verbs = set(Action.objects.filter(actor=worker_a).values_list("verb", flat=True))
    assert {"tenant_verify", "credential_issue", "tenant_reject"} <= verbs
    assert not Action.objects.filter(note__contains=id_number(2)).exists()


# The tenant's status page and the gate.


def status(client, secret):
    return client.get(reverse("people:tenant_status"), {"k": secret})


def test_the_status_page_shows_waiting_then_the_group_qr_and_the_code_once(submitted, worker_a, gates):
    tenancy, secret = submitted
    client = Client()
    page = status(client, secret).content.decode()
    assert "待核验" in page and 'id="group-qr"' not in page

    rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    page = status(client, secret).content.decode()
    assert 'id="group-qr"' in page and "<svg" in page
    assert 'id="door-claim"' in page
    # An uncollected credential opens nothing.
    assert gate_post(gates["own_key"], "pending").json() == {"allowed": False, "credential": None}

    claimed = client.post(reverse("people:tenant_status"), {"k": secret}).content.decode()
    code = re.search(r'data-code="([0-9a-f]{32})"', claimed).group(1)
    assert code not in status(client, secret).content.decode()  # shown once
    assert Credential.objects.get(tenancy=tenancy).token_index != code

    answer = gate_post(gates["own_key"], " ".join([code[:16], code[16:]]).upper())
    assert answer.status_code == 200 and answer.json()["allowed"] is True
    credential = Credential.objects.get(tenancy=tenancy)
    assert credential.last_seen_at is not None
    assert Passage.objects.filter(credential=credential, gate=gates["own"], direction="in").count() == 1


def test_collecting_again_voids_the_previous_code(submitted, worker_a, gates):
    tenancy, _secret = submitted
    rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    first = rentals.claim_credential(tenancy=tenancy)
    second = rentals.claim_credential(tenancy=tenancy)
    assert gate_post(gates["own_key"], first).json()["allowed"] is False
    assert gate_post(gates["own_key"], second).json()["allowed"] is True


def test_a_wrong_secret_shows_nothing(submitted):
    response = status(Client(), "0" * 32)
    assert response.status_code == 404
    assert "刘" not in response.content.decode()


def test_a_rejected_tenant_reads_the_reason(submitted, worker_a):
    tenancy, secret = submitted
    rentals.reject_tenancy(actor=worker_a, tenancy=tenancy, reason="请携带身份证原件到社区")
    assert "请携带身份证原件到社区" in status(Client(), secret).content.decode()


def test_a_gate_of_another_community_does_not_open_for_the_code(submitted, worker_a, gates):
    tenancy, _ = submitted
    rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    code = rentals.claim_credential(tenancy=tenancy)
    assert gate_post(gates["other_key"], code).json() == {"allowed": False, "credential": None}
    assert not Passage.objects.exists()


def test_a_wrong_or_missing_gate_key_is_refused(submitted):
    assert gate_post("fqg_forged", "abc").status_code == 401
    assert Client().post(GATE, {"code": "abc", "direction": "in"}, content_type="application/json").status_code == 401


def test_a_bad_direction_is_refused_by_the_schema(gates):
    assert gate_post(gates["own_key"], "abc", direction="sideways").status_code == 422


def test_ending_the_tenancy_revokes_the_credential_at_once(submitted, worker_a, gates):
    tenancy, _ = submitted
    rentals.verify_tenancy(actor=worker_a, tenancy=tenancy)
    code = rentals.claim_credential(tenancy=tenancy)
    rentals.end_tenancy(actor=worker_a, tenancy=tenancy)
    assert gate_post(gates["own_key"], code).json()["allowed"] is False
    credential = Credential.objects.get(tenancy=tenancy)
    assert credential.revoke_reason == "ended"

    since = (credential.revoked_at - dt.timedelta(seconds=1)).isoformat()
    own = Client().get("/api/v1/people/gate/revocations", {"since": since}, HTTP_X_API_KEY=gates["own_key"])
    assert [r["credential"] for r in own.json()] == [credential.pk]
    other = Client().get("/api/v1/people/gate/revocations", {"since": since}, HTTP_X_API_KEY=gates["other_key"])
    assert other.json() == []


def test_only_the_areas_security_administrator_registers_gates_and_keys(tree, worker_a, dispatcher, gates):
    for actor in (worker_a, dispatcher):
        with pytest.raises(OutsideJurisdiction):
            rentals.register_gate(actor=actor, grid=tree["410105001001"], name="私设门禁")
    street_b = make_user("security_b", role=Role.SECURITY_ADMIN, node=tree["410105002"], password=None)
    with pytest.raises(OutsideJurisdiction):
        rentals.issue_gate_key(actor=street_b, gate=gates["own"])


def test_a_new_key_voids_the_old_one(gates):
    security = gates["security"]
    key = rentals.issue_gate_key(actor=security, gate=gates["own"])
    assert gate_post(gates["own_key"], "abc").status_code == 401
    assert gate_post(key, "abc").status_code == 200
    assert Action.objects.filter(verb="gate_key", actor=security).exists()


def test_the_worker_home_counts_the_tenants_to_verify(submitted, worker_a, worker_b):
    from fengqiao.grids.home import todos_for

    mine = [t for t in todos_for(worker_a) if t.url == reverse("people:tenancy_queue")]
    assert [t.count for t in mine] == [1]
    assert not [t for t in todos_for(worker_b) if t.url == reverse("people:tenancy_queue")]


def test_wrong_secrets_on_the_status_page_are_rate_limited(submitted, settings):
    settings.FENGQIAO_RATE_SECRET = "3/h"
    _tenancy, secret = submitted
    stranger = Client()
    codes = [status(stranger, f"{i:032x}").status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429
    # Even the right secret waits once the guesser is locked out.
    assert status(stranger, secret).status_code == 429


def test_the_worker_rejects_from_the_phone_page_and_the_tenant_reads_why(submitted, worker_a):
    tenancy, secret = submitted
    client = Client()
    client.force_login(worker_a)
    page = client.get(reverse("people:tenancy_detail", args=[tenancy.pk])).content.decode()
    assert id_number(2) not in page and "13900000002" not in page  # masked on the worker's page too
    client.post(reverse("people:tenancy_act", args=[tenancy.pk, "reject"]), {"reason": "房东不认可此租户"})
    tenancy.refresh_from_db()
    assert tenancy.state == Tenancy.State.REJECTED
    assert "房东不认可此租户" in status(Client(), secret).content.decode()


def test_the_worker_registers_a_letting_and_prints_its_card(room, worker_a):
    client = Client()
    client.force_login(worker_a)
    response = client.post(
        reverse("people:rental_new"),
        {
            "room": room.pk,
            "landlord_name": "王房东",
            "landlord_id_number": id_number(1, "19700101"),
            "landlord_phone": "13800000001",
            "max_tenants": 3,
            "group_link": "https://work.weixin.qq.com/g/abc",
        },
    )
    assert response.status_code == 302
    card = client.get(response["Location"]).content.decode()
    assert f"/people/q/{room.code}/" in card and "<svg" in card


def test_a_worker_of_another_grid_cannot_open_the_card(rental, worker_b):
    client = Client()
    client.force_login(worker_b)
    assert client.get(reverse("people:rental_card", args=[rental.pk])).status_code == 404
    assert client.post(reverse("people:rental_end", args=[rental.pk])).status_code == 404
