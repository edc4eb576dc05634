"""The pages of tasks, patrols and party reviews: the resident claims on their own page, a worker of another grid
reaches no recording, a forged attendance changes nothing, and a grid worker is one step too low for reviews."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.participation import services
from fengqiao.participation.models import Claim, Entry, Review, Task
from tests.factories import make_user
from tests.participation.conftest import join

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(worker_a, scheme_a, patrol_a, tree):
    starts = timezone.now() + dt.timedelta(days=1)
    return services.post_task(
        actor=worker_a,
        scheme=scheme_a,
        data=services.TaskForm(
            kind="patrol",
            title="夜间治安巡逻",
            place="幸福路",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            places=10,
            grid=tree["410105001001001"],
            rule=patrol_a,
        ),
    )


def test_the_resident_claims_and_cancels_on_their_page(client, slot, resident_a):
    _participant, code = resident_a
    page = client.get(reverse("participation:me"), {"k": code})
    assert slot in page.context["open_tasks"]
    done = client.post(reverse("participation:me_task"), {"k": code, "task": slot.pk, "action": "claim"})
    assert done.status_code == 302 and Task.objects.get(pk=slot.pk).claimed == 1
    page = client.get(reverse("participation:me"), {"k": code})
    assert [c.task for c in page.context["claims"]] == [slot] and "取消认领" in page.content.decode()
    client.post(reverse("participation:me_task"), {"k": code, "task": slot.pk, "action": "cancel"})
    assert Task.objects.get(pk=slot.pk).claimed == 0


def test_a_forged_code_or_another_communitys_task_claims_nothing(client, slot, resident_b):
    _participant, code_b = resident_b
    assert client.post(reverse("participation:me_task"), {"k": "0" * 32, "task": slot.pk}).status_code == 404
    assert client.post(reverse("participation:me_task"), {"k": code_b, "task": slot.pk}).status_code == 404
    assert client.post(reverse("participation:me_task"), {"k": code_b, "task": "x"}).status_code == 404
    assert not Claim.objects.exists()


def test_staff_post_a_slot_from_the_tasks_page(client, worker_a, scheme_a, patrol_a, tree):
    client.force_login(worker_a)
    starts = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("participation:tasks", args=["410105001001"])
    data = {
        "action": "task",
        "kind": "patrol",
        "title": "周末巡逻",
        "place": "",
        "grid": tree["410105001001001"].pk,
        "starts_at": starts,
        "hours": 2,
        "places": 10,
        "rule": patrol_a.pk,
        "team": "",
    }
    assert client.post(url, data).status_code == 302
    assert Task.objects.get().title == "周末巡逻"
    forged = data | {"grid": tree["410105002001001"].pk, "title": "越界"}
    client.post(url, forged)
    assert not Task.objects.filter(title="越界").exists()


def test_a_worker_of_another_grid_gets_404_on_the_recording(client, slot, tree, resident_a):
    participant, _code = resident_a
    services.claim_task(participant=participant, task=slot)
    other = make_user("worker_a2", role=Role.GRID_WORKER, node=tree["410105001001002"], password=None)
    client.force_login(other)
    url = reverse("participation:task", args=["410105001001", slot.pk])
    assert client.get(url).status_code == 404
    with time_machine.travel(slot.starts_at + dt.timedelta(hours=1)):
        client.force_login(other)  # sessions expire when idle: sign in at the travelled time
        assert client.post(url, {"present": [participant.pk], "seen": "正常"}).status_code == 404
    assert not Entry.objects.exists()


def test_the_grid_worker_records_the_patrol_and_a_forged_id_changes_nothing(client, worker_a, slot, resident_a):
    participant, _code = resident_a
    services.claim_task(participant=participant, task=slot)
    client.force_login(worker_a)
    url = reverse("participation:task", args=["410105001001", slot.pk])
    assert client.get(url).status_code == 200
    with time_machine.travel(slot.starts_at + dt.timedelta(hours=1)):
        client.force_login(worker_a)  # sessions expire when idle: sign in at the travelled time
        client.post(url, {"present": [participant.pk, participant.pk + 999], "seen": "正常"})
        assert not Entry.objects.exists() and Task.objects.get(pk=slot.pk).recorded_at is None
        client.post(url, {"present": ["abc"], "seen": "正常"})
        assert Task.objects.get(pk=slot.pk).recorded_at is None
        client.post(url, {"present": [participant.pk], "seen": "正常"})
        client.post(url, {"present": [participant.pk], "seen": "正常"})  # the second post changes nothing
    participant.refresh_from_db()
    assert participant.balance == 10 and Entry.objects.count() == 1


def test_the_centre_reviews_party_members_and_a_grid_worker_is_one_step_too_low(
    client, centre_a, worker_a, scheme_a, tree
):
    member, code = join(scheme_a, name="党员甲", phone="13800000011", kind="party_member")
    url = reverse("participation:party", args=["410105001001"])
    leader = make_user("gl_a", role=Role.GRID_LEADER, node=tree["410105001001"], password=None)
    for low in (worker_a, leader):
        client.force_login(low)
        assert client.get(url).status_code == 403
        assert client.post(url, {"participant": member.pk, "grade": "good"}).status_code == 403
    assert not Review.objects.exists()
    client.force_login(centre_a)
    assert client.get(url).status_code == 200
    year, quarter = timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1
    client.post(f"{url}?year={year}&quarter={quarter}", {"participant": member.pk, "grade": "good", "comment": "积极"})
    review = Review.objects.get()
    assert (review.grade, review.comment, review.reviewer) == ("good", "积极", centre_a)
    page = client.get(url, {"year": year})
    row, _current, _done = page.context["rows"][0]
    assert row.score == 4
    client.logout()
    mine = client.get(reverse("participation:me"), {"k": code})
    assert list(mine.context["reviews"]) == [review]


def test_a_centre_of_another_community_cannot_review(client, centre_b, scheme_a):
    member, _code = join(scheme_a, name="党员甲", phone="13800000011", kind="party_member")
    client.force_login(centre_b)
    assert client.get(reverse("participation:party", args=["410105001001"])).status_code == 404
    with pytest.raises(Exception) as refused:
        services.review_party_member(actor=centre_b, participant=member, year=2026, quarter=1, grade="good", comment="")
    assert "综治中心" in str(refused.value)


def test_only_party_members_are_reviewed(centre_a, resident_a):
    participant, _code = resident_a
    from fengqiao.core.errors import DomainError

    with pytest.raises(DomainError):
        services.review_party_member(
            actor=centre_a, participant=participant, year=2026, quarter=1, grade="good", comment=""
        )
