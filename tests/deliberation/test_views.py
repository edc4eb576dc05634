"""The pages: the public pages show counts and masked names only; a forged post (another topic's option, another
community's participant or household) answers like a missing one or is refused with its message; the resident's
page works by the personal code alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.deliberation import services, workflow
from fengqiao.deliberation.models import Binding, Topic, Vote
from fengqiao.participation import services as points
from tests.deliberation.conftest import home

pytestmark = pytest.mark.django_db

GRID_A1, GRID_B1 = "410105001001001", "410105002001001"


def resident(scheme, name, phone):
    return points.register_participant(
        scheme=scheme,
        data=points.ParticipantForm(name=name, phone=phone, kind="resident", party_unit="", consent=True),
    )


@pytest.fixture
def voting_topic(centre_a, tree, scheme_a):
    t = services.raise_topic(
        actor=centre_a, community=tree["410105001001"], title="加装电梯", body="费用分摊", grids=[tree[GRID_A1]]
    )
    services.accept(actor=centre_a, topic=t)
    services.set_options(actor=centre_a, topic=t, labels=["同意", "不同意"])
    return services.open_vote(actor=centre_a, topic=t)


def test_a_resident_raises_votes_and_the_public_page_shows_counts_only(
    client, tree, scheme_a, worker_a, centre_a, voting_topic
):
    p, code = resident(scheme_a, "王小明", "13800138000")
    services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A1]))
    me = reverse("deliberation:me")
    page = client.get(me, {"k": code})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"] and "投我家一票" in page.content.decode()
    option = voting_topic.options.get(label="同意")
    done = client.post(me, {"k": code, "action": "vote", "topic": voting_topic.code, "option": option.pk})
    assert done.status_code == 302 and Vote.objects.filter(topic=voting_topic, option=option).count() == 1
    again = client.post(me, {"k": code, "action": "vote", "topic": voting_topic.code, "option": option.pk}, follow=True)
    assert "一户只能投一票" in again.content.decode() and Vote.objects.count() == 1
    raised = client.post(
        me, {"k": code, "action": "raise", "title": "修路灯", "body": "北门路灯坏了", "grids": [tree[GRID_A1].pk]}
    )
    assert raised.status_code == 302 and Topic.objects.filter(title="修路灯", raised_by=p).exists()
    public = client.get(reverse("deliberation:public_topic", args=[scheme_a.token, voting_topic.code])).content.decode()
    assert "王小明" not in public and "13800138000" not in public and "已有 1 户投票" in public
    assert "同意：1" not in public  # counts are published when the vote closes
    services.decide(actor=centre_a, topic=voting_topic, text="同意")
    closed = client.get(reverse("deliberation:public_topic", args=[scheme_a.token, voting_topic.code])).content.decode()
    assert "同意：1" in closed and "王小明" not in closed


def test_a_forged_vote_for_another_topics_option_changes_nothing(
    client, tree, scheme_a, worker_a, centre_a, voting_topic
):
    p, code = resident(scheme_a, "王小明", "13800138000")
    services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A1]))
    other = services.raise_topic(
        actor=centre_a, community=tree["410105001001"], title="停车", body="划线", grids=[tree[GRID_A1]]
    )
    services.accept(actor=centre_a, topic=other)
    services.set_options(actor=centre_a, topic=other, labels=["划线", "不划线"])
    forged = client.post(
        reverse("deliberation:me"),
        {"k": code, "action": "vote", "topic": voting_topic.code, "option": other.options.first().pk},
        follow=True,
    )
    assert forged.status_code == 200 and not Vote.objects.exists()


def test_raising_by_page_for_a_grid_of_another_community_is_refused(client, tree, scheme_a):
    _p, code = resident(scheme_a, "王小明", "13800138000")
    page = client.post(
        reverse("deliberation:me"),
        {"k": code, "action": "raise", "title": "x", "body": "y", "grids": [tree[GRID_B1].pk]},
    )
    assert page.status_code == 200 and "须是本社区" in page.content.decode() and not Topic.objects.exists()


def test_another_communitys_staff_get_404_on_topic_and_pages(client, centre_b, voting_topic):
    client.force_login(centre_b)
    assert client.get(reverse("deliberation:topic", args=[voting_topic.code])).status_code == 404
    assert client.post(reverse("deliberation:topic", args=[voting_topic.code]), {"action": "decide"}).status_code == 404
    assert client.get(reverse("deliberation:community", args=["410105001001"])).status_code == 404
    assert client.get(reverse("deliberation:households", args=["410105001001"])).status_code == 404
    assert client.get(reverse("deliberation:notices", args=["410105001001"])).status_code == 404
    voting_topic.refresh_from_db()
    assert voting_topic.state == workflow.VOTING


def test_a_forged_binding_to_a_household_of_another_grid_is_refused(client, tree, scheme_a, worker_a, worker_a2):
    p, _code = resident(scheme_a, "王小明", "13800138000")
    client.force_login(worker_a2)  # the worker of 甲二网格 posts a household of 甲一网格
    page = client.post(
        reverse("deliberation:households", args=["410105001001"]),
        {"action": "bind", "participant": p.pk, "household": home(tree[GRID_A1]).pk},
        follow=True,
    )
    assert "不在您负责的网格内" in page.content.decode() and not Binding.objects.exists()


def test_the_centre_takes_a_topic_through_its_steps_on_the_page(client, centre_a, tree, scheme_a):
    client.force_login(centre_a)
    url = reverse("deliberation:community", args=["410105001001"])
    done = client.post(url, {"title": "修路灯", "body": "北门路灯坏了", "grids": [tree[GRID_A1].pk]})
    topic = Topic.objects.get()
    assert done.status_code == 302
    page = reverse("deliberation:topic", args=[topic.code])
    client.post(page, {"action": "accept", "answer_on": ""})
    topic.refresh_from_db()
    assert topic.state == workflow.ACCEPTED and topic.answer_due_at is not None
    client.post(page, {"action": "meeting", "at": "2026-12-20T19:00", "kind": "offline", "place": "议事厅"})
    client.post(page, {"action": "options", "options": "修\n不修"})
    client.post(page, {"action": "open_vote"})
    topic.refresh_from_db()
    assert topic.state == workflow.VOTING and topic.meetings.count() == 1
    assert client.get(page).status_code == 200
