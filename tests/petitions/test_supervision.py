"""督导督办 with 追责问责: the rectification clock, who sees and reports, outcomes decided once and corrected only by a
new audited decision, and the unit's assessment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action
from fengqiao.petitions import supervision
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import AccountabilityDecision, SupervisionOrder
from tests.factories import make_user
from tests.petitions.conftest import STREET_A, STREET_B

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def urban_a(tree):
    return Department.objects.create(node=tree[STREET_A], name="甲街道城管", code="A-URB", kind="urban")


@pytest.fixture
def urban_b(tree):
    return Department.objects.create(node=tree[STREET_B], name="乙街道城管", code="B-URB", kind="urban")


@pytest.fixture
def handler_a(tree, urban_a):
    user = make_user("urban_a", password=None, full_name="城管甲")
    Membership.objects.create(user=user, node=tree[STREET_A], role=Role.HANDLER, department=urban_a)
    return user


@pytest.fixture
def handler_b(tree, urban_b):
    user = make_user("urban_b", password=None, full_name="城管乙")
    Membership.objects.create(user=user, node=tree[STREET_B], role=Role.HANDLER, department=urban_b)
    return user


@pytest.fixture
def order(centre_a, urban_a, handler_a, t0):
    return supervision.issue_order(
        actor=centre_a, finding="占道经营反复回潮，整治不彻底。", person=handler_a, department=urban_a, now=t0
    )


def _annotated(order, now):
    from fengqiao.petitions.clocks import SUPERVISION_CLOCKS

    return SUPERVISION_CLOCKS.annotate(SupervisionOrder.objects.filter(pk=order.pk), now).get().colour


def test_the_rectification_clock_runs_on_the_declared_setting(order, handler_a, t0, settings):
    assert order.due_at == t0 + 15 * DAY
    assert _annotated(order, t0 + DAY) == "green"
    assert _annotated(order, t0 + 13 * DAY) == "orange"
    assert _annotated(order, t0 + 16 * DAY) == "red"
    supervision.rectify(actor=handler_a, order=order, report="已清理摊点，建立长效巡查。", now=t0 + 16 * DAY)
    assert order.state == "rectified" and order.due_at is None and not order.on_time


def test_the_clock_follows_the_setting(centre_a, urban_a, handler_a, t0, settings):
    settings.FENGQIAO_SUPERVISION_CLOCKS = {"rectify": "3d"}
    order = supervision.issue_order(actor=centre_a, finding="台账不全", person=handler_a, department=urban_a, now=t0)
    assert order.deadline_at == t0 + 3 * DAY
    supervision.rectify(actor=handler_a, order=order, report="已补齐", now=t0 + 2 * DAY)
    assert order.on_time


def test_only_the_responsible_unit_reports_rectification(order, handler_b, leader_b, centre_b, t0):
    for actor in (handler_b, leader_b, centre_b):
        with pytest.raises(WorkflowError):
            supervision.rectify(actor=actor, order=order, report="已整改", now=t0)
    order.refresh_from_db()
    assert order.state == "open"


def test_an_order_needs_a_unit_of_the_area_its_own_person_and_a_finding(
    tree, centre_a, urban_a, urban_b, handler_a, handler_b, t0
):
    cases = [
        dict(finding="x", person=handler_b, department=urban_b),  # another street's unit
        dict(finding="x", person=handler_b, department=urban_a),  # a person of another unit
        dict(finding=" ", person=handler_a, department=urban_a),
        dict(finding="x", person=handler_a),  # no unit
        dict(finding="x", person=handler_a, node=tree["410105001001001"]),  # a grid has no centre
    ]
    for kwargs in cases:
        with pytest.raises(DomainError) as exc:
            supervision.issue_order(actor=centre_a, now=t0, **kwargs)
        assert exc.value.code == PetitionErrorCode.SUPERVISION_INVALID
    with pytest.raises(DomainError) as exc:
        supervision.issue_order(actor=centre_a, finding="x", person=handler_a, department=urban_a, code="P000-NONE")
    assert exc.value.code == PetitionErrorCode.PETITION_LINK_NOT_FOUND
    assert not SupervisionOrder.objects.exists()


def test_an_order_about_a_petition_and_about_a_centre(tree, register, centre_a, t0):
    p = register(centre_a, now=t0)
    order = supervision.issue_order(
        actor=centre_a, finding="信访件办理拖延", person=centre_a, node=tree[STREET_A], code=p.tracking_code, now=t0
    )
    assert order.link_kind == "petition" and order.unit_name.endswith("综治中心")
    supervision.rectify(actor=centre_a, order=order, report="已加快办理", now=t0 + DAY)


def test_another_streets_petition_code_is_not_found(tree, register, centre_a, centre_b, handler_a, urban_a, t0):
    foreign = register(centre_b, grid="410105002001001", now=t0)
    with pytest.raises(DomainError) as exc:
        supervision.issue_order(
            actor=centre_a, finding="x", person=handler_a, department=urban_a, code=foreign.tracking_code
        )
    assert exc.value.code == PetitionErrorCode.PETITION_LINK_NOT_FOUND


def test_the_outcome_is_decided_once_by_a_leader_and_corrected_only_by_a_new_decision(order, leader_a, t0):
    supervision.decide_outcome(actor=leader_a, order=order, outcome="talk", reason="整改迟缓，约谈负责人")
    with pytest.raises(DomainError) as exc:
        supervision.decide_outcome(actor=leader_a, order=order, outcome="none", reason="改为不追责")
    assert exc.value.code == PetitionErrorCode.SUPERVISION_OUTCOME_SET
    correction = supervision.correct_outcome(actor=leader_a, order=order, outcome="notice", reason="复核后通报")
    order.refresh_from_db()
    assert order.outcome == "notice"
    first = AccountabilityDecision.objects.get(corrects__isnull=True)
    assert first.outcome == "talk" and correction.corrects == first
    verbs = list(
        Action.objects.filter(verb__in=["decide_outcome", "correct_outcome"])
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["decide_outcome", "correct_outcome"]


def test_the_database_refuses_a_second_first_decision_or_a_fork(order, leader_a):
    first = supervision.decide_outcome(actor=leader_a, order=order, outcome="talk", reason="约谈")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountabilityDecision.objects.create(order=order, outcome="account", reason="x", decided_by=leader_a)
    supervision.correct_outcome(actor=leader_a, order=order, outcome="notice", reason="通报")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountabilityDecision.objects.create(
            order=order, outcome="account", reason="x", corrects=first, decided_by=leader_a
        )


@pytest.mark.parametrize("who", ["centre_a", "leader_b", "handler_a"])
def test_a_forged_leader_decides_no_outcome(order, request, who):
    with pytest.raises(DomainError) as exc:
        supervision.decide_outcome(actor=request.getfixturevalue(who), order=order, outcome="account", reason="问责")
    assert exc.value.code == PetitionErrorCode.SUPERVISION_OUTCOME_INVALID
    assert not AccountabilityDecision.objects.exists()


def test_an_undeclared_outcome_or_no_reason_is_refused(order, leader_a):
    for outcome, reason in (("fire", "x"), ("talk", "  ")):
        with pytest.raises(DomainError):
            supervision.decide_outcome(actor=leader_a, order=order, outcome=outcome, reason=reason)
    with pytest.raises(DomainError):  # nothing to correct yet
        supervision.correct_outcome(actor=leader_a, order=order, outcome="talk", reason="x")


def test_who_sees_an_order(order, leader_a, centre_a, handler_a, leader_b, centre_b, handler_b, tree):
    worker = make_user("w", password=None, role=Role.GRID_WORKER, node=tree["410105001001001"])
    seen = {
        u.username: supervision.visible_orders(actor=u).filter(pk=order.pk).exists()
        for u in (leader_a, centre_a, handler_a, leader_b, centre_b, handler_b, worker)
    }
    assert seen == {
        "leader_a": True,
        "centre_a": True,
        "urban_a": True,
        "leader_b": False,
        "centre_b": False,
        "urban_b": False,
        "w": False,
    }


def test_the_pages_answer_404_outside_and_let_the_unit_report(order, handler_a, handler_b, leader_b):
    client = Client()
    client.force_login(handler_b)
    assert client.get(f"/petitions/supervision/{order.pk}/").status_code == 404
    assert client.post(f"/petitions/supervision/{order.pk}/rectify/", {"report": "x"}).status_code == 404
    client.force_login(leader_b)
    assert (
        client.post(f"/petitions/supervision/{order.pk}/outcome/", {"outcome": "account", "reason": "x"}).status_code
        == 404
    )
    client.force_login(handler_a)
    assert client.get(f"/petitions/supervision/{order.pk}/").status_code == 200
    assert client.post(f"/petitions/supervision/{order.pk}/rectify/", {"report": "已整改"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "rectified"


def test_the_units_assessment_counts_orders_outcomes_and_deductions(
    centre_a, leader_a, urban_a, handler_a, t0, settings
):
    settings.FENGQIAO_SUPERVISION_POINTS = {"talk": 1, "notice": 2, "account": 5, "late": 0.5}
    orders = [
        supervision.issue_order(actor=centre_a, finding=f"问题{n}", person=handler_a, department=urban_a, now=t0)
        for n in range(4)
    ]
    supervision.rectify(actor=handler_a, order=orders[0], report="按期整改", now=t0 + DAY)
    supervision.rectify(actor=handler_a, order=orders[1], report="逾期整改", now=t0 + 20 * DAY)
    supervision.decide_outcome(actor=leader_a, order=orders[1], outcome="talk", reason="逾期")
    supervision.decide_outcome(actor=leader_a, order=orders[2], outcome="account", reason="拒不整改")
    supervision.decide_outcome(actor=leader_a, order=orders[3], outcome="notice", reason="通报")
    supervision.correct_outcome(actor=leader_a, order=orders[3], outcome="none", reason="复核无责")
    rows = supervision.unit_assessment(actor=leader_a, start=t0.date(), end=t0.date(), now=t0 + 30 * DAY)
    assert len(rows) == 1
    row = rows[0]
    assert (row.orders, row.on_time, row.late, row.talk, row.notice, row.account) == (4, 1, 3, 1, 0, 1)
    assert row.deduction == 1 + 5 + 3 * 0.5
    assert supervision.unit_assessment(actor=leader_a, start=t0.date() + DAY, end=t0.date() + DAY) == []


def test_another_streets_leader_sees_no_unit_of_street_a(order, leader_b, t0):
    assert supervision.unit_assessment(actor=leader_b, start=t0.date(), end=t0.date()) == []
