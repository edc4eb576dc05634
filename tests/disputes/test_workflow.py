"""The dispute workflow on the core engine: declared steps only, the right people, every time point kept."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action
from fengqiao.core.signals import notify
from fengqiao.disputes import services, tiers
from fengqiao.disputes.models import Dispute, Mediator, MediatorKind, Referral, Risk
from fengqiao.disputes.workflow import DISPUTE_FLOW
from tests.disputes.conftest import T0, file_dispute

H = dt.timedelta(hours=1)


def to_mediating(dispute, centre, mediator, now=T0):
    services.register(actor=centre, dispute=dispute, now=now + H)
    services.assign(actor=centre, dispute=dispute, mediator=mediator, now=now + 2 * H)
    services.accept(actor=mediator.user, dispute=dispute, now=now + 3 * H)
    services.record_session(
        actor=mediator.user,
        dispute=dispute,
        held_at=now + 4 * H,
        place="甲社区调解室",
        participants="张三、李四、孙调解",
        notes="双方陈述，约定夜间不施工。",
        now=now + 5 * H,
    )
    return dispute


def test_an_undeclared_transition_is_refused_and_changes_nothing(dispute, centre_a):
    before = Action.objects.for_object(dispute).count()
    with pytest.raises(WorkflowError) as err:
        DISPUTE_FLOW.apply(dispute, "teleport", actor=centre_a)
    assert err.value.code == "unknown_transition"
    dispute.refresh_from_db()
    assert dispute.state == "submitted"
    assert Action.objects.for_object(dispute).count() == before


def test_a_step_not_allowed_in_the_current_state_is_refused_and_changes_nothing(dispute, centre_a, mediation):
    with pytest.raises(WorkflowError) as err:
        services.assign(actor=centre_a, dispute=dispute, mediator=mediation["neighbour_expert"])
    assert err.value.code == "not_allowed_in_state"
    dispute.refresh_from_db()
    assert (dispute.state, dispute.mediator_id, dispute.assigned_at) == ("submitted", None, None)


def test_only_the_assigned_mediator_may_accept(dispute, centre_a, mediation):
    services.register(actor=centre_a, dispute=dispute)
    services.assign(actor=centre_a, dispute=dispute, mediator=mediation["neighbour_expert"])
    with pytest.raises(WorkflowError) as err:
        services.accept(actor=mediation["generalist"].user, dispute=dispute)
    assert err.value.code == "not_permitted"


def test_a_centre_of_another_street_cannot_register(dispute, tree):
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    centre_b = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"])
    with pytest.raises(WorkflowError) as err:
        services.register(actor=centre_b, dispute=dispute)
    assert err.value.code == "not_permitted"


def test_declining_needs_a_reason_and_returns_the_case_for_assignment(dispute, centre_a, mediation):
    services.register(actor=centre_a, dispute=dispute)
    services.assign(actor=centre_a, dispute=dispute, mediator=mediation["neighbour_expert"])
    with pytest.raises(WorkflowError):
        services.decline(actor=mediation["neighbour_expert"].user, dispute=dispute, reason=" ")
    services.decline(actor=mediation["neighbour_expert"].user, dispute=dispute, reason="与当事人是亲戚，需回避")
    dispute.refresh_from_db()
    assert (dispute.state, dispute.mediator_id, dispute.decline_reason) == (
        "registered",
        None,
        "与当事人是亲戚，需回避",
    )


def test_a_mediator_outside_the_cases_area_cannot_be_assigned(dispute, centre_a, mediation):
    services.register(actor=centre_a, dispute=dispute)
    with pytest.raises(DomainError) as err:
        services.assign(actor=centre_a, dispute=dispute, mediator=mediation["other_township"])
    assert err.value.code == "mediator_outside"


def test_the_whole_way_to_closed_keeps_every_time_point(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, m)
    services.draft_agreement(actor=m.user, dispute=dispute, facts="噪音", terms="夜间不施工", performance="即日起")
    services.resolve(actor=m.user, dispute=dispute, result="双方达成协议", now=T0 + 6 * H)
    services.request_confirmation(actor=m.user, dispute=dispute, now=T0 + 7 * H)
    services.record_confirmation(actor=centre_a, dispute=dispute, outcome="法院裁定协议有效", now=T0 + 30 * H)
    services.record_revisit(actor=m.user, dispute=dispute, note="已履行，双方满意", now=T0 + 72 * H)
    services.close(actor=centre_a, dispute=dispute, now=T0 + 73 * H)
    dispute.refresh_from_db()
    assert dispute.state == "closed"
    assert dispute.registered_at == T0 + H
    assert dispute.assigned_at == T0 + 2 * H
    assert dispute.accepted_at == dispute.first_update_at == T0 + 3 * H
    assert dispute.first_session_at == T0 + 4 * H
    assert dispute.concluded_at == T0 + 6 * H
    assert dispute.confirmed_at == T0 + 30 * H
    assert dispute.revisited_at == T0 + 72 * H
    assert dispute.closed_at == T0 + 73 * H
    verbs = list(Action.objects.for_object(dispute).order_by("at", "id").values_list("verb", flat=True))
    assert verbs == [
        "submit",
        "register",
        "assign",
        "accept",
        "record_session",
        "agreement",
        "resolve",
        "request_confirmation",
        "record_confirmation",
        "revisit",
        "close",
    ]


def test_escalation_climbs_one_tier_and_needs_a_new_mediator(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, m)
    services.fail(actor=m.user, dispute=dispute, reason="双方分歧较大")
    services.escalate(actor=centre_a, dispute=dispute, now=T0 + 10 * H)
    dispute.refresh_from_db()
    assert (dispute.state, dispute.tier, dispute.mediator_id) == ("registered", 1, None)
    assert dispute.assign_due_at == T0 + 10 * H + dt.timedelta(hours=24)


def test_escalating_past_the_top_tier_is_refused_with_advice_to_refer(dispute, centre_a, mediation):
    m = mediation["township_mediator"]
    Mediator.objects.filter(pk=m.pk).update(kind=MediatorKind.JUSTICE)  # the top tier (部门联席调) takes no others
    m.refresh_from_db()
    Dispute.objects.filter(pk=dispute.pk).update(tier=len(tiers.tiers()) - 1)
    dispute.refresh_from_db()
    to_mediating(dispute, centre_a, m)
    services.fail(actor=m.user, dispute=dispute, reason="无法达成一致")
    with pytest.raises(WorkflowError) as err:
        services.escalate(actor=centre_a, dispute=dispute)
    assert err.value.code == "top_tier"
    dispute.refresh_from_db()
    assert dispute.state == "unresolved"


def test_referral_writes_a_letter_naming_the_parties_masked(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, m)
    services.fail(actor=m.user, dispute=dispute, reason="分歧大")
    services.refer(actor=m.user, dispute=dispute, referral_to=Referral.COURT, note="当事人要求诉讼")
    dispute.refresh_from_db()
    assert dispute.state == "referred"
    # Kept on the case in plain text, so masked; the printed letter names them in full (test_plain_names.py).
    assert "申请人张*" in dispute.referral_letter and "被申请人李*" in dispute.referral_letter
    assert "张三" not in dispute.referral_letter and "李四" not in dispute.referral_letter


def test_the_applicant_may_withdraw_with_a_reason(dispute):
    # The secret from the applicant's receipt (tests/disputes/test_applicant_secret.py: the code alone cannot).
    services.withdraw(actor=None, dispute=dispute, reason="已自行和解", secret=dispute.applicant_secret)
    dispute.refresh_from_db()
    assert dispute.state == "withdrawn" and dispute.concluded_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_red_dispute_goes_straight_to_the_township_tier_and_alerts_its_leader(tree, types, mediation):
    seen = []

    def listener(sender, recipients, kind, **kwargs):
        seen.append((kind, list(recipients)))

    notify.connect(listener)
    try:
        d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复，有暴力倾向")
    finally:
        notify.disconnect(listener)
    assert d.tier == tiers.township_tier().index
    assert tiers.tier(d.tier).level == tiers.STREET
    assert ("dispute_red", [mediation["leader"]]) in seen


def test_a_tracking_code_drawn_twice_is_drawn_again_with_the_parties(tree, types, monkeypatch):
    """Dispute intake shares the event's redraw: the second case gets a fresh code and its own party rows."""
    from fengqiao.core import codes
    from fengqiao.disputes.models import Dispute, Party
    from tests.disputes.conftest import file_dispute

    draws = iter(["D261124-AAAAAA", "D261124-AAAAAA", "D261124-BBBBBB"])
    monkeypatch.setattr(codes, "tracking_code", lambda prefix: next(draws))
    first = file_dispute(tree, types)
    second = file_dispute(tree, types)
    assert (first.tracking_code, second.tracking_code) == ("D261124-AAAAAA", "D261124-BBBBBB")
    assert Dispute.objects.count() == 2
    assert Party.objects.filter(dispute=second).count() == Party.objects.filter(dispute=first).count() > 0
