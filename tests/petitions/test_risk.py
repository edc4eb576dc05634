"""稳评: the four dimensions, the grade and its rule, conditions tracked to completion, and the decision refused while
the grade is high or a condition is open."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action
from fengqiao.petitions import risk
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import RiskAssessment
from tests.factories import make_user
from tests.petitions.conftest import STREET_A, STREET_B

pytestmark = pytest.mark.django_db
FINDINGS = {
    "legality": "符合《国有土地上房屋征收与补偿条例》",
    "rationality": "补偿标准经听证",
    "feasibility": "资金已落实",
    "controllability": "少数住户有异议，可化解",
}


@pytest.fixture
def housing_a(tree):
    return Department.objects.create(node=tree[STREET_A], name="甲街道住建办", code="A-ZJ", kind="housing")


@pytest.fixture
def assessment(tree, centre_a, housing_a):
    return risk.register_assessment(actor=centre_a, node=tree[STREET_A], matter="幸福路旧改征迁", department=housing_a)


def _graded(assessment, actor, grade):
    return risk.assess(actor=actor, assessment=assessment, grade=grade, findings=FINDINGS)


def test_a_low_risk_matter_may_be_decided(assessment, centre_a, leader_a):
    _graded(assessment, centre_a, "low")
    risk.decide(actor=leader_a, assessment=assessment, decision="区政府常务会议通过")
    assessment.refresh_from_db()
    assert assessment.state == "decided" and assessment.decided_at is not None
    verbs = set(Action.objects.values_list("verb", flat=True))
    assert {"register_risk", "assess", "decide"} <= verbs


def test_a_high_risk_matter_is_never_decided_only_postponed(assessment, centre_a, leader_a):
    _graded(assessment, centre_a, "high")
    with pytest.raises(DomainError) as exc:
        risk.decide(actor=leader_a, assessment=assessment, decision="强行决策")
    assert exc.value.code == PetitionErrorCode.RISK_HIGH_GRADE
    risk.postpone(actor=leader_a, assessment=assessment, reason="暂缓，调整补偿方案")
    assessment.refresh_from_db()
    assert assessment.state == "postponed"
    with pytest.raises(DomainError):  # still high, and no longer graded for a decision
        risk.decide(actor=leader_a, assessment=assessment, decision="x")


def test_a_medium_risk_matter_waits_for_every_condition(assessment, centre_a, leader_a, handler_owner):
    _graded(assessment, centre_a, "medium")
    with pytest.raises(DomainError) as exc:  # medium with no condition set yet
        risk.decide(actor=leader_a, assessment=assessment, decision="x")
    assert exc.value.code == PetitionErrorCode.RISK_CONDITIONS_OPEN
    today = timezone.localdate()
    first = risk.add_condition(
        actor=centre_a, assessment=assessment, measure="逐户走访解释政策", owner=handler_owner, due_on=today
    )
    second = risk.add_condition(
        actor=centre_a, assessment=assessment, measure="公示补偿方案", owner=centre_a, due_on=today
    )
    risk.complete_condition(actor=handler_owner, condition=first, note="已走访 42 户")
    with pytest.raises(DomainError) as exc:
        risk.decide(actor=leader_a, assessment=assessment, decision="x")
    assert exc.value.code == PetitionErrorCode.RISK_CONDITIONS_OPEN
    assert not risk.RISK_FLOW.allows(assessment, "decide", actor=leader_a)  # the page offers no button
    risk.complete_condition(actor=centre_a, condition=second)
    first.refresh_from_db()
    assert first.done_by == handler_owner and first.done_at is not None
    risk.decide(actor=leader_a, assessment=assessment, decision="落实措施后决策")


@pytest.fixture
def handler_owner(tree, housing_a):
    user = make_user("zj_a", password=None, full_name="住建甲")
    Membership.objects.create(user=user, node=tree[STREET_A], role=Role.HANDLER, department=housing_a)
    return user


def test_a_condition_is_completed_once_by_its_owner_or_the_area(assessment, centre_a, centre_b, handler_owner):
    c = risk.add_condition(
        actor=centre_a, assessment=assessment, measure="约谈", owner=handler_owner, due_on=timezone.localdate()
    )
    with pytest.raises(DomainError):
        risk.complete_condition(actor=centre_b, condition=c)
    risk.complete_condition(actor=handler_owner, condition=c)
    with pytest.raises(DomainError):
        risk.complete_condition(actor=handler_owner, condition=c)


def test_grading_needs_all_four_dimensions_and_a_declared_grade(assessment, centre_a, centre_b):
    with pytest.raises(DomainError):
        risk.assess(actor=centre_a, assessment=assessment, grade="low", findings={**FINDINGS, "legality": " "})
    with pytest.raises(DomainError):
        risk.assess(actor=centre_a, assessment=assessment, grade="none", findings=FINDINGS)
    with pytest.raises(WorkflowError):
        risk.assess(actor=centre_b, assessment=assessment, grade="low", findings=FINDINGS)
    assessment.refresh_from_db()
    assert assessment.state == "draft" and assessment.grade == ""


def test_only_a_leader_of_the_area_records_the_decision(assessment, centre_a, leader_b):
    _graded(assessment, centre_a, "low")
    for actor in (centre_a, leader_b):
        with pytest.raises(WorkflowError):
            risk.decide(actor=actor, assessment=assessment, decision="x")


def test_registering_needs_a_centre_of_the_area_and_a_unit_of_it(tree, centre_a, housing_a):
    other = Department.objects.create(node=tree[STREET_B], name="乙街道住建办", code="B-ZJ", kind="housing")
    for node, dept in ((tree[STREET_B], housing_a), (tree[STREET_A], other), (tree["410105001001001"], housing_a)):
        with pytest.raises(DomainError) as exc:
            risk.register_assessment(actor=centre_a, node=node, matter="x", department=dept)
        assert exc.value.code == PetitionErrorCode.RISK_INVALID
    assert not RiskAssessment.objects.exists()


def test_another_street_answers_404_and_the_deciding_unit_reads(assessment, leader_b, handler_owner, centre_a):
    client = Client()
    client.force_login(leader_b)
    assert client.get(f"/petitions/risk/{assessment.pk}/").status_code == 404
    assert client.post(f"/petitions/risk/{assessment.pk}/act/reassess/", {"note": "x"}).status_code == 404
    client.force_login(handler_owner)
    assert client.get(f"/petitions/risk/{assessment.pk}/").status_code == 200
    client.force_login(centre_a)
    page = client.get(f"/petitions/risk/{assessment.pk}/").content.decode()
    assert "合法性" in page and "可控性" in page
