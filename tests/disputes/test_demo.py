"""Demo data: organisations for every community, cases in many states whose audit trail matches their state."""

from __future__ import annotations

from collections import Counter

from fengqiao.accounts.models import Role
from fengqiao.core.models import Action
from fengqiao.disputes import selectors
from fengqiao.disputes.demo import generate_disputes
from fengqiao.disputes.models import Dispute, Mediator, Organisation
from fengqiao.disputes.workflow import DISPUTE_FLOW
from tests.factories import make_user


def test_the_demo_fills_the_tree_with_organisations_mediators_and_cases(tree, superuser):
    make_user("demo_med", role=Role.MEDIATOR, node=tree["410105001001"])
    created = generate_disputes(rng_seed=7, months=6, per_community=60)
    assert created == 120 == Dispute.objects.count()
    assert Organisation.objects.filter(kind=Organisation.Kind.VILLAGE).count() == 2
    assert Mediator.objects.filter(user__username="demo_med").exists()
    states = Counter(Dispute.objects.values_list("state", flat=True))
    assert set(states) <= set(DISPUTE_FLOW.states) and len(states) >= 4
    counts = selectors.colour_counts(actor=superuser)
    assert counts["green"] > 0 and counts["red"] + counts["orange"] > 0


def test_every_demo_case_ends_its_trail_in_its_state(tree):
    generate_disputes(rng_seed=3, months=3, per_community=20)
    for d in Dispute.objects.all()[:40]:
        last = Action.objects.for_object(d).order_by("-at", "-id").first()
        assert last is not None and last.to_state == d.state


def test_running_the_demo_twice_adds_cases_but_not_organisations(tree):
    generate_disputes(rng_seed=1, months=1, per_community=2)
    orgs = Organisation.objects.count()
    generate_disputes(rng_seed=2, months=1, per_community=2)
    assert Organisation.objects.count() == orgs and Dispute.objects.count() == 8


def test_the_demo_draws_every_source_in_the_seeds_proportions_each_tier_with_its_kind_of_mediator(tree):
    from fengqiao.disputes import tiers
    from fengqiao.disputes.demo import SOURCE_WEIGHTS
    from fengqiao.disputes.models import REFERRING_SOURCES, Source

    make_user("street_leader", role=Role.LEADER, node=tree["410105001"])
    generate_disputes(rng_seed=11, months=6, per_community=200)
    sources = Counter(Dispute.objects.values_list("source", flat=True))
    assert set(sources) == set(SOURCE_WEIGHTS)  # every channel, 事件转入 coming from the events demo instead
    assert sources.most_common(1)[0][0] == Source.GRID  # grid workers' screening finds the most
    referred = Dispute.objects.filter(source__in=REFERRING_SOURCES)
    assert referred.exists() and not referred.filter(referrer__isnull=True).exists()
    assert not referred.filter(source_ref="").exists()
    for d in Dispute.objects.exclude(mediator__isnull=True).select_related("mediator")[:300]:
        assert tiers.tier(d.tier, ladder=d.ladder).accepts(d.mediator.kind), d.tracking_code
    assert Dispute.objects.filter(ladder="industry").exists() and Dispute.objects.filter(ladder="family").exists()
    red = Dispute.objects.filter(risk="red", grid_path__startswith=tree["410105001"].path).exclude(state="submitted")
    assert red.exists() and not red.filter(leader__isnull=True).exists()
    f = selectors.figures(actor=make_user("fig_root", is_superuser=True))
    assert f.total.resolution_rate is not None and f.total.resolution_rate > 0.8
