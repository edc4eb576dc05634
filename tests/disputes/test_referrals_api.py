"""Hand-ins through the API: a referring body posts with its own key and reference; its channel comes from the key,
the same reference is the same case, and it reaches neither another body's cases nor another area's grids."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client, override_settings

from fengqiao.disputes import referrals
from fengqiao.disputes.models import Dispute, Feedback, Source
from tests.disputes.referrals_support import URL, body, hand_in, make_referrer, post, to_confirming


@pytest.fixture
def court(tree, types):
    return make_referrer(tree)


def test_a_court_hands_a_case_in_under_its_own_reference(court):
    referrer, key = court
    response = post(key, body())
    assert response.status_code == 201, response.content
    out = response.json()
    dispute = Dispute.objects.get(tracking_code=out["tracking_code"])
    assert (dispute.source, dispute.source_ref, dispute.referrer) == (
        Source.COURT,
        "(2024)豫0105民诉前调101号",
        referrer,
    )
    assert dispute.grid.code == "410105001001001" and dispute.state == "submitted"
    assert out["source"] == "court" and out["source_ref"] == dispute.source_ref


def test_the_channel_comes_from_the_key_never_from_the_body(court):
    _referrer, key = court
    response = post(key, body(source="qr", referrer=999))
    assert response.status_code == 201
    assert Dispute.objects.get().source == Source.COURT


def test_the_same_reference_again_returns_the_same_case_and_enters_nothing(court):
    _referrer, key = court
    first = post(key, body())
    again = post(key, body(summary="重复推送同一案件，内容略有不同。"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert Dispute.objects.count() == 1


def test_two_tries_racing_on_one_reference_end_with_one_case(court, monkeypatch):
    referrer, _key = court
    first = hand_in(referrer, "R-race")
    # The other try got past the look-up before the first committed: the database's constraint decides.
    real = referrals._existing
    calls = []

    def late(referrer, ref):
        calls.append(ref)
        return None if len(calls) == 1 else real(referrer, ref)

    monkeypatch.setattr(referrals, "_existing", late)
    monkeypatch.setattr(referrals, "check_intake", lambda **kwargs: None)
    assert hand_in(referrer, "R-race") == first
    assert Dispute.objects.filter(source_ref="R-race").count() == 1


def test_an_integrity_error_that_is_not_the_reference_is_not_swallowed(court, monkeypatch):
    referrer, _key = court
    from fengqiao.disputes import services

    def broken(**kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(services, "submit_dispute", broken)
    with pytest.raises(IntegrityError):
        hand_in(referrer, "R-other")


def test_another_body_of_the_same_channel_cannot_reach_a_case_by_its_reference(court, tree):
    _referrer, key = court
    post(key, body(ref="SHARED-1"))
    _other, other_key = make_referrer(tree, name="金水区人民法院", node="410105")
    response = post(other_key, body(ref="SHARED-1"))
    assert response.status_code == 409
    assert response.json()["code"] == "ref_taken"
    assert Dispute.objects.get().tracking_code not in response.content.decode()
    assert Dispute.objects.count() == 1


def test_a_referrer_posting_into_another_areas_grid_is_refused_and_nothing_is_written(court):
    _referrer, key = court
    response = post(key, body(grid="410105002001001"))  # 乙街道: outside the 甲街道 court's area
    assert response.status_code == 404
    assert response.json()["code"] == "referrer_outside"
    assert "不在本单位辖区" in response.json()["detail"]
    assert not Dispute.objects.exists()


def test_a_position_outside_the_referrers_area_is_refused(court):
    _referrer, key = court
    response = post(key, body(grid="", lon=113.6 + 0.015, lat=34.7 + 0.005))
    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_an_unknown_type_is_a_clear_error(court):
    _referrer, key = court
    response = post(key, body(type="nonesuch"))
    assert response.status_code == 400
    assert response.json()["code"] == "type_required"


@pytest.mark.parametrize("key", ["", "fqr_wrong"])
def test_no_key_or_a_wrong_key_is_refused(court, key):
    response = post(key, body()) if key else Client().post(URL, body(), content_type="application/json")
    assert response.status_code == 401
    assert not Dispute.objects.exists()


def test_an_inactive_referrer_is_refused(court):
    referrer, key = court
    referrer.active = False
    referrer.save()
    assert post(key, body()).status_code == 401


def test_a_new_key_replaces_the_old_one(court):
    referrer, old = court
    new = referrals.issue_api_key(actor=None, referrer=referrer)
    assert post(old, body()).status_code == 401
    assert post(new, body()).status_code == 201
    referrer.refresh_from_db()
    assert new not in referrer.api_key_index  # only the digest is kept


def test_a_signed_in_session_cannot_hand_in(court, dispatcher):
    client = Client()
    client.force_login(dispatcher)
    response = client.post(URL, body(), content_type="application/json")
    assert response.status_code == 401
    assert not Dispute.objects.exists()


@override_settings(FENGQIAO_RATE_API="2/m")
def test_hand_ins_are_rate_limited_per_referrer(court):
    _referrer, key = court
    assert post(key, body(ref="A")).status_code == 201
    assert post(key, body(ref="B")).status_code == 201
    response = post(key, body(ref="C"))
    assert response.status_code == 429
    assert Dispute.objects.count() == 2


def test_the_court_sends_back_its_confirmation_outcome(court, centre_a, mediation):
    referrer, key = court
    dispute = hand_in(referrer, "R-conf")
    to_confirming(dispute, centre_a, mediation["neighbour_expert"])
    response = post(key, {"outcome": "裁定调解协议有效"}, url=f"{URL}/R-conf/confirmation")
    assert response.status_code == 200, response.content
    dispute.refresh_from_db()
    assert dispute.state == "resolved" and dispute.confirmation_outcome == "裁定调解协议有效"
    assert set(Feedback.objects.filter(dispute=dispute).values_list("event", flat=True)) == {"resolved", "confirmed"}


def test_a_court_cannot_send_an_outcome_for_another_bodys_case(court, tree, centre_a, mediation):
    referrer, _key = court
    dispute = hand_in(referrer, "R-theirs")
    to_confirming(dispute, centre_a, mediation["neighbour_expert"])
    _other, other_key = make_referrer(tree, name="金水区人民法院", node="410105")
    response = post(other_key, {"outcome": "驳回"}, url=f"{URL}/R-theirs/confirmation")
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == "confirming" and not dispute.confirmation_outcome


def test_a_body_that_is_not_a_court_cannot_send_a_confirmation(tree, types, centre_a, mediation):
    police, key = make_referrer(tree, name="甲街道派出所", source=Source.POLICE)
    dispute = hand_in(police, "JQ-1")
    to_confirming(dispute, centre_a, mediation["neighbour_expert"])
    assert post(key, {"outcome": "有效"}, url=f"{URL}/JQ-1/confirmation").status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == "confirming"


def test_a_confirmation_before_the_case_asks_for_one_is_refused(court, mediation):
    referrer, key = court
    hand_in(referrer, "R-early")
    response = post(key, {"outcome": "有效"}, url=f"{URL}/R-early/confirmation")
    assert response.status_code == 409
