"""The key-person visit clock on the case core, on a controlled clock: due, orange, red, warnings once, restarts."""

from __future__ import annotations

import pytest

from fengqiao.core import deadlines
from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.dispatch.models import Notification
from fengqiao.people import keypersons
from fengqiao.people.models import KeyCategory, KeyPerson, KeyVisit, Risk
from tests.people.key_kit import T0, at

pytestmark = pytest.mark.django_db


def colour(record: KeyPerson, now) -> str:
    return keypersons.with_colours(KeyPerson.objects.filter(pk=record.pk), now).get().colour


def test_the_nine_default_categories_are_loaded_with_a_purpose_each(db):
    rows = KeyCategory.objects.filter(active=True)
    assert rows.count() >= 9
    assert all(row.purpose for row in rows)
    assert KeyCategory.objects.get(code="severe_mental_illness").red_days == 7


def test_a_red_listing_is_due_in_seven_days(key_listed):
    assert key_listed.visit_due_at == at(7)
    assert key_listed.state == "active"


def test_the_clock_is_green_then_orange_near_the_day_then_red_once_missed(key_listed):
    assert colour(key_listed, at(5)) == "green"
    assert colour(key_listed, at(5.5)) == "orange"  # a quarter of the week left
    assert colour(key_listed, at(7.1)) == "red"


def test_warnings_go_once_to_the_worker_then_to_the_grid_leader(key_listed, key_posts):
    sent = deadlines.send_warnings(now=at(5.5))
    assert sent["key_person.visit_nearly_due"] == 1
    assert deadlines.send_warnings(now=at(5.6))["key_person.visit_nearly_due"] == 0
    orange = Notification.objects.filter(kind="deadline_orange")
    assert {n.recipient_id for n in orange} == {key_posts["worker"].pk}
    assert "王" not in orange.get().title  # the notice names the record by number, never the person

    assert deadlines.send_warnings(now=at(7.5))["key_person.visit_missed"] == 1
    assert deadlines.send_warnings(now=at(8))["key_person.visit_missed"] == 0
    red = Notification.objects.filter(kind="deadline_red")
    assert {n.recipient_id for n in red} == {key_posts["grid_leader"].pk}


def test_a_visit_restarts_the_clock_from_the_visit(key_listed, key_posts):
    visit = keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="情况稳定", now=at(3))
    key_listed.refresh_from_db()
    assert visit.due_at == at(7)
    assert key_listed.last_visit_at == at(3)
    assert key_listed.visit_due_at == at(10)
    assert colour(key_listed, at(8)) == "green"


def test_a_visit_sent_twice_from_the_outbox_is_one_visit(key_listed, key_posts):
    first = keypersons.record_key_visit(
        actor=key_posts["worker"], record=key_listed, note="情况稳定", idempotency_key="k-1", now=at(2)
    )
    again = keypersons.record_key_visit(
        actor=key_posts["worker"], record=key_listed, note="情况稳定", idempotency_key="k-1", now=at(2.1)
    )
    assert first.pk == again.pk
    assert KeyVisit.objects.count() == 1


def test_a_visit_dated_in_the_future_by_the_phone_counts_as_now(key_listed, key_posts):
    keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="好", visited_at=at(30), now=at(2))
    key_listed.refresh_from_db()
    assert key_listed.last_visit_at == at(2)


def test_raising_the_risk_restarts_the_clock_from_the_last_visit_with_the_new_interval(
    key_posts, key_category, key_person
):
    record = keypersons.list_key_person(
        actor=key_posts["grid_leader"],
        person=key_person,
        category=key_category,
        risk=Risk.BLUE,
        worker=key_posts["worker"],
        now=T0,
    )
    assert record.visit_due_at == at(90)
    keypersons.record_key_visit(actor=key_posts["worker"], record=record, note="稳定", now=at(10))
    keypersons.change_risk(actor=key_posts["grid_leader"], record=record, risk=Risk.RED, note="病情波动")
    record.refresh_from_db()
    assert record.risk == Risk.RED
    assert record.visit_due_at == at(17)


def test_ending_the_listing_stops_the_clock_and_refuses_later_visits(key_listed, key_posts):
    keypersons.end_listing(actor=key_posts["dispatcher"], record=key_listed, note="矫正期满", now=at(3))
    key_listed.refresh_from_db()
    assert key_listed.state == "ended" and key_listed.ended_at == at(3) and key_listed.visit_due_at is None
    assert deadlines.send_warnings(now=at(30))["key_person.visit_missed"] == 0
    with pytest.raises(WorkflowError):
        keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="再访", now=at(4))


def test_every_step_is_audited_without_the_visit_note(key_listed, key_posts):
    keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="服药情况良好", now=at(1))
    keypersons.reassign(actor=key_posts["grid_leader"], record=key_listed, worker=key_posts["worker2"])
    verbs = list(Action.objects.filter(workflow="key_person").order_by("pk").values_list("verb", flat=True))
    assert verbs == ["list", "visit", "reassign"]
    assert not Action.objects.filter(note__contains="服药").exists()
    assert "王小明" not in "".join(Action.objects.values_list("object_repr", flat=True))
