"""Ladders per dispute type, and each tier refusing the wrong kind of mediator."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError
from fengqiao.disputes import selectors, services, tiers
from fengqiao.disputes.models import Dispute, MediatorKind, Organisation, Risk
from tests.disputes.conftest import file_dispute
from tests.disputes.routing_kit import mediator, person, typed

EVERY_TIER = [(code, t.index) for code in tiers.DEFAULT_LADDERS for t in tiers.tiers(code)]


@pytest.fixture
def committee(tree):
    return Organisation.objects.create(
        name="甲街道人民调解委员会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105001"]
    )


@pytest.fixture
def centre(tree):
    return person(Role.DISPATCHER, tree["410105001"], "陈管理")


def _registered_at(tree, types, centre, ladder: str, index: int) -> Dispute:
    d = file_dispute(tree, types, type=typed(types["neighbours"], ladder, f"t_{ladder}"))
    services.register(actor=centre, dispute=d)
    Dispute.objects.filter(pk=d.pk).update(tier=index)
    d.refresh_from_db()
    return d


@pytest.mark.parametrize(("ladder", "index"), EVERY_TIER)
def test_every_tier_refuses_a_wrong_kind_of_mediator_and_takes_a_right_one(
    tree, types, committee, centre, ladder, index
):
    current = tiers.tier(index, ladder)
    wrong = next(k for k in MediatorKind.values if k not in current.kinds)
    d = _registered_at(tree, types, centre, ladder, index)
    with pytest.raises(DomainError) as err:
        services.assign(actor=centre, dispute=d, mediator=mediator(committee, wrong))
    assert err.value.code == "mediator_wrong_kind"
    assert current.name in str(err.value) and str(MediatorKind(current.kinds[0]).label) in str(err.value)
    d.refresh_from_db()
    assert d.state == "registered" and d.mediator_id is None
    right = mediator(committee, current.kinds[0])
    services.assign(actor=centre, dispute=d, mediator=right)
    d.refresh_from_db()
    assert (d.state, d.mediator_id) == ("assigned", right.pk)


def test_only_the_kinds_of_the_current_tier_are_offered(tree, types, committee, centre):
    d = _registered_at(tree, types, centre, "huanglou", 2)  # 律师介入调
    lawyer = mediator(committee, MediatorKind.LAWYER)
    people = mediator(committee, MediatorKind.PEOPLE)
    offered = {m.pk for m in selectors.candidates(dispute=d)}
    suggested = {s.mediator.pk for s in selectors.suggest_mediators(dispute=d)}
    assert lawyer.pk in offered and people.pk not in offered
    assert people.pk not in suggested


def test_a_case_is_labelled_by_the_ladder_of_its_type(tree, types):
    medical = file_dispute(tree, types, type=typed(types["neighbours"], "industry", "med"))
    plain = file_dispute(tree, types)
    assert (medical.ladder, medical.tier_name) == ("industry", "行业调解组织调")
    assert (plain.ladder, plain.tier_name) == ("huanglou", "五老乡贤拉呱调")


def test_a_red_case_starts_at_the_first_street_tier_of_its_own_ladder(tree, types):
    family = file_dispute(
        tree, types, type=typed(types["neighbours"], "family", "fam"), risk=Risk.RED, risk_reason="扬言伤人"
    )
    assert family.tier_name == "婚姻家庭调解委员会调"
    assert tiers.tier(family.tier, "family").level == tiers.STREET


def test_the_ladder_is_fixed_when_the_case_is_entered(tree, types):
    kind = typed(types["neighbours"], "industry", "med")
    d = file_dispute(tree, types, type=kind)
    kind.ladder = "family"
    kind.save()
    d.refresh_from_db()
    assert d.tier_name == "行业调解组织调"


def test_the_dispute_type_form_offers_only_the_configured_ladders():
    field = tiers.ladder_field(label="层级")
    assert [c for c, _ in field.choices] == ["", "huanglou", "industry", "family"]
    with pytest.raises(ValidationError):  # a forged code
        field.clean("made_up")


@pytest.mark.parametrize(
    ("ladders", "default", "check_id"),
    [
        ({"x": {"name": "X", "tiers": [("a", "甲", "community", ("wizard",))]}}, "x", "disputes.E014"),
        ({"x": {"name": "X", "tiers": [("a", "甲", "province", ("people",))]}}, "x", "disputes.E013"),
        ({"x": {"name": "X", "tiers": [("a", "甲", "community", ("people",))]}}, "nope", "disputes.E011"),
        ({"x": {"name": "X", "tiers": [("a", "甲", "community")]}}, "x", "disputes.E012"),
    ],
)
def test_the_system_check_rejects_unknown_ladders_levels_and_kinds(ladders, default, check_id):
    with override_settings(FENGQIAO_DISPUTE_LADDERS=ladders, FENGQIAO_DISPUTE_DEFAULT_LADDER=default):
        assert check_id in [e.id for e in tiers.check_ladders()]


def test_the_default_ladders_pass_the_system_check():
    assert tiers.check_ladders() == []
