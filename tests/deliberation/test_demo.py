"""The demo city's deliberation: every community with a points scheme gets topics in several states and a board."""

from __future__ import annotations

import time

import pytest

from fengqiao.deliberation import workflow
from fengqiao.deliberation.demo import generate_deliberation
from fengqiao.deliberation.models import Notice, Topic, Vote
from fengqiao.participation.demo import generate_participation

pytestmark = pytest.mark.django_db


def test_the_demo_city_gets_topics_in_several_states_and_notice_boards():
    from fengqiao.demo.generator import generate

    generate(scale="small")
    generate_participation(seed=3)
    started = time.monotonic()
    done = generate_deliberation(seed=3)
    assert done > 0 and time.monotonic() - started < 60
    states = set(Topic.objects.values_list("state", flat=True))
    assert {workflow.RATED, workflow.VOTING, workflow.MEETING, workflow.RAISED, workflow.DECLINED} <= states
    assert Vote.objects.exists()
    assert Notice.objects.filter(withdrawn_at__isnull=True).count() == 3 * done
    assert Notice.objects.filter(withdrawn_at__isnull=False).count() == done
    assert generate_deliberation(seed=3) == 0  # a second run adds nothing
