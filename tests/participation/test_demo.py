"""The demo city's points: every community with a centre gets rules, residents with ledgers and a supermarket."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from fengqiao.participation.demo import generate_participation
from fengqiao.participation.models import Claim, Entry, Item, Participant, Redemption, Review, Rule, Scheme, Task, Team

pytestmark = pytest.mark.django_db


def test_the_demo_city_gets_points_and_supermarkets_in_its_communities():
    from fengqiao.demo.generator import generate
    from fengqiao.grids.models import GridNode, Level

    generate(scale="small")
    done = generate_participation(seed=3)
    assert done == Scheme.objects.count() == GridNode.objects.filter(level=Level.COMMUNITY).count()
    assert Rule.objects.filter(label="参与治安巡逻", points=10).count() == done
    assert Item.objects.count() == 5 * done and Redemption.objects.exists()
    for participant in Participant.objects.all():
        total = participant.entries.aggregate(s=Sum("points"))["s"] or 0
        assert participant.balance == total >= 0
    assert Entry.objects.filter(kind=Entry.Kind.AWARD).exists()
    # Teams, patrol slots (past ones recorded with points, coming ones open), a review of every party member.
    assert Team.objects.filter(name="红袖章巡逻队").count() == done
    recorded = Task.objects.filter(kind=Task.Kind.PATROL, recorded_at__isnull=False)
    assert recorded.count() == 3 * done
    assert Task.objects.filter(kind=Task.Kind.PATROL, recorded_at__isnull=True).count() == 2 * done
    assert Claim.objects.filter(present=True, entry__isnull=False).exists()
    for claim in Claim.objects.filter(entry__isnull=False):
        assert claim.entry.participant_id == claim.participant_id and claim.present
    for task in Task.objects.all():
        assert task.claimed == task.claims.filter(cancelled_at__isnull=True).count() <= task.places
    members = Participant.objects.filter(kind=Participant.Kind.PARTY_MEMBER).count()
    assert members and Review.objects.count() == 2 * members
    assert generate_participation(seed=3) == 0  # a second run adds nothing
