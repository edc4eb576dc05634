"""矛盾纠纷排查 as work: a screening record per grid and period, explicit zero reports, campaigns that ask for one,
duty figures that count them, and a ledger that shows which grids stayed silent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.errors import DispatchErrorCode
from fengqiao.dispatch.forms import SendForm
from fengqiao.dispatch.models import DutyRule, Instruction, Receipt, Screening
from tests.factories import make_department, make_user

GRID_A1 = "410105001001001"
GRID_A2 = "410105001001002"
GRID_B1 = "410105002001001"
URL = "/dispatch/screening/"
LEDGER = "/dispatch/screenings/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def this_month() -> tuple[dt.date, dt.date]:
    return selectors.month_of(timezone.localdate())


def campaign(actor, tree, *codes, kind=Instruction.Kind.SCREENING):
    return services.send_instruction(
        actor=actor, title="节前矛盾纠纷专项排查", nodes=[tree[c] for c in codes], kind=kind, requires_report=True
    )


@pytest.fixture
def leader_a(tree):
    """The grid leader of 甲社区 (both 甲 grids and the school grid)."""
    return make_user("leader_a", role=Role.GRID_LEADER, node=tree["410105001001"], full_name="孙强")


# --- the record and its rules ---------------------------------------------------------------------------------------


def test_the_url_names():
    assert reverse("dispatch:screening") == URL and reverse("dispatch:screenings") == LEDGER


def test_a_worker_files_a_zero_report_for_their_grid_this_month(tree, worker_a):
    screening = services.record_screening(actor=worker_a, found=0, none_found=True)
    assert screening.grid.code == GRID_A1
    assert (screening.period_start, screening.period_end) == this_month()
    action = Action.objects.for_object(screening).get()
    assert action.verb == "record_screening" and action.data["none_found"] is True


def test_nothing_found_without_ticking_zero_report_is_refused(tree, worker_a):
    with pytest.raises(DomainError) as caught:
        services.record_screening(actor=worker_a, found=0, none_found=False)
    assert caught.value.code == DispatchErrorCode.ZERO_REPORT_REQUIRED
    assert "零报告" in caught.value.message
    assert not Screening.objects.exists()


def test_disputes_found_and_zero_report_together_are_refused(tree, worker_a):
    with pytest.raises(DomainError) as caught:
        services.record_screening(actor=worker_a, found=2, none_found=True)
    assert caught.value.code == DispatchErrorCode.ZERO_REPORT_CONFLICT
    assert not Screening.objects.exists()


def test_a_negative_count_is_refused(tree, worker_a):
    with pytest.raises(DomainError):
        services.record_screening(actor=worker_a, found=-1, none_found=False)
    assert not Screening.objects.exists()


def test_a_period_starting_in_the_future_is_refused(tree, worker_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        services.record_screening(actor=worker_a, found=1, none_found=False, period_start=tomorrow, period_end=tomorrow)
    assert caught.value.code == DispatchErrorCode.FUTURE_PERIOD
    assert not Screening.objects.exists()


def test_a_reversed_period_is_refused(tree, worker_a):
    today = timezone.localdate()
    with pytest.raises(DomainError) as caught:
        services.record_screening(
            actor=worker_a, found=1, none_found=False, period_start=today, period_end=today - dt.timedelta(days=1)
        )
    assert caught.value.code == DispatchErrorCode.BAD_PERIOD


def test_a_grid_the_worker_does_not_serve_is_refused(tree, worker_a):
    for code in (GRID_B1, GRID_A2):
        with pytest.raises(OutsideJurisdiction) as caught:
            services.record_screening(actor=worker_a, found=1, none_found=False, grid=tree[code])
        assert caught.value.code == DispatchErrorCode.SCREENING_GRID
    assert not Screening.objects.exists()


def test_a_second_record_for_the_same_grid_and_period_is_refused_clearly(tree, worker_a):
    services.record_screening(actor=worker_a, found=1, none_found=False)
    with pytest.raises(DomainError) as caught:
        services.record_screening(actor=worker_a, found=0, none_found=True)
    assert caught.value.code == DispatchErrorCode.SCREENING_EXISTS
    assert "不能重复填报" in caught.value.message and "甲一网格" in caught.value.message
    assert Screening.objects.count() == 1


def test_the_database_refuses_a_second_routine_record_even_with_no_instruction(tree, worker_a):
    # NULL instructions are distinct in a plain unique index: the partial one must still hold.
    start, end = this_month()
    row = {
        "worker": worker_a,
        "grid": tree[GRID_A1],
        "period_start": start,
        "period_end": end,
        "found": 0,
        "none_found": True,
    }
    Screening.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(**row)


def test_the_database_refuses_a_silent_zero(tree, worker_a):
    start, end = this_month()
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(
            worker=worker_a, grid=tree[GRID_A1], period_start=start, period_end=end, found=0, none_found=False
        )


def test_a_record_sent_twice_with_the_same_key_is_recorded_once(tree, worker_a, worker_b):
    first = services.record_screening(actor=worker_a, found=1, none_found=False, idempotency_key="k1")
    again = services.record_screening(actor=worker_a, found=1, none_found=False, idempotency_key="k1")
    assert again.pk == first.pk and Screening.objects.count() == 1
    # Another worker's key never finds the first worker's row.
    other = services.record_screening(actor=worker_b, found=0, none_found=True, idempotency_key="k1")
    assert other.pk != first.pk


# --- campaigns ------------------------------------------------------------------------------------------------------


def test_the_send_page_offers_the_screening_campaign_kind(tree, dispatcher):
    assert ("screening", "专项排查") in [(k, str(v)) for k, v in SendForm(actor=dispatcher).fields["kind"].choices]


def test_answering_a_campaign_completes_the_receipt_with_the_result(tree, dispatcher, worker_a):
    instruction = campaign(dispatcher, tree, "410105001")
    page = signed_in(worker_a).get(reverse("dispatch:detail", args=[instruction.pk])).content.decode()
    assert 'id="screening-answer"' in page and f"{URL}?instruction={instruction.pk}" in page
    screening = services.record_screening(
        actor=worker_a, found=2, none_found=False, instruction=instruction, note="两户宅基地争议"
    )
    receipt = Receipt.objects.get(instruction=instruction, user=worker_a)
    assert receipt.completed_at is not None and receipt.acknowledged_at is not None
    assert "发现矛盾纠纷 2 件" in receipt.report and "宅基地" in receipt.report
    assert screening.instruction == instruction
    # The campaign and the routine monthly record are different records for the same grid.
    services.record_screening(actor=worker_a, found=0, none_found=True, period_start=screening.period_start)
    assert Screening.objects.count() == 2


def test_answering_a_campaign_from_the_page(tree, dispatcher, worker_a):
    instruction = campaign(dispatcher, tree, "410105001")
    client = signed_in(worker_a)
    page = client.get(f"{URL}?instruction={instruction.pk}")
    assert 'id="screening-campaign"' in page.content.decode()
    start, end = selectors.screening_period(timezone.localdate(), instruction=instruction)
    response = client.post(
        f"{URL}?instruction={instruction.pk}",
        {
            "grid": GRID_A1,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "found": 0,
            "none_found": "on",
            "instruction": instruction.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dispatch:detail", args=[instruction.pk])
    assert "零报告" in Receipt.objects.get(instruction=instruction, user=worker_a).report


def test_an_ordinary_instruction_cannot_be_answered_with_a_screening(tree, dispatcher, worker_a):
    instruction = campaign(dispatcher, tree, "410105001", kind=Instruction.Kind.TASK)
    with pytest.raises(DomainError) as caught:
        services.record_screening(actor=worker_a, found=0, none_found=True, instruction=instruction)
    assert caught.value.code == DispatchErrorCode.NOT_SCREENING
    assert not Screening.objects.exists()


def test_a_worker_outside_the_campaign_cannot_answer_it(tree, dispatcher, worker_b):
    instruction = campaign(dispatcher, tree, "410105001")
    with pytest.raises(DomainError):
        services.record_screening(actor=worker_b, found=0, none_found=True, instruction=instruction)
    assert signed_in(worker_b).get(f"{URL}?instruction={instruction.pk}").status_code == 404
    assert not Screening.objects.exists()


# --- duty figures ---------------------------------------------------------------------------------------------------


def test_duty_compliance_counts_screenings(tree, worker_a):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.SCREENING, count=1, hours=24)
    membership = worker_a.active_memberships[0]
    [before] = selectors.compliance(memberships=[membership])
    assert not before.ok and before.items[0].done == 0
    services.record_screening(actor=worker_a, found=0, none_found=True)
    [after] = selectors.compliance(memberships=[membership])
    assert after.ok and after.items[0].done == 1


# --- the ledger -----------------------------------------------------------------------------------------------------


def test_a_grid_leader_sees_only_their_subtree_and_the_silent_grids(tree, worker_a, worker_b, leader_a):
    services.record_screening(actor=worker_a, found=3, none_found=False)
    services.record_screening(actor=worker_b, found=0, none_found=True)
    since, until = this_month()
    mine = selectors.screenings_in_scope(actor=leader_a, since=since, until=until)
    assert [s.worker for s in mine] == [worker_a]
    missing = {g.code for g in selectors.missing_grids(actor=leader_a, since=since, until=until)}
    assert missing == {GRID_A2, "410105001001Z01"}
    page = signed_in(leader_a).get(LEDGER).content.decode()
    assert "甲二网格" in page and "乙一网格" not in page and worker_b.display_name not in page


def test_screening_totals(tree, worker_a, worker_b, dispatcher):
    services.record_screening(actor=worker_a, found=3, none_found=False)
    services.record_screening(actor=worker_b, found=0, none_found=True)
    since, until = this_month()
    totals = selectors.screening_totals(actor=dispatcher, since=since, until=until)
    assert (totals.found, totals.records, totals.zero_reports) == (3, 2, 1)
    assert (totals.grids_expected, totals.grids_missing, totals.grids_reported) == (4, 2, 2)
    before = selectors.screening_totals(
        actor=dispatcher, since=since - dt.timedelta(days=60), until=since - dt.timedelta(days=1)
    )
    assert (before.records, before.grids_missing) == (0, 4)


def test_a_worker_does_not_see_the_ledger(tree, worker_a):
    assert signed_in(worker_a).get(LEDGER).status_code == 403


# --- the phone page -------------------------------------------------------------------------------------------------


def test_the_phone_page_records_and_refuses_a_duplicate_with_a_clear_error(tree, worker_a):
    client = signed_in(worker_a)
    start, end = this_month()
    body = {"grid": GRID_A1, "period_start": start.isoformat(), "period_end": end.isoformat(), "found": 1}
    assert client.post(URL, body).status_code == 302
    again = client.post(URL, {**body, "found": 0, "none_found": "on"})
    assert again.status_code == 200 and "不能重复填报" in again.content.decode()
    assert Screening.objects.count() == 1


def test_the_phone_page_refuses_a_forged_grid(tree, worker_a):
    start, end = this_month()
    response = signed_in(worker_a).post(
        URL, {"grid": GRID_B1, "period_start": start.isoformat(), "period_end": end.isoformat(), "found": 1}
    )
    assert response.status_code == 200 and "只能为您任职的网格填报" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("role", [Role.INFORMANT, Role.HANDLER, Role.DISPATCHER])
def test_roles_that_do_not_screen_are_refused_the_phone_page(tree, role):
    node = tree["410105001001001001"] if role == Role.INFORMANT else tree["410105001"]
    user = make_user(f"u_{role}", role=role, node=node, password=None)
    if role == Role.HANDLER:
        user.memberships.update(department=make_department(tree["410105001"]))
    assert signed_in(user).get(URL).status_code == 403
    assert not Screening.objects.exists()


def test_an_anonymous_caller_is_sent_to_sign_in(tree):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_worker_home_offers_screening_and_the_field_report(tree, worker_a):
    page = signed_in(worker_a).get(reverse("home")).content.decode()
    assert URL in page and reverse("disputes:field_new") in page


def test_the_patrol_card_links_to_the_field_report_with_the_patrol(tree, worker_a):
    patrol = services.start_patrol(actor=worker_a)
    page = signed_in(worker_a).get(reverse("dispatch:work")).content.decode()
    assert f"{reverse('disputes:field_new')}?patrol={patrol.pk}" in page
