"""三务公开: only the community's centre publishes and withdraws; both are audited; a withdrawn notice leaves the
public page and stays in the record; the board names the unit, never the clerk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.deliberation import services
from fengqiao.deliberation.models import Notice

pytestmark = pytest.mark.django_db


def test_publish_and_withdraw_are_audited_and_withdrawn_notices_leave_the_board(client, centre_a, tree, scheme_a):
    notice = services.publish_notice(
        actor=centre_a,
        community=tree["410105001001"],
        category="finance",
        title="2026年第一季度财务收支",
        body="收入 12 万元",
    )
    board = client.get(reverse("deliberation:board", args=[scheme_a.token]))
    body = board.content.decode()
    assert board.status_code == 200 and "第一季度财务收支" in body and "甲社区居（村）民委员会" in body
    assert "赵敏" not in body  # the clerk's name stays in the record
    assert reverse("participation:ranking", args=[scheme_a.token]) in body
    with pytest.raises(DomainError):
        services.withdraw_notice(actor=centre_a, notice=notice, reason=" ")
    services.withdraw_notice(actor=centre_a, notice=notice, reason="数字有误，更正后重发")
    assert "第一季度财务收支" not in client.get(reverse("deliberation:board", args=[scheme_a.token])).content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None and notice.withdrawn_by == centre_a and Notice.objects.count() == 1
    verbs = set(Action.objects.filter(object_id=str(notice.pk)).values_list("verb", flat=True))
    assert {"notice_publish", "notice_withdraw"} <= verbs
    with pytest.raises(DomainError):
        services.withdraw_notice(actor=centre_a, notice=notice, reason="再撤一次")


def test_another_communitys_centre_and_a_grid_worker_cannot_publish(centre_b, worker_a, tree):
    for actor in (centre_b, worker_a):
        with pytest.raises(OutsideJurisdiction):
            services.publish_notice(actor=actor, community=tree["410105001001"], category="party", title="x", body="y")
    assert not Notice.objects.exists()


def test_another_communitys_centre_cannot_withdraw(centre_a, centre_b, tree):
    notice = services.publish_notice(
        actor=centre_a, community=tree["410105001001"], category="party", title="x", body="y"
    )
    with pytest.raises(OutsideJurisdiction):
        services.withdraw_notice(actor=centre_b, notice=notice, reason="z")
