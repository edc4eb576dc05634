"""Need-to-know: key-person records are read by the responsible worker, the grid leaders and the centre covering
the grid, and nobody else; a record out of reach answers 404 like a missing one; opening and unmasking are logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.core.errors import OutsideJurisdiction, WorkflowError
from fengqiao.core.models import Action
from fengqiao.people import keypersons
from fengqiao.people.models import KeyPerson, Risk
from tests.people.key_kit import at

pytestmark = pytest.mark.django_db

READERS = ["worker", "grid_leader", "dispatcher"]
OUTSIDERS = [
    "worker2",  # a full-time worker of the same grid who is not responsible
    "other_grid_worker",
    "part_time",
    "informant",
    "other_leader",
    "other_dispatcher",
    "handler",
    "mediator",
    "leader",
    "admin",
]


@pytest.mark.parametrize("who", READERS)
def test_those_with_the_need_read_the_record(key_listed, key_posts, who):
    assert keypersons.key_person_for(actor=key_posts[who], pk=key_listed.pk) == key_listed


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_finds_no_such_record(key_listed, key_posts, who):
    with pytest.raises(KeyPerson.DoesNotExist):
        keypersons.key_person_for(actor=key_posts[who], pk=key_listed.pk)
    assert not keypersons.visible_key_persons(actor=key_posts[who]).exists()


def test_a_superuser_reads_no_records(key_listed, superuser):
    assert not keypersons.visible_key_persons(actor=superuser).exists()


def test_a_worker_reassigned_away_no_longer_reads_the_record(key_listed, key_posts):
    keypersons.reassign(actor=key_posts["grid_leader"], record=key_listed, worker=key_posts["worker2"])
    assert not keypersons.visible_key_persons(actor=key_posts["worker"]).exists()
    assert keypersons.visible_key_persons(actor=key_posts["worker2"]).get() == key_listed


@pytest.mark.parametrize("who", ["part_time", "other_grid_worker", "handler"])
def test_the_responsible_worker_must_be_full_time_staff_of_the_grid(key_listed, key_posts, who):
    with pytest.raises(Exception) as caught:
        keypersons.reassign(actor=key_posts["grid_leader"], record=key_listed, worker=key_posts[who])
    assert "责任人" in str(caught.value)


def test_a_worker_may_not_list_or_re_grade(key_posts, key_category, key_person, key_listed):
    with pytest.raises(OutsideJurisdiction):
        keypersons.list_key_person(
            actor=key_posts["worker"],
            person=key_person,
            category=key_category,
            risk=Risk.RED,
            worker=key_posts["worker"],
        )
    with pytest.raises(WorkflowError):
        keypersons.change_risk(actor=key_posts["worker"], record=key_listed, risk=Risk.BLUE)


def test_another_streets_centre_may_not_list_here(key_posts, key_category, key_person):
    with pytest.raises(OutsideJurisdiction):
        keypersons.list_key_person(
            actor=key_posts["other_dispatcher"],
            person=key_person,
            category=key_category,
            risk=Risk.RED,
            worker=key_posts["worker"],
        )


def test_the_same_person_is_listed_once_per_category(key_posts, key_category, key_person, key_listed):
    with pytest.raises(Exception, match="已按该类别列管"):
        keypersons.list_key_person(
            actor=key_posts["dispatcher"],
            person=key_person,
            category=key_category,
            risk=Risk.BLUE,
            worker=key_posts["worker"],
        )


def test_a_leader_sees_counts_per_area_and_no_names(key_listed, key_posts, tree):
    a, b = tree["410105001"].path, tree["410105002"].path
    counts = keypersons.key_person_counts(actor=key_posts["leader"], paths=[a, b], now=at(1))
    assert counts[a] == {"red": 1, "yellow": 0, "blue": 0, "overdue": 0, "total": 1}
    assert counts[b]["total"] == 0
    assert "王" not in repr(counts)


@pytest.mark.parametrize("who", ["worker", "part_time", "handler", "mediator", "other_dispatcher"])
def test_counts_are_withheld_from_those_not_covering_the_area(key_listed, key_posts, tree, who):
    a = tree["410105001"].path
    assert keypersons.key_person_counts(actor=key_posts[who], paths=[a]) == {}


# --- pages ----------------------------------------------------------------------------------------------------------


def test_the_detail_page_is_a_404_out_of_reach_and_logged_within(client, key_listed, key_posts):
    url = f"/people/key/{key_listed.pk}/"
    for who in ("part_time", "other_grid_worker", "leader", "handler"):
        client.force_login(key_posts[who])
        assert client.get(url).status_code in (403, 404)
    client.force_login(key_posts["other_grid_worker"])
    assert client.get(url).status_code == 404  # a worker's role may open the page; the record is not theirs
    client.force_login(key_posts["worker"])
    page = client.get(url)
    assert page.status_code == 200
    assert "410105199001011234" not in page.content.decode()
    opened = Action.objects.filter(verb="open_record", actor_id=key_posts["worker"].pk)
    assert opened.count() == 1 and opened.get().object_id == str(key_listed.pk)


def test_unmasking_needs_a_reason_and_is_logged(client, key_listed, key_posts):
    client.force_login(key_posts["worker"])
    page = client.post(f"/people/key/{key_listed.pk}/reveal/", {"reason": "contact"})
    assert "410105199001011234" in page.content.decode()
    assert Action.objects.filter(verb="reveal_pii", object_id=str(key_listed.pk)).count() == 1
    refused = client.post(f"/people/key/{key_listed.pk}/reveal/", {"reason": "other"})
    assert "410105199001011234" not in refused.content.decode()


def test_forged_ids_in_posts_find_nothing(client, key_listed, key_posts):
    client.force_login(key_posts["other_grid_worker"])
    visit = client.post(f"/people/key/{key_listed.pk}/visit/", {"note": "伪造", "idempotency_key": "x"})
    assert visit.status_code == 404
    client.force_login(key_posts["other_dispatcher"])
    assert client.post(f"/people/key/{key_listed.pk}/act/end/", {"note": "伪造"}).status_code == 404
    client.force_login(key_posts["grid_leader"])
    forged = client.post(f"/people/key/{key_listed.pk}/act/reassign/", {"worker": key_posts["handler"].pk})
    assert forged.status_code == 302
    key_listed.refresh_from_db()
    assert key_listed.worker == key_posts["worker"]
    assert not key_listed.visits.exists()


def test_the_worker_visits_from_the_phone_list(client, key_listed, key_posts):
    client.force_login(key_posts["worker"])
    page = client.get("/people/key/mine/")
    assert page.status_code == 200 and f"key-{key_listed.pk}" in page.content.decode()
    sent = {"note": "见到本人，情况稳定", "met": "on", "idempotency_key": "phone-1"}
    assert client.post(f"/people/key/{key_listed.pk}/visit/", sent).status_code == 302
    assert client.post(f"/people/key/{key_listed.pk}/visit/", sent).status_code == 302  # the outbox resends
    assert key_listed.visits.count() == 1


def test_the_grid_leaders_list_filters_the_overdue(client, key_listed, key_posts):
    client.force_login(key_posts["grid_leader"])
    row = f'href="/people/key/{key_listed.pk}/"'
    assert row in client.get("/people/key/").content.decode()
    key_listed.visit_due_at = timezone.now() + dt.timedelta(days=3)  # not overdue: left out of the filter
    key_listed.save()
    assert row not in client.get("/people/key/?overdue=1").content.decode()
    key_listed.visit_due_at = timezone.now() - dt.timedelta(days=1)
    key_listed.save()
    assert row in client.get("/people/key/?overdue=1").content.decode()
    client.force_login(key_posts["part_time"])
    assert client.get("/people/key/").status_code == 403
    client.force_login(key_posts["leader"])
    assert client.get("/people/key/").status_code == 403


def test_home_counts_the_visits_owed_and_the_menu_offers_the_list(client, key_listed, key_posts):
    from fengqiao.grids.home import todos_for

    [owed] = [t for t in todos_for(key_posts["worker"], now=at(8)) if str(t.label) == "待走访重点人员"]
    assert owed.count == 1 and owed.url == "/people/key/mine/"
    assert not [t for t in todos_for(key_posts["part_time"], now=at(8)) if "重点人员" in str(t.label)]
    client.force_login(key_posts["worker"])
    assert 'href="/people/key/mine/"' in client.get("/").content.decode()
