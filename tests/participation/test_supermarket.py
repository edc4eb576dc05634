"""The love supermarket: a redemption takes balance and stock together or nothing, never overdraws, and two
redemptions racing on a balance that covers one end with exactly one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from fengqiao.core.audit import history
from fengqiao.core.errors import DomainError, NotFound, OutsideJurisdiction
from fengqiao.participation import services
from fengqiao.participation.errors import ParticipationErrorCode as Code
from fengqiao.participation.models import Entry, Item, Participant, Redemption


@pytest.fixture
def rice_a(centre_a, scheme_a):
    return services.add_item(actor=centre_a, scheme=scheme_a, name="大米 5 斤", price=8, stock=3)


@pytest.fixture
def funded(worker_a, resident_a, patrol_a):
    participant, code = resident_a
    services.award(actor=worker_a, participant=participant, rule=patrol_a)
    participant.refresh_from_db()
    return participant, code


@pytest.mark.django_db
def test_a_redemption_takes_points_and_stock_and_writes_ledger_and_audit(worker_a, funded, rice_a):
    participant, _code = funded
    redemption = services.redeem(actor=worker_a, participant=participant, item=rice_a, quantity=1)
    participant.refresh_from_db()
    rice_a.refresh_from_db()
    assert participant.balance == 2 and rice_a.stock == 2
    entry = Entry.objects.get(kind=Entry.Kind.REDEMPTION)
    assert entry.points == -8 and entry.redemption == redemption
    assert history(participant).filter(verb="points_redeem").exists()


@pytest.mark.django_db
def test_a_redemption_the_balance_does_not_cover_changes_nothing(worker_a, funded, rice_a):
    participant, _code = funded
    with pytest.raises(DomainError) as refused:
        services.redeem(actor=worker_a, participant=participant, item=rice_a, quantity=2)
    assert refused.value.code == Code.INSUFFICIENT_POINTS
    participant.refresh_from_db()
    rice_a.refresh_from_db()
    assert participant.balance == 10 and rice_a.stock == 3
    assert not Redemption.objects.exists() and not Entry.objects.filter(kind=Entry.Kind.REDEMPTION).exists()


@pytest.mark.django_db
def test_an_empty_shelf_refuses_and_gives_the_points_back(worker_a, centre_a, scheme_a, funded):
    participant, _code = funded
    oil = services.add_item(actor=centre_a, scheme=scheme_a, name="食用油", price=5, stock=0)
    with pytest.raises(DomainError) as refused:
        services.redeem(actor=worker_a, participant=participant, item=oil, quantity=1)
    assert refused.value.code == Code.OUT_OF_STOCK
    participant.refresh_from_db()
    assert participant.balance == 10 and not Redemption.objects.exists()


@pytest.mark.django_db
def test_the_conditional_update_refuses_an_overdraft_on_any_backend(funded):
    """No threads: the UPDATE's condition itself refuses what the balance does not cover."""
    participant, _code = funded
    assert Participant.objects.filter(pk=participant.pk, balance__gte=11).update(balance=0) == 0
    with pytest.raises(DomainError):
        services._credit(participant, -11)
    participant.refresh_from_db()
    assert participant.balance == 10


@pytest.mark.django_db
def test_a_shopkeeper_of_another_community_cannot_redeem(worker_b, funded, rice_a):
    participant, _code = funded
    with pytest.raises(OutsideJurisdiction):
        services.redeem(actor=worker_b, participant=participant, item=rice_a, quantity=1)


@pytest.mark.django_db
def test_an_item_of_another_community_is_refused_like_a_missing_one(worker_a, centre_b, scheme_b, funded):
    participant, _code = funded
    soap_b = services.add_item(actor=centre_b, scheme=scheme_b, name="肥皂", price=1, stock=9)
    with pytest.raises(NotFound):
        services.redeem(actor=worker_a, participant=participant, item=soap_b, quantity=1)
    assert Item.objects.get(pk=soap_b.pk).stock == 9


@pytest.mark.django_db
def test_the_database_refuses_a_negative_stock(rice_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=rice_a.pk).update(stock=-1)


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_on_a_balance_for_one_end_with_exactly_one(worker_a, funded, rice_a):
    """Two shop phones at once, each on its own connection: the balance (10) covers one rice (8), not two."""
    participant, _code = funded
    barrier = threading.Barrier(2)
    results: list[str] = []

    def shop() -> None:
        try:
            p = Participant.objects.get(pk=participant.pk)
            item = Item.objects.get(pk=rice_a.pk)
            barrier.wait(timeout=10)
            services.redeem(actor=worker_a, participant=p, item=item, quantity=1)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=shop) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2
    assert results.count("ok") == 1
    refusal = next(r for r in results if r != "ok")
    assert "积分余额不足" in refusal
    participant.refresh_from_db()
    rice_a.refresh_from_db()
    assert participant.balance == 2 and rice_a.stock == 2
    assert Redemption.objects.count() == 1 and Entry.objects.filter(kind=Entry.Kind.REDEMPTION).count() == 1
