"""A dispute's tracking code shows progress; only the applicant's private secret may withdraw the request."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.core.errors import WorkflowError
from fengqiao.disputes import services
from fengqiao.disputes.models import Dispute
from tests.disputes.conftest import file_dispute
from tests.disputes.test_views import intake_post


def apply(types) -> tuple[Client, str, Dispute]:
    applicant = Client()
    response = applicant.post(reverse("disputes:apply", args=["410105001001"]), intake_post(types))
    assert response.status_code == 302
    return applicant, response["Location"], Dispute.objects.get()


def secret_of(location: str) -> str:
    assert "k=" in location, location
    return location.split("k=")[1].split("&")[0]


def test_the_tracking_code_alone_cannot_withdraw(tree, types, mediation):
    _, _, dispute = apply(types)
    other_party = Client()
    url = reverse("disputes:track", args=[dispute.tracking_code])
    page = other_party.get(url).content.decode()
    assert "撤回" not in page and 'name="reason"' not in page
    other_party.post(url, {"reason": "我替他撤了"})
    other_party.post(url + "?k=guess", {"reason": "我替他撤了", "k": "guess"})
    dispute.refresh_from_db()
    assert dispute.state == "submitted"


def test_the_applicants_private_link_withdraws(tree, types, mediation):
    applicant, location, dispute = apply(types)
    page = applicant.get(location).content.decode()
    assert 'name="reason"' in page
    secret = secret_of(location)
    Client().post(reverse("disputes:track", args=[dispute.tracking_code]), {"reason": "已自行和解", "k": secret})
    dispute.refresh_from_db()
    assert dispute.state == "withdrawn"


def test_the_service_refuses_an_anonymous_withdrawal_without_the_secret(tree, types, mediation):
    dispute = file_dispute(tree, types)
    for secret in (None, "", "f" * 32):
        with pytest.raises(WorkflowError) as err:
            services.withdraw(actor=None, dispute=dispute, reason="撤回", secret=secret)
        assert err.value.code == "secret_required"
    services.withdraw(actor=None, dispute=dispute, reason="撤回", secret=dispute.applicant_secret)
    assert dispute.state == "withdrawn"


def test_the_centre_still_withdraws_on_the_applicants_behalf(tree, types, mediation, centre_a):
    dispute = file_dispute(tree, types)
    services.withdraw(actor=centre_a, dispute=dispute, reason="申请人电话要求撤回")
    assert dispute.state == "withdrawn"


def test_the_secret_is_stored_only_as_a_keyed_hash(tree, types, mediation):
    _, location, dispute = apply(types)
    secret = secret_of(location)
    stored = Dispute.objects.filter(pk=dispute.pk).values().get()
    assert secret not in json.dumps(stored, default=str) and stored["applicant_secret_index"]


def test_wrong_secrets_are_rate_limited(tree, types, mediation, settings):
    settings.FENGQIAO_RATE_SECRET = "3/h"
    _, location, dispute = apply(types)
    url = reverse("disputes:track", args=[dispute.tracking_code])
    guesser = Client()
    codes = [guesser.post(url, {"reason": "x", "k": f"guess{i}"}).status_code for i in range(5)]
    assert codes[-1] == 429
    guesser.post(url, {"reason": "x", "k": secret_of(location)})
    dispute.refresh_from_db()
    assert dispute.state == "submitted"
