"""The points ledger: who may award and reverse, the period limit, append-only entries and a balance that never goes
below zero."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fengqiao.core.audit import history
from fengqiao.core.errors import DomainError, NotFound, OutsideJurisdiction
from fengqiao.participation import selectors, services
from fengqiao.participation.errors import ParticipationErrorCode as Code
from fengqiao.participation.models import Entry, Participant, Rule
from tests.participation.conftest import join

pytestmark = pytest.mark.django_db


def test_a_worker_of_the_community_awards_points_and_the_balance_follows(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a, note="夜间巡逻")
    participant.refresh_from_db()
    assert participant.balance == 10
    assert entry.points == 10 and entry.confirmer == worker_a and entry.rule == patrol_a
    assert history(participant).filter(verb="points_award").exists()


def test_a_confirmer_of_another_community_cannot_award_and_nothing_is_written(worker_b, resident_a, patrol_a):
    participant, _code = resident_a
    with pytest.raises(OutsideJurisdiction):
        services.award(actor=worker_b, participant=participant, rule=patrol_a)
    participant.refresh_from_db()
    assert participant.balance == 0 and not Entry.objects.exists()


def test_a_rule_of_another_community_is_refused_like_a_missing_one(worker_a, resident_a, patrol_b):
    participant, _code = resident_a
    with pytest.raises(NotFound):
        services.award(actor=worker_a, participant=participant, rule=patrol_b)
    assert not Entry.objects.exists()


def test_a_centre_rule_cannot_be_confirmed_by_a_grid_worker(worker_a, centre_a, scheme_a, resident_a):
    rule = services.add_rule(
        actor=centre_a,
        scheme=scheme_a,
        label="创业带动就业",
        points=5,
        confirmer=Rule.Confirmer.CENTRE,
        period=Rule.Period.MONTH,
        limit=1,
    )
    participant, _code = resident_a
    with pytest.raises(OutsideJurisdiction):
        services.award(actor=worker_a, participant=participant, rule=rule)
    services.award(actor=centre_a, participant=participant, rule=rule)
    participant.refresh_from_db()
    assert participant.balance == 5


def test_only_the_centre_keeps_rules_and_items(worker_a, centre_b, scheme_a):
    for actor in (worker_a, centre_b):
        with pytest.raises(OutsideJurisdiction):
            services.add_rule(
                actor=actor, scheme=scheme_a, label="x", points=1, confirmer="grid", period="day", limit=1
            )
        with pytest.raises(OutsideJurisdiction):
            services.add_item(actor=actor, scheme=scheme_a, name="大米", price=10, stock=1)


def test_the_period_limit_is_enforced_and_a_new_period_starts_afresh(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    now = timezone.make_aware(dt.datetime(2026, 5, 6, 9, 0))
    services.award(actor=worker_a, participant=participant, rule=patrol_a, now=now)
    with pytest.raises(DomainError) as refused:
        services.award(actor=worker_a, participant=participant, rule=patrol_a, now=now + dt.timedelta(hours=3))
    assert refused.value.code == Code.PERIOD_LIMIT
    participant.refresh_from_db()
    assert participant.balance == 10 and Entry.objects.count() == 1
    services.award(actor=worker_a, participant=participant, rule=patrol_a, now=now + dt.timedelta(days=1))
    participant.refresh_from_db()
    assert participant.balance == 20


def test_a_reversed_award_frees_its_place_in_the_period(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    services.reverse_entry(actor=worker_a, entry=entry, reason="记错人了")
    services.award(actor=worker_a, participant=participant, rule=patrol_a)
    participant.refresh_from_db()
    assert participant.balance == 10


def test_a_reversal_is_a_negative_entry_pointing_at_the_original_and_happens_once(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    reversal = services.reverse_entry(actor=worker_a, entry=entry, reason="重复登记")
    assert reversal.points == -10 and reversal.reverses == entry and reversal.kind == Entry.Kind.REVERSAL
    with pytest.raises(DomainError) as again:
        services.reverse_entry(actor=worker_a, entry=entry, reason="再冲一次")
    assert again.value.code == Code.ALREADY_REVERSED
    participant.refresh_from_db()
    assert participant.balance == 0 and Entry.objects.count() == 2
    with pytest.raises(DomainError) as not_award:
        services.reverse_entry(actor=worker_a, entry=reversal, reason="冲正的冲正")
    assert not_award.value.code == Code.NOT_REVERSIBLE


def test_a_reversal_needs_a_reason(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    with pytest.raises(DomainError):
        services.reverse_entry(actor=worker_a, entry=entry, reason="  ")
    assert Entry.objects.count() == 1


def test_a_reversal_cannot_push_the_balance_below_zero(worker_a, centre_a, scheme_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    soap = services.add_item(actor=centre_a, scheme=scheme_a, name="肥皂", price=8, stock=5)
    services.redeem(actor=worker_a, participant=participant, item=soap, quantity=1)
    with pytest.raises(DomainError) as refused:
        services.reverse_entry(actor=worker_a, entry=entry, reason="记错了")
    assert refused.value.code == Code.INSUFFICIENT_POINTS
    participant.refresh_from_db()
    assert participant.balance == 2 and not Entry.objects.filter(kind=Entry.Kind.REVERSAL).exists()


def test_a_worker_of_another_community_cannot_reverse(worker_a, worker_b, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    with pytest.raises(OutsideJurisdiction):
        services.reverse_entry(actor=worker_b, entry=entry, reason="x")


def test_ledger_entries_are_append_only(worker_a, resident_a, patrol_a):
    participant, _code = resident_a
    entry = services.award(actor=worker_a, participant=participant, rule=patrol_a)
    entry.points = 1000
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_the_database_refuses_a_negative_balance(resident_a):
    participant, _code = resident_a
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(balance=-1)


def test_registration_needs_consent_and_one_phone_per_community(scheme_a, scheme_b):
    data = services.ParticipantForm(name="王小明", phone="13800138000", kind="resident", party_unit="", consent=False)
    with pytest.raises(DomainError) as refused:
        services.register_participant(scheme=scheme_a, data=data)
    assert refused.value.code == Code.CONSENT_REQUIRED
    assert not Participant.objects.exists()
    _participant, _code = join(scheme_a)
    with pytest.raises(DomainError) as twice:
        join(scheme_a, name="王小明", phone="138 0013 8000")
    assert twice.value.code == Code.PARTICIPANT_EXISTS
    join(scheme_b)  # the same phone in another community is another participant
    assert Participant.objects.count() == 2


def test_personal_data_is_encrypted_and_the_code_kept_only_as_a_digest(resident_a):
    from django.db import connection

    participant, code = resident_a
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, code_index FROM participation_participant WHERE id = %s", [participant.pk])
        name, phone, code_index = cursor.fetchone()
    assert "王小明" not in name and "13800138000" not in phone and code not in code_index
    assert selectors.participant_for_code(code) == participant
    assert selectors.participant_for_code(code.upper()) == participant
    assert selectors.participant_for_code("0" * 32) is None
    assert participant.name_masked == "王**"
