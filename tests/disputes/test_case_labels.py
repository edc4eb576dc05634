"""The dispute workflow table is the one source of what a case's timeline and tracking page call each step, and
of which states the applicant may withdraw from."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.core import audit
from fengqiao.disputes import selectors, services
from fengqiao.disputes.models import Dispute
from fengqiao.disputes.workflow import DISPUTE_FLOW, STATES
from tests.disputes.conftest import APPLICANT_ID, RESPONDENT_ID, RESPONDENT_PHONE, file_dispute
from tests.disputes.test_workflow import to_mediating

WITHDRAWABLE = DISPUTE_FLOW.by_name["withdraw"].source


@pytest.fixture
def dispute(tree, types, mediation):
    return file_dispute(tree, types, now=timezone.now())


def test_every_transition_and_verb_has_a_label_that_is_not_its_identifier():
    labels = DISPUTE_FLOW.labels()
    assert {t.name for t in DISPUTE_FLOW.transitions} <= set(labels)
    assert {"submit", "update", "agreement", "agreement_signed", "agreement_download"} <= set(labels)
    for verb, label in labels.items():
        assert str(label) and str(label) != verb
        assert audit.verb_label(verb, DISPUTE_FLOW.name) == str(label)


def test_no_second_table_of_labels_is_kept_beside_the_workflow():
    assert not hasattr(selectors, "VERB_LABELS") and not hasattr(selectors, "PUBLIC_VERBS")


def test_every_label_on_the_timeline_comes_from_the_workflow(dispute):
    for verb in DISPUTE_FLOW.labels():
        if verb != "submit":
            audit.record(actor=None, verb=verb, target=dispute, workflow=DISPUTE_FLOW.name)
    rows = selectors.timeline(dispute)
    assert {r.verb for r in rows} == set(DISPUTE_FLOW.labels())
    for row in rows:
        assert row.verb_label == DISPUTE_FLOW.label(row.verb) != row.verb


def test_the_tracking_page_renders_through_the_shared_include_without_notes_or_names(dispute, centre_a, mediation):
    mediator = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, mediator, now=dispute.entered_at)
    services.post_update(actor=mediator.user, dispute=dispute, text="内部进展：李四同意赔偿", photos=[])
    response = Client().get(reverse("disputes:track", args=[dispute.tracking_code]))
    assert response.status_code == 200
    assert "core/_tracking_stages.html" in [t.name for t in response.templates]
    page = response.content.decode()
    for label in ("纠纷已提交", "综治中心已受理", "已分派调解员", "调解员已接单", "已开展调解", "调解员更新了进度"):
        assert label in page
    assert mediator.organisation.name in page  # the note hook: which organisation mediates
    for secret in ("双方陈述", "内部进展", "李四", "张三", RESPONDENT_PHONE, RESPONDENT_ID, APPLICANT_ID):
        assert secret not in page
    assert mediator.user.display_name not in page and centre_a.display_name not in page


@pytest.mark.parametrize("state", list(STATES))
def test_the_applicant_is_offered_withdrawal_exactly_where_the_workflow_allows_it(dispute, state):
    Dispute.objects.filter(pk=dispute.pk).update(state=state)
    url = reverse("disputes:track", args=[dispute.tracking_code])
    page = Client().get(url, {"k": dispute.applicant_secret}).content.decode()
    assert ('name="reason"' in page) == (state in WITHDRAWABLE)
    Client().post(url, {"reason": "已自行和解", "k": dispute.applicant_secret})
    dispute.refresh_from_db()
    assert (dispute.state == "withdrawn") == (state in WITHDRAWABLE or state == "withdrawn")
