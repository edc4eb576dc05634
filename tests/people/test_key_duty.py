"""Missed key-person visits count in duty compliance: the worker's duty figure drops with a missed visit."""

from __future__ import annotations

import pytest

from fengqiao.core import duty
from fengqiao.dispatch import selectors as dispatch_selectors
from fengqiao.people import keypersons
from fengqiao.people.models import KeyVisit, Person, Risk
from tests.people.key_kit import GRID_A1, T0, at

pytestmark = pytest.mark.django_db


def figure(user, now):
    [row] = dispatch_selectors.compliance(memberships=user.active_memberships, now=now)
    return row


def test_people_registers_key_visits_as_a_duty_source(key_posts):
    assert "key_visits" in duty.SOURCES


def test_a_visit_made_in_time_is_owed_and_done(key_listed, key_posts):
    keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="稳定", now=at(6))
    row = figure(key_posts["worker"], at(8))
    [item] = [i for i in row.items if getattr(i, "source", None)]
    assert (item.due, item.done) == (1, 1)
    assert row.rate == 1.0


def test_a_missed_visit_lowers_the_workers_duty_figure(key_listed, key_posts):
    row = figure(key_posts["worker"], at(8))  # due at day 7, nobody went
    [item] = [i for i in row.items if getattr(i, "source", None)]
    assert (item.due, item.done) == (1, 0)
    assert row.rate == 0.0
    assert not row.ok


def test_a_late_visit_counts_once_and_not_in_time(key_listed, key_posts):
    keypersons.record_key_visit(actor=key_posts["worker"], record=key_listed, note="补访", now=at(9))
    row = figure(key_posts["worker"], at(10))
    [item] = [i for i in row.items if getattr(i, "source", None)]
    assert (item.due, item.done) == (1, 0)


def test_the_figure_with_a_missed_visit_is_lower_than_with_a_done_one(key_posts, key_category, tree):
    done = Person.objects.create(grid=tree[GRID_A1], name="甲", id_number="410105199001011234")
    missed = Person.objects.create(grid=tree[GRID_A1], name="乙", id_number="410105199202022345")
    for p in (done, missed):
        keypersons.list_key_person(
            actor=key_posts["grid_leader"],
            person=p,
            category=key_category,
            risk=Risk.RED,
            worker=key_posts["worker"],
            now=T0,
        )
    record = done.key_records.get()
    keypersons.record_key_visit(actor=key_posts["worker"], record=record, note="稳定", now=at(5))
    assert KeyVisit.objects.count() == 1
    assert figure(key_posts["worker"], at(8)).rate == 0.5
    # The other worker of the grid owes nothing here: their figure is untouched.
    assert figure(key_posts["worker2"], at(8)).rate is None


def test_figures_per_area_count_the_same_visits(key_listed, key_posts, tree):
    a, b = tree["410105001"].path, tree["410105002"].path
    tallies = keypersons.visits_by_path([a, b], at(0), at(8))
    assert tallies[a] == duty.Tally(due=1, done=0)
    assert tallies[b] == duty.Tally(due=0, done=0)
