"""A grid worker files a dispute found in the field from the phone page, only in a grid they serve."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.core.models import Action
from fengqiao.core.permissions import may_open
from fengqiao.dispatch.models import Patrol
from fengqiao.disputes.models import Dispute, Source
from tests.factories import make_department, make_user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_post(types, **extra):
    data = {
        "grid": "410105001001001",
        "type": types["neighbours"].pk,
        "summary": "两户邻居因楼道堆放杂物发生争吵。",
        "people_involved": 2,
        "applicant_name": "王五",
        "respondent_kind": "person",
        "respondent_name": "赵六",
    }
    data.update(extra)
    return data


URL = "/disputes/field/new/"


def test_the_url_name_is_field_new():
    assert reverse("disputes:field_new") == URL


def test_a_grid_worker_files_in_their_own_grid_and_sees_the_receipt(tree, types, worker_a):
    client = signed_in(worker_a)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'value="410105001001001" selected' in page.content.decode()
    response = client.post(URL, field_post(types))
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:field_done", args=[dispute.tracking_code])
    assert dispute.source == Source.GRID
    assert dispute.grid.code == "410105001001001"
    assert dispute.entered_by == worker_a
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    body = receipt.content.decode()
    assert dispute.tracking_code in body and reverse("home") in body


def test_a_forged_grid_code_of_another_street_is_refused_and_nothing_is_written(tree, types, worker_a):
    response = signed_in(worker_a).post(URL, field_post(types, grid="410105002001001"))
    assert response.status_code == 200
    assert "只能在您任职的网格内上报" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_neighbouring_grid_of_the_same_community_is_refused_too(tree, types, worker_a):
    response = signed_in(worker_a).post(URL, field_post(types, grid="410105001001002"))
    assert "只能在您任职的网格内上报" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_position_in_another_grid_files_in_the_chosen_grid(tree, types, worker_a):
    # 乙一网格 lies at x 1..1.5: the phone's fix there must not move the case out of the worker's grid.
    signed_in(worker_a).post(URL, field_post(types, lon=113.6 + 0.012, lat=34.7 + 0.005))
    assert Dispute.objects.get().grid.code == "410105001001001"


def test_a_position_in_the_workers_micro_grid_files_there(tree, types, worker_a):
    signed_in(worker_a).post(URL, field_post(types, lon=113.6 + 0.002, lat=34.7 + 0.002))
    assert Dispute.objects.get().grid.code == "410105001001001001"


def test_the_respondent_is_still_required(tree, types, worker_a):
    response = signed_in(worker_a).post(URL, field_post(types, respondent_name=""))
    assert response.status_code == 200
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("role", [Role.INFORMANT, Role.HANDLER, Role.MEDIATOR])
def test_roles_without_field_duty_are_refused(tree, types, role):
    node = tree["410105001001001001"] if role == Role.INFORMANT else tree["410105001"]
    extra = {"department": make_department(tree["410105001"])} if role == Role.HANDLER else {}
    user = make_user(f"u_{role}", role=role, node=node, password=None)
    if extra:
        user.memberships.update(**extra)
    client = signed_in(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, field_post(types, grid=node.code)).status_code == 403
    assert not Dispute.objects.exists()
    assert not may_open(user, "disputes:field_new")


def test_an_anonymous_caller_is_sent_to_sign_in(tree, types):
    response = Client().post(URL, field_post(types))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Dispute.objects.exists()


def test_a_dispatcher_keeps_the_centre_page(tree, types, dispatcher):
    assert signed_in(dispatcher).get(URL).status_code == 403
    assert signed_in(dispatcher).get(reverse("disputes:new")).status_code == 200


def test_a_grid_leader_files_in_their_community(tree, types):
    leader = make_user("gl", role=Role.GRID_LEADER, node=tree["410105001001"], password=None)
    signed_in(leader).post(URL, field_post(types, grid="410105001001"))
    assert Dispute.objects.get().grid.code == "410105001001"


def test_the_receipt_of_another_workers_case_is_a_404(tree, types, worker_a, worker_b):
    signed_in(worker_a).post(URL, field_post(types))
    code = Dispute.objects.get().tracking_code
    assert signed_in(worker_b).get(reverse("disputes:field_done", args=[code])).status_code == 404


def test_a_case_found_on_patrol_names_the_patrol_in_its_first_history_row(tree, types, worker_a):
    patrol = Patrol.objects.create(worker=worker_a, grid=tree["410105001001001"])
    client = signed_in(worker_a)
    page = client.get(f"{URL}?patrol={patrol.pk}")
    assert 'id="field-patrol"' in page.content.decode()
    client.post(f"{URL}?patrol={patrol.pk}", field_post(types, patrol=patrol.pk))
    dispute = Dispute.objects.get()
    first = Action.objects.for_object(dispute).order_by("id").first()
    assert first.verb == "submit" and first.data["patrol"] == patrol.pk
    assert first.data["source"] == Source.GRID


def test_another_workers_patrol_is_refused(tree, types, worker_a, worker_b):
    theirs = Patrol.objects.create(worker=worker_b, grid=tree["410105002001001"])
    client = signed_in(worker_a)
    assert 'id="field-patrol"' not in client.get(f"{URL}?patrol={theirs.pk}").content.decode()
    response = client.post(URL, field_post(types, patrol=theirs.pk))
    assert "不是您的巡查" in response.content.decode()
    assert not Dispute.objects.exists()


def test_the_home_page_offers_the_field_report_to_workers_only(tree, types, worker_a, dispatcher):
    assert reverse("disputes:field_new") in signed_in(worker_a).get(reverse("home")).content.decode()
    assert reverse("disputes:field_new") not in signed_in(dispatcher).get(reverse("home")).content.decode()
