"""Reading disputes: jurisdiction, assignment suggestion, what the applicant's tracking shows, figures."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.disputes import selectors, services
from fengqiao.disputes.models import Dispute
from tests.disputes.conftest import RESPONDENT_ID, RESPONDENT_PHONE, T0, file_dispute

H = dt.timedelta(hours=1)


def test_a_mediator_of_another_township_cannot_open_the_case(dispute, mediation):
    with pytest.raises(Dispute.DoesNotExist):  # refused exactly like a missing case
        selectors.dispute_detail(actor=mediation["other_township"].user, code=dispute.tracking_code)


def test_a_mediator_of_another_township_does_not_see_it_in_any_list(dispute, mediation):
    assert not selectors.dispute_queue(actor=mediation["other_township"].user).exists()


def test_a_mediator_from_a_district_organisation_sees_the_cases_assigned_to_them(tree, types, mediation, centre_a):
    d = file_dispute(tree, types, type=types["property"])
    services.register(actor=centre_a, dispute=d)
    services.assign(actor=centre_a, dispute=d, mediator=mediation["property"])
    assert selectors.dispute_detail(actor=mediation["property"].user, code=d.tracking_code).pk == d.pk


def test_the_suggestion_is_the_specialist_serving_the_grid(dispute, mediation):
    first = selectors.suggest_mediators(dispute=dispute)[0]
    assert first.mediator == mediation["neighbour_expert"]


def test_the_suggestion_prefers_the_lighter_caseload_among_equals(tree, types, mediation, centre_a):
    from tests.disputes.conftest import make_mediator

    twin = make_mediator("med_twin", mediation["village"], name="冯调解", specialties=[types["neighbours"]])
    busy = file_dispute(tree, types)
    services.register(actor=centre_a, dispute=busy)
    services.assign(actor=centre_a, dispute=busy, mediator=mediation["neighbour_expert"])
    fresh = file_dispute(tree, types)
    assert selectors.suggest_mediators(dispute=fresh)[0].mediator == twin


def test_industry_mediation_comes_first_for_its_types(tree, types, mediation):
    d = file_dispute(tree, types, type=types["property"])
    assert selectors.suggest_mediators(dispute=d)[0].mediator == mediation["property"]


def test_community_mediation_is_the_fallback_for_a_type_nobody_specialises_in(tree, types, mediation):
    d = file_dispute(tree, types, type=types["construction"])  # on the default ladder; consumer has its own
    names = [s.mediator for s in selectors.suggest_mediators(dispute=d)]
    assert mediation["property"] not in names
    assert names[0].organisation == mediation["village"]


def test_a_consumer_dispute_climbs_the_industry_ladder_and_no_other_field_or_kind_is_suggested(tree, types, mediation):
    d = file_dispute(tree, types, type=types["consumer"])
    assert d.ladder == "industry" and d.tier_name == "行业调解组织调"
    # Neither the village's people's mediators (wrong kind) nor the property organisation (another field) fit.
    assert selectors.suggest_mediators(dispute=d) == []


def test_at_a_township_tier_the_township_committee_is_suggested(tree, types, mediation):
    d = file_dispute(tree, types)
    Dispute.objects.filter(pk=d.pk).update(tier=3)  # 听证调: a township tier that takes people's mediators
    d.refresh_from_db()
    assert selectors.suggest_mediators(dispute=d)[0].mediator == mediation["township_mediator"]


def test_the_public_tracking_shows_each_stage_but_no_names(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute)
    services.assign(actor=centre_a, dispute=dispute, mediator=m)
    services.accept(actor=m.user, dispute=dispute)
    _, stages = selectors.public_tracking(code=dispute.tracking_code)
    labels = [s.label for s in stages]
    assert labels == ["纠纷已提交", "综治中心已受理", "已分派调解员", "调解员已接单"]
    text = " ".join(f"{s.label} {s.note}" for s in stages)
    assert "李四" not in text and "孙调解" not in text and RESPONDENT_PHONE not in text and RESPONDENT_ID not in text


def test_figures_count_entered_resolved_and_the_tier(tree, types, mediation, centre_a, dispatcher):
    m = mediation["neighbour_expert"]
    d = file_dispute(tree, types)
    file_dispute(tree, types)
    services.register(actor=centre_a, dispute=d, now=T0 + H)
    services.assign(actor=centre_a, dispute=d, mediator=m, now=T0 + 2 * H)
    services.accept(actor=m.user, dispute=d, now=T0 + 3 * H)
    services.record_session(
        actor=m.user, dispute=d, held_at=T0 + 4 * H, place="调解室", participants="双方", notes="调解", now=T0 + 4 * H
    )
    services.resolve(actor=m.user, dispute=d, result="达成协议", now=T0 + 2 * 24 * H)
    f = selectors.figures(actor=dispatcher)
    assert (f.total.entered, f.total.resolved, f.total.on_time) == (2, 1, 1)
    assert f.total.resolution_rate == 0.5
    assert f.total.average_days == pytest.approx(2.0)
    assert f.by_tier[0].resolved == 1 and f.village_share == 1.0
    assert [r.label for r in f.by_unit] == ["甲街道", "乙街道"]
    assert f.by_unit[0].entered == 2
