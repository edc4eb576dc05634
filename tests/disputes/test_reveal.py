"""Unmasking a party's phone or ID number: a POSTed reason, CSRF, the right role, and an audit row for each view."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.core.models import Action
from tests.disputes.conftest import RESPONDENT_ID, RESPONDENT_PHONE, file_dispute


@pytest.fixture
def dispute(tree, types, mediation):
    return file_dispute(tree, types, now=timezone.now())


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def url(dispute) -> str:
    return reverse("disputes:detail", args=[dispute.tracking_code])


def reveals(dispute):
    return Action.objects.for_object(dispute).filter(verb="reveal_pii")


def test_revealing_needs_a_reason_and_is_logged_with_who_what_and_why(dispute, centre_a):
    party = dispute.parties.get(role="respondent")
    page = signed_in(centre_a).post(url(dispute), {"party": party.pk, "reason": "contact", "note": "电话通知调解时间"})
    text = page.content.decode()
    assert page.status_code == 200 and RESPONDENT_PHONE in text and RESPONDENT_ID in text
    action = reveals(dispute).get()
    assert action.actor == centre_a and action.at is not None
    assert action.data == {
        "record": f"disputes.Party:{party.pk}",
        "party": party.pk,
        "fields": ["phone", "id_number"],
        "reason": "contact",
        "note": "电话通知调解时间",
    }


def test_the_old_link_reveals_nothing(dispute, centre_a):
    party = dispute.parties.get(role="respondent")
    page = signed_in(centre_a).get(url(dispute) + f"?reveal={party.pk}").content.decode()
    assert RESPONDENT_PHONE not in page and RESPONDENT_ID not in page
    assert not reveals(dispute).exists()


def test_without_a_reason_nothing_is_shown_or_logged(dispute, centre_a):
    party = dispute.parties.get(role="respondent")
    page = signed_in(centre_a).post(url(dispute), {"party": party.pk, "reason": ""}).content.decode()
    assert RESPONDENT_PHONE not in page and "查看理由" in page
    other = signed_in(centre_a).post(url(dispute), {"party": party.pk, "reason": "other", "note": " "})
    assert RESPONDENT_PHONE not in other.content.decode() and "请说明查看理由" in other.content.decode()
    assert not reveals(dispute).exists()


def test_a_forged_post_without_csrf_is_refused(dispute, centre_a):
    party = dispute.parties.get(role="respondent")
    response = signed_in(centre_a, enforce_csrf_checks=True).post(url(dispute), {"party": party.pk, "reason": "verify"})
    assert response.status_code == 403 and not reveals(dispute).exists()


def test_a_party_of_another_case_cannot_be_revealed_through_this_one(dispute, centre_a, tree, types):
    other = file_dispute(tree, types, now=timezone.now())
    stranger = other.parties.get(role="respondent")
    response = signed_in(centre_a).post(url(dispute), {"party": stranger.pk, "reason": "verify"})
    assert response.status_code == 404
    garbled = signed_in(centre_a).post(url(dispute), {"party": "1 OR 1=1", "reason": "verify"})
    assert garbled.status_code == 404
    assert not Action.objects.filter(verb="reveal_pii").exists()


def test_a_viewer_who_may_not_unmask_gets_no_button_and_a_403(dispute, mediation):
    """The township leader sees the case but does not work it: no button that would end in 403, and a 403."""
    leader = mediation["township"].leader
    client = signed_in(leader)
    page = client.get(url(dispute))
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()
    party = dispute.parties.get(role="respondent")
    response = client.post(url(dispute), {"party": party.pk, "reason": "verify"})
    assert response.status_code == 403 and not reveals(dispute).exists()


def test_the_centre_gets_the_reason_form_not_a_link(dispute, centre_a):
    page = signed_in(centre_a).get(url(dispute)).content.decode()
    assert 'name="reason"' in page and "?reveal=" not in page
