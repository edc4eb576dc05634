"""One set of figures: a case counts as entered on its entry day and as resolved on its conclusion day, the page and
the metrics indicator agree, and 小事不出村 / 大事不出镇 / 矛盾不上交 follow the resolving organisation's level."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.disputes import selectors, services
from fengqiao.disputes.models import Dispute, Mediator, Source
from fengqiao.metrics import selectors as metrics
from fengqiao.metrics.services import fold_pending
from tests.disputes.conftest import T0, file_dispute

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def resolve_with(dispute: Dispute, centre, mediator: Mediator, at: dt.datetime) -> Dispute:
    """Register, assign, accept, hold one session and resolve, the last step at ``at``."""
    start = dispute.entered_at
    services.register(actor=centre, dispute=dispute, now=start + H)
    services.assign(actor=centre, dispute=dispute, mediator=mediator, now=start + 2 * H)
    services.accept(actor=mediator.user, dispute=dispute, now=start + 3 * H)
    services.record_session(
        actor=mediator.user,
        dispute=dispute,
        held_at=start + 4 * H,
        place="调解室",
        participants="双方",
        notes="调解",
        now=start + 4 * H,
    )
    return services.resolve(actor=mediator.user, dispute=dispute, result="达成协议", now=at)


def test_a_case_counts_as_entered_in_one_month_and_resolved_in_the_next_on_the_page_and_in_the_indicator(
    tree, types, mediation, centre_a, dispatcher
):
    late = file_dispute(tree, types, now=T0.replace(day=29))  # entered 29 March
    resolve_with(late, centre_a, mediation["neighbour_expert"], T0.replace(month=4, day=2))
    fold_pending()
    node = tree["410105"]
    for month, entered, resolved in ((3, 1, 0), (4, 0, 1)):
        period = metrics.month_period(dt.date(2024, month, 1))
        page = selectors.figures(actor=dispatcher, since=period.start, until=period.end).total
        counted = metrics.stats([node.path], period)[node.path]
        assert (page.entered, page.resolved) == (entered, resolved)
        assert (counted.counts["disputes_entered"], counted.counts["disputes_resolved"]) == (entered, resolved)
        assert page.resolution_rate == counted.rates["resolution"]
    whole = selectors.figures(actor=dispatcher).total
    assert (whole.entered, whole.resolved, whole.resolution_rate) == (1, 1, 1.0)


def test_the_sayings_follow_the_level_of_the_organisation_that_resolved_the_case_not_the_tier_label(
    tree, types, mediation, centre_a, dispatcher
):
    village = resolve_with(file_dispute(tree, types), centre_a, mediation["neighbour_expert"], T0 + 2 * D)
    township = resolve_with(file_dispute(tree, types), centre_a, mediation["township_mediator"], T0 + 2 * D)
    district = resolve_with(
        file_dispute(tree, types, type=types["property"]), centre_a, mediation["property"], T0 + 2 * D
    )
    file_dispute(tree, types)  # still open: counts as entered only
    assert village.tier == township.tier == district.tier == 0  # all on the first tier of their ladders
    f = selectors.figures(actor=dispatcher)
    shares = {level.label: (level.resolved, level.share) for level in f.levels}
    assert shares["小事不出村"] == (1, pytest.approx(1 / 3))
    assert shares["大事不出镇"] == (2, pytest.approx(2 / 3))
    assert shares["矛盾不上交"] == (3, 1.0)
    assert (f.total.entered, f.total.resolved) == (4, 3)
    organisations = {r.label: (r.entered, r.resolved) for r in f.by_organisation}
    assert organisations == {
        "甲社区人民调解委员会": (1, 1),
        "甲街道人民调解委员会": (1, 1),
        "金水区物业纠纷调解中心": (1, 1),
    }


def test_the_figures_split_by_source_and_never_count_a_case_the_actor_cannot_see(
    tree, types, mediation, centre_a, dispatcher
):
    file_dispute(tree, types)
    file_dispute(tree, types, actor=centre_a, source=Source.WALK_IN)
    file_dispute(tree, types, actor=centre_a, source=Source.WALK_IN)
    by_source = {r.key: r.entered for r in selectors.figures(actor=dispatcher).by_source}
    assert by_source == {"walk_in": 2, "qr": 1}
    labels = {r.key: r.label for r in selectors.figures(actor=dispatcher).by_source}
    assert labels["walk_in"] == "来访（中心窗口）"
    # 乙街道's centre sees none of 甲街道's cases in any line of its figures.
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    other = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"])
    f = selectors.figures(actor=other)
    assert f.total.entered == 0 and f.by_source == [] and f.by_type == []


def test_the_figures_page_offers_periods_and_shows_the_sayings(client, tree, types, mediation, centre_a):
    file_dispute(tree, types)
    client.force_login(centre_a)
    page = client.get("/disputes/figures/?period=all").content.decode()
    for text in ("小事不出村", "大事不出镇", "矛盾不上交", "按来源", "按调解组织", "扫码自助"):
        assert text in page
    assert 'aria-current="page"' in page
    assert client.get("/disputes/figures/?period=bogus").status_code == 200  # read as 本年, never an error
