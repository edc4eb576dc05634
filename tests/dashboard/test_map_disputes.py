"""The one map counts disputes as the disputes figures do: entered and resolved in the period, and 化解率, per area,
with a link to the ledger behind them."""

from __future__ import annotations

from fengqiao.dashboard import selectors
from fengqiao.disputes import selectors as dispute_selectors
from fengqiao.metrics import selectors as metrics
from fengqiao.metrics.services import fold_pending
from tests.disputes.conftest import centre_a, file_dispute, mediation, types  # noqa: F401
from tests.disputes.test_figures_ledger import resolve_with
from tests.factories import make_user


def test_the_map_shows_the_same_dispute_figures_as_the_ledger(tree, types, mediation, centre_a):  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    resolved = file_dispute(tree, types, now=now - dt.timedelta(hours=6))
    resolve_with(resolved, centre_a, mediation["neighbour_expert"], now - dt.timedelta(hours=1))
    file_dispute(tree, types, now=now - dt.timedelta(hours=5))
    fold_pending()
    leader = make_user("map_leader", role="leader", node=tree["410105"], password=None)
    # A period that holds both cases whatever the hour the test runs (a calendar year may begin between them).
    period = metrics.Period("year", timezone.localdate(now) - dt.timedelta(days=2), timezone.localdate(now))
    data = selectors.map_payload(actor=leader, code="410105", period=period)
    street = next(c for c in data["children"] if c["code"] == "410105001")
    ledger = dispute_selectors.figures(actor=leader, since=period.start, until=period.end)
    assert (street["figures"]["disputes_entered"], street["figures"]["disputes_resolved"]) == (2, 1)
    assert street["figures"]["resolution_rate"] == ledger.total.resolution_rate == 0.5
    assert data["node"]["figures"]["resolution_rate"] == 0.5
    assert street["links"]["disputes"].startswith("/disputes/?grid=410105001")
    assert {"disputes_entered", "resolution_rate"} <= {c["key"] for c in data["figure_choices"]}
