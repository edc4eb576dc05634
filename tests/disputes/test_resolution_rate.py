"""化解率 has one definition: disputes resolved ÷ disputes entered in the period (排查矛盾纠纷 N 件，化解 M 件),
the same on the disputes figures and in the metrics indicator."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.disputes import selectors, services
from fengqiao.metrics import selectors as metrics
from fengqiao.metrics.services import fold_pending
from tests.disputes.conftest import T0, file_dispute

H = dt.timedelta(hours=1)


def test_the_rate_is_resolved_over_entered():
    assert selectors.resolution_rate(resolved=7969, entered=8023) == pytest.approx(0.9933, abs=5e-5)
    assert selectors.resolution_rate(resolved=0, entered=0) is None
    assert selectors.resolution_rate(resolved=3, entered=2) == 1.0  # a rate never reads above 100%


def test_the_disputes_figures_and_the_metrics_indicator_give_the_same_rate(
    tree, types, mediation, centre_a, dispatcher
):
    m = mediation["neighbour_expert"]
    resolved = file_dispute(tree, types)
    file_dispute(tree, types)  # entered, still open: it counts against the rate
    withdrawn = file_dispute(tree, types)
    services.register(actor=centre_a, dispute=resolved, now=T0 + H)
    services.assign(actor=centre_a, dispute=resolved, mediator=m, now=T0 + 2 * H)
    services.accept(actor=m.user, dispute=resolved, now=T0 + 3 * H)
    services.record_session(
        actor=m.user,
        dispute=resolved,
        held_at=T0 + 4 * H,
        place="调解室",
        participants="双方",
        notes="调解",
        now=T0 + 4 * H,
    )
    services.resolve(actor=m.user, dispute=resolved, result="达成协议", now=T0 + 2 * 24 * H)
    services.withdraw(actor=centre_a, dispute=withdrawn, reason="申请人撤回", now=T0 + 24 * H)
    fold_pending()
    march = metrics.Period("month", dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    node = tree["410105"]
    indicator = metrics.stats([node.path], march)[node.path].rates["resolution"]
    page = selectors.figures(actor=dispatcher, since=march.start, until=march.end).total.resolution_rate
    assert page == indicator == pytest.approx(1 / 3)
