"""Party links: issued by the case's mediator or the centre, shown once, stored only as a digest, revocable, dead
once the case ends or the link expires; another case's party, a wrong or stale token all get the invalid page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.disputes import online, services
from fengqiao.disputes.models import PartyLink
from tests.disputes.conftest import file_dispute
from tests.disputes.online_kit import in_mediation, link_for, party_url


@pytest.fixture
def case(dispute, centre_a, mediation):
    return in_mediation(dispute, centre_a, mediation["neighbour_expert"])


@pytest.fixture
def med(mediation):
    return mediation["neighbour_expert"]


def test_the_mediator_gets_the_link_once_as_an_address_and_a_qr_code(case, med):
    client = Client()
    client.force_login(med.user)
    applicant = case.applicants()[0]
    response = client.post(reverse("disputes:party_link", args=[case.tracking_code, applicant.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert 'id="party-link-url"' in page and "<svg" in page
    assert "138****8000" in page and "13800138000" not in page  # the phone beside it, masked
    token = page.split("/disputes/p/")[1].split("/")[0]
    assert online.party_for_token(token) == applicant
    stored = json.dumps(json.loads(serializers.serialize("json", PartyLink.objects.all())))
    audit_rows = json.dumps([[a.note, a.data] for a in Action.objects.all()], ensure_ascii=False, default=str)
    assert token not in stored and token not in audit_rows
    assert Action.objects.filter(verb="party_link").count() == 1


def test_a_mediator_of_another_case_cannot_issue_a_link(case, mediation):
    with pytest.raises(WorkflowError):
        online.issue_party_link(actor=mediation["generalist"].user, party=case.applicants()[0])
    client = Client()
    client.force_login(mediation["other_township"].user)  # outside the case's area: the case does not exist
    response = client.post(reverse("disputes:party_link", args=[case.tracking_code, case.applicants()[0].pk]))
    assert response.status_code == 404
    assert not PartyLink.objects.exists()


def test_a_party_of_another_case_cannot_be_named_in_the_address(case, med, tree, types):
    other = file_dispute(tree, types)
    client = Client()
    client.force_login(med.user)
    response = client.post(reverse("disputes:party_link", args=[case.tracking_code, other.applicants()[0].pk]))
    assert response.status_code == 404 and not PartyLink.objects.exists()


def test_reissuing_revokes_the_older_link(case, med):
    applicant = case.applicants()[0]
    first = link_for(applicant, med.user)
    second = link_for(applicant, med.user)
    assert Client().get(party_url(first)).status_code == 404
    assert Client().get(party_url(second)).status_code == 200


def test_a_revoked_link_shows_the_invalid_page(case, med):
    applicant = case.applicants()[0]
    token = link_for(applicant, med.user)
    online.revoke_party_link(actor=med.user, link=PartyLink.objects.get())
    response = Client().get(party_url(token))
    assert response.status_code == 404 and "链接无效" in response.content.decode()


def test_an_expired_link_shows_the_invalid_page(case, med, settings):
    settings.FENGQIAO_PARTY_LINK_DAYS = 30
    past = timezone.now() - dt.timedelta(days=31)
    _link, token = online.issue_party_link(actor=med.user, party=case.applicants()[0], now=past)
    response = Client().get(party_url(token))
    assert response.status_code == 404 and "链接无效" in response.content.decode()


def test_the_link_dies_when_the_case_is_withdrawn(case, med, centre_a):
    token = link_for(case.applicants()[0], med.user)
    assert Client().get(party_url(token)).status_code == 200
    services.withdraw(actor=centre_a, dispute=case, reason="双方自行和解")
    assert Client().get(party_url(token)).status_code == 404


def test_wrong_tokens_answer_the_invalid_page_and_are_rate_limited(case, settings):
    settings.FENGQIAO_RATE_SECRET = "3/h"
    guesser = Client()
    for guess in ("x", "a" * 32, "b" * 32):
        response = guesser.get(party_url(guess))
        assert response.status_code == 404 and response["X-Robots-Tag"] == "noindex, nofollow"
    assert guesser.get(party_url("c" * 32)).status_code == 429


def test_the_party_page_is_private(case, med):
    token = link_for(case.respondents()[0], med.user)
    response = Client().get(party_url(token))
    page = response.content.decode()
    assert response["Referrer-Policy"] == "same-origin" and response["X-Robots-Tag"] == "noindex, nofollow"
    assert 'name="robots" content="noindex' in page
    assert "13912345678" not in page and "13800138000" not in page  # no phone numbers on the party page
