"""The pages: anonymous visitors reach only registration, the ranking and their own page; forged posts and codes of
another community answer like missing ones; the ranking shows no full name or phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.participation import services
from fengqiao.participation.models import Entry, Participant, Redemption

pytestmark = pytest.mark.django_db


def test_a_resident_registers_by_the_community_qr_and_gets_a_personal_code(client, scheme_a):
    url = reverse("participation:register", args=[scheme_a.token])
    page = client.get(url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    refused = client.post(url, {"name": "王小明", "phone": "13800138000", "kind": "resident"})
    assert refused.status_code == 200 and not Participant.objects.exists()
    assert "请阅读并勾选同意" in refused.content.decode()
    done = client.post(url, {"name": "王小明", "phone": "13800138000", "kind": "party_member", "consent": "on"})
    assert done.status_code == 200 and "<svg" in done.content.decode()
    participant = Participant.objects.get()
    assert participant.kind == Participant.Kind.PARTY_MEMBER
    code = done.context["code"]
    me = client.get(reverse("participation:me"), {"k": code})
    assert me.status_code == 200 and me.context["p"] == participant
    assert "no-store" in me["Cache-Control"]


def test_an_unknown_community_token_is_missing(client, scheme_a):
    assert client.get(reverse("participation:register", args=["nope"])).status_code == 404
    assert client.get(reverse("participation:ranking", args=["nope"])).status_code == 404


def test_wrong_personal_codes_are_rate_limited(client, settings, resident_a):
    settings.FENGQIAO_RATE_SECRET = "3/h"
    _participant, code = resident_a
    for _ in range(3):
        assert client.get(reverse("participation:me"), {"k": "0" * 32}).status_code == 404
    assert client.get(reverse("participation:me"), {"k": code}).status_code == 429


def test_the_ranking_masks_names_and_shows_no_phone(client, worker_a, resident_a, patrol_a, scheme_a):
    participant, _code = resident_a
    services.award(actor=worker_a, participant=participant, rule=patrol_a)
    page = client.get(reverse("participation:ranking", args=[scheme_a.token]))
    body = page.content.decode()
    assert page.status_code == 200 and "王**" in body
    assert "王小明" not in body and "13800138000" not in body and "138****8000" not in body


@pytest.mark.parametrize("name", ["index", "community", "participant", "shop", "manage", "award", "reverse"])
def test_anonymous_visitors_reach_no_staff_page(client, tree, name, resident_a, patrol_a, worker_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    args = {
        "index": [],
        "community": ["410105001001"],
        "participant": ["410105001001", participant.pk],
        "shop": ["410105001001"],
        "manage": ["410105001001"],
        "award": ["410105001001"],
        "reverse": [entry.pk],
    }[name]
    url = reverse(f"participation:{name}", args=args)
    response = client.post(url) if name in ("award", "reverse") else client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_confirmer_of_another_community_gets_404_and_nothing_is_written(client, worker_b, resident_a, patrol_a):
    participant, _code = resident_a
    client.force_login(worker_b)
    url = reverse("participation:award", args=["410105001001"])
    assert client.post(url, {"participant": participant.pk, "rule": patrol_a.pk}).status_code == 404
    own = reverse("participation:award", args=["410105002001"])
    assert client.post(own, {"participant": participant.pk, "rule": patrol_a.pk}).status_code == 404
    assert not Entry.objects.exists()


def test_a_forged_rule_of_another_community_in_the_post_is_refused(client, worker_a, resident_a, patrol_b):
    participant, _code = resident_a
    client.force_login(worker_a)
    url = reverse("participation:award", args=["410105001001"])
    assert client.post(url, {"participant": participant.pk, "rule": patrol_b.pk}).status_code == 404
    assert not Entry.objects.exists()


def test_a_worker_awards_and_reverses_once_from_the_pages(client, worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    client.force_login(worker_a)
    url = reverse("participation:award", args=["410105001001"])
    assert client.post(url, {"participant": participant.pk, "rule": patrol_a.pk, "note": "巡逻"}).status_code == 302
    entry = Entry.objects.get()
    reverse_url = reverse("participation:reverse", args=[entry.pk])
    assert client.post(reverse_url, {"reason": "记错了"}).status_code == 302
    again = client.post(reverse_url, {"reason": "再来一次"}, follow=True)
    assert "已经冲正过" in again.content.decode()
    assert Entry.objects.count() == 2
    participant.refresh_from_db()
    assert participant.balance == 0


def test_a_worker_of_another_community_cannot_reverse_from_the_page(client, worker_a, worker_b, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    client.force_login(worker_b)
    assert client.post(reverse("participation:reverse", args=[entry.pk]), {"reason": "x"}).status_code == 404
    assert Entry.objects.count() == 1


def test_the_shop_redeems_by_code_or_scanned_link(client, worker_a, centre_a, scheme_a, resident_a, patrol_a):
    participant, code = resident_a
    services.award(actor=worker_a, participant=participant, rule=patrol_a)
    rice = services.add_item(actor=centre_a, scheme=scheme_a, name="大米", price=4, stock=5)
    client.force_login(worker_a)
    url = reverse("participation:shop", args=["410105001001"])
    assert client.post(url, {"code": code, "item": rice.pk, "quantity": 1}).status_code == 302
    link = f"http://testserver/participation/me/?k={code}"
    assert client.post(url, {"code": link, "item": rice.pk, "quantity": 1}).status_code == 302
    participant.refresh_from_db()
    assert participant.balance == 2 and Redemption.objects.count() == 2


def test_the_shop_answers_another_communitys_code_like_an_unknown_one(
    client, worker_a, centre_a, scheme_a, resident_a, resident_b, patrol_a
):
    rice = services.add_item(actor=centre_a, scheme=scheme_a, name="大米", price=1, stock=5)
    _other, other_code = resident_b
    client.force_login(worker_a)
    url = reverse("participation:shop", args=["410105001001"])
    foreign = client.post(url, {"code": other_code, "item": rice.pk, "quantity": 1})
    unknown = client.post(url, {"code": "f" * 32, "item": rice.pk, "quantity": 1})
    assert foreign.status_code == unknown.status_code == 200
    assert foreign.context["form"].errors == unknown.context["form"].errors
    assert not Redemption.objects.exists()


def test_the_centre_manages_rules_and_items_and_a_worker_may_not(client, worker_a, centre_a, tree):
    client.force_login(centre_a)
    url = reverse("participation:manage", args=["410105001001"])
    assert client.post(url, {"action": "open"}).status_code == 302
    assert client.post(url, {"action": "item", "name": "毛巾", "price": 5, "stock": 10}).status_code == 302
    page = client.get(url)
    assert page.status_code == 200 and "毛巾" in page.content.decode() and "<svg" in page.content.decode()
    client.force_login(worker_a)
    assert client.get(url).status_code == 403
    assert client.get(reverse("participation:manage", args=["410105002001"])).status_code == 403
    assert client.get(reverse("participation:community", args=["410105001001"])).status_code == 200
    assert client.get(reverse("participation:community", args=["410105002001"])).status_code == 404


def test_the_centre_reissues_a_lost_code_and_the_old_one_stops_working(client, centre_a, worker_a, resident_a):
    participant, old = resident_a
    url = reverse("participation:reissue", args=["410105001001", participant.pk])
    client.force_login(worker_a)
    assert client.post(url).status_code == 403
    client.force_login(centre_a)
    answer = client.post(url)
    assert answer.status_code == 200 and answer["Referrer-Policy"] == "same-origin"
    new = answer.context["code"]
    client.logout()
    assert client.get(reverse("participation:me"), {"k": old}).status_code == 404
    assert client.get(reverse("participation:me"), {"k": new}).status_code == 200


def test_another_centre_cannot_reissue(client, centre_b, resident_a):
    participant, code = resident_a
    client.force_login(centre_b)
    assert client.post(reverse("participation:reissue", args=["410105001001", participant.pk])).status_code == 404
    assert client.get(reverse("participation:me"), {"k": code}).status_code == 200
