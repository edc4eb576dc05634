"""The applicant rates the mediation once it has ended, once, with the receipt's secret on the tracking page or
through their own party link; the respondent and strangers cannot. Resolving starts the return-visit clock, which
the case page and the mediator's to-do list show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.disputes import online, services
from fengqiao.disputes.models import Dispute
from fengqiao.disputes.todos import dispute_todos
from tests.disputes.conftest import T0
from tests.disputes.online_kit import in_mediation, link_for, messages_of, party_url

H = dt.timedelta(hours=1)


@pytest.fixture
def med(mediation):
    return mediation["neighbour_expert"]


@pytest.fixture
def resolved(dispute, centre_a, med):
    in_mediation(dispute, centre_a, med)
    services.resolve(actor=med.user, dispute=dispute, result="双方和解", now=T0 + 6 * H)
    return dispute


def track(dispute: Dispute) -> str:
    return reverse("disputes:track", args=[dispute.tracking_code])


def rate_url(dispute: Dispute) -> str:
    return reverse("disputes:track_rate", args=[dispute.tracking_code])


def test_the_applicant_rates_from_the_tracking_page_with_the_receipt(resolved):
    secret = resolved.applicant_secret
    page = Client().get(track(resolved) + f"?k={secret}").content.decode()
    assert 'id="rate"' in page
    Client().post(rate_url(resolved), {"k": secret, "stars": 4, "comment": "调解员很耐心"})
    resolved.refresh_from_db()
    assert resolved.stars == 4 and resolved.rating_comment == "调解员很耐心" and resolved.rated_at
    assert Action.objects.filter(verb="rate", data__stars=4).exists()


def test_the_tracking_code_alone_cannot_rate(resolved):
    assert 'id="rate"' not in Client().get(track(resolved)).content.decode()
    response = Client().post(rate_url(resolved), {"k": "f" * 32, "stars": 1}, follow=True)
    assert "只有申请人" in messages_of(response)
    Client().post(rate_url(resolved), {"stars": 1})
    resolved.refresh_from_db()
    assert resolved.stars is None


def test_rating_is_once_only(resolved):
    secret = resolved.applicant_secret
    Client().post(rate_url(resolved), {"k": secret, "stars": 5})
    response = Client().post(rate_url(resolved), {"k": secret, "stars": 1}, follow=True)
    assert "已评价" in messages_of(response)
    resolved.refresh_from_db()
    assert resolved.stars == 5 and Action.objects.filter(verb="rate").count() == 1


def test_a_case_still_in_mediation_cannot_be_rated(dispute, centre_a, med):
    in_mediation(dispute, centre_a, med)
    with pytest.raises(DomainError) as err:
        online.rate_dispute(dispute=dispute, stars=5, secret=dispute.applicant_secret)
    assert err.value.code == "not_ratable"


@pytest.mark.parametrize("stars", [0, 6, "five", None, -1])
def test_stars_are_one_to_five(resolved, stars):
    with pytest.raises(DomainError):
        online.rate_dispute(dispute=resolved, stars=stars, secret=resolved.applicant_secret)


def test_the_applicant_rates_through_their_link_and_the_respondent_cannot(resolved, med):
    respondent_token = link_for(resolved.respondents()[0], med.user)
    assert 'id="rate"' not in Client().get(party_url(respondent_token)).content.decode()
    Client().post(reverse("disputes:party_rate", args=[respondent_token]), {"stars": 1})
    resolved.refresh_from_db()
    assert resolved.stars is None
    token = link_for(resolved.applicants()[0], med.user)
    assert 'id="rate-submit"' in Client().get(party_url(token)).content.decode()
    Client().post(reverse("disputes:party_rate", args=[token]), {"stars": 3, "comment": "一般"})
    resolved.refresh_from_db()
    assert resolved.stars == 3


def test_the_case_page_shows_the_rating_and_the_return_visit_deadline(resolved, med):
    online.rate_dispute(dispute=resolved, stars=5, comment="满意", secret=resolved.applicant_secret)
    assert resolved.revisit_due_at is not None  # the revisit clock starts on resolve (disputes.clocks)
    client = Client()
    client.force_login(med.user)
    page = client.get(reverse("disputes:detail", args=[resolved.tracking_code])).content.decode()
    assert 'id="revisit-due"' in page and 'id="rating"' in page and "满意" in page


def test_the_mediator_has_a_revisit_to_do_until_the_visit(resolved, med):
    def waiting() -> int:
        return next(t.count for t in dispute_todos(med.user, T0 + 7 * H) if str(t.label) == "待回访")

    assert waiting() == 1
    services.record_revisit(actor=med.user, dispute=resolved, note="已履行", now=T0 + 30 * H)
    assert waiting() == 0


def test_average_stars_for_the_figures(resolved, tree, types, centre_a, med):
    online.rate_dispute(dispute=resolved, stars=4, secret=resolved.applicant_secret)
    figures = online.rating_figures(Dispute.objects.all())
    assert figures == {"rated": 1, "average": 4.0}
