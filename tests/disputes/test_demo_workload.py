"""The demo's `mediator` login opens a workspace with work in it, as a mediator's day would."""

from __future__ import annotations

from collections import Counter

from fengqiao.accounts.models import Role
from fengqiao.core.models import Action
from fengqiao.disputes import selectors, tiers
from fengqiao.disputes.demo import generate_disputes
from tests.factories import make_user


def test_the_demo_mediator_has_open_cases_in_every_working_state_and_one_orange(tree):
    mediator = make_user("mediator", role=Role.MEDIATOR, node=tree["410105001"], password=None)
    generate_disputes(rng_seed=7, months=1, per_community=2)
    cases = list(selectors.my_cases(actor=mediator))
    states = Counter(c.state for c in cases)
    assert states["assigned"] >= 1 and states["accepted"] >= 1 and states["mediating"] >= 1
    colours = Counter(c.colour for c in cases)
    assert colours["orange"] >= 1 and colours["green"] >= 2
    assert all(c.grid_path.startswith(tree["410105001"].path) for c in cases)
    # Each case stands on its type's own ladder, at a tier that takes this mediator's kind.
    for c in cases:
        assert c.ladder == tiers.ladder_code(c.type.ladder)
        assert tiers.tier(c.tier, ladder=c.ladder).accepts(c.mediator.kind), c.tracking_code


def test_the_demo_mediators_cases_have_a_trail_ending_in_their_state(tree):
    mediator = make_user("mediator", role=Role.MEDIATOR, node=tree["410105001"], password=None)
    generate_disputes(rng_seed=7, months=1, per_community=2)
    for case in selectors.my_cases(actor=mediator):
        last = Action.objects.for_object(case).order_by("-at", "-id").first()
        assert last is not None and last.to_state == case.state


def test_a_demo_without_the_mediator_login_still_loads(tree):
    assert generate_disputes(rng_seed=7, months=1, per_community=2) == 4
