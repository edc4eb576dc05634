"""The "13710" discipline on a controlled clock: each colour and label appears exactly when due, not before."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.disputes import selectors, services
from fengqiao.disputes.clocks import DISPUTE_CLOCKS, FLAG_LABELS
from fengqiao.disputes.models import DisputeType
from tests.disputes.conftest import T0, file_dispute

H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


def state_at(dispute, now):
    row = DISPUTE_CLOCKS.annotate(type(dispute).objects.filter(pk=dispute.pk), now).get()
    return row.colour, row.flag


def test_a_new_case_is_green_until_24_hours_after_entry(dispute):
    assert state_at(dispute, T0) == ("green", "")
    assert state_at(dispute, T0 + 24 * H) == ("green", "")


def test_an_unassigned_case_turns_orange_just_after_24_hours(dispute):
    assert state_at(dispute, T0 + 24 * H + S) == ("orange", "late_assign")
    assert str(FLAG_LABELS["late_assign"]) == "未按时分配"


def test_registering_without_assigning_does_not_stop_the_assignment_clock(dispute, centre_a):
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    assert state_at(dispute, T0 + 24 * H + S) == ("orange", "late_assign")


def test_assigning_in_time_keeps_the_case_green_until_the_mediators_24_hours_run_out(dispute, centre_a, mediation):
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    services.assign(actor=centre_a, dispute=dispute, mediator=mediation["neighbour_expert"], now=T0 + 20 * H)
    assert state_at(dispute, T0 + 25 * H) == ("green", "")
    assert state_at(dispute, T0 + 44 * H) == ("green", "")
    assert state_at(dispute, T0 + 44 * H + S) == ("orange", "late_update")
    assert str(FLAG_LABELS["late_update"]) == "未按时处理纠纷"


def test_a_late_assignment_stays_orange_late_assign_never_until_assigned(dispute, centre_a, mediation):
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    assert state_at(dispute, T0 + 30 * H)[1] == "late_assign"
    services.assign(actor=centre_a, dispute=dispute, mediator=mediation["neighbour_expert"], now=T0 + 30 * H)
    assert state_at(dispute, T0 + 30 * H) == ("green", "")


def test_the_mediators_first_update_stops_the_update_clock(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    services.assign(actor=centre_a, dispute=dispute, mediator=m, now=T0 + 2 * H)
    services.post_update(actor=m.user, dispute=dispute, text="已电话联系双方", now=T0 + 3 * H)
    assert state_at(dispute, T0 + 40 * H) == ("green", "")


def test_an_open_case_turns_red_just_after_30_days(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    services.assign(actor=centre_a, dispute=dispute, mediator=m, now=T0 + 2 * H)
    services.accept(actor=m.user, dispute=dispute, now=T0 + 3 * H)
    assert state_at(dispute, T0 + dt.timedelta(days=30)) == ("green", "")
    assert state_at(dispute, T0 + dt.timedelta(days=30) + S) == ("red", "late_close")
    assert str(FLAG_LABELS["late_close"]) == "超过办结期限"


def test_red_outranks_orange(dispute):
    assert state_at(dispute, T0 + dt.timedelta(days=31)) == ("red", "late_close")


def test_a_resolved_case_has_no_30_day_clock(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute, now=T0 + H)
    services.assign(actor=centre_a, dispute=dispute, mediator=m, now=T0 + 2 * H)
    services.accept(actor=m.user, dispute=dispute, now=T0 + 3 * H)
    services.record_session(
        actor=m.user,
        dispute=dispute,
        held_at=T0 + 4 * H,
        place="调解室",
        participants="双方",
        notes="调解",
        now=T0 + 4 * H,
    )
    services.resolve(actor=m.user, dispute=dispute, result="达成协议", now=T0 + 5 * H)
    services.record_revisit(actor=m.user, dispute=dispute, note="已履行", now=T0 + 48 * H)
    assert state_at(dispute, T0 + dt.timedelta(days=40)) == ("", "")


def test_the_clocks_follow_the_type(tree, types, mediation):
    quick = DisputeType.objects.create(code="urgent", name="紧急纠纷", assign_hours=2, close_days=10)
    d = file_dispute(tree, types, type=quick)
    assert state_at(d, T0 + 2 * H) == ("green", "")
    assert state_at(d, T0 + 2 * H + S) == ("orange", "late_assign")
    assert state_at(d, T0 + dt.timedelta(days=10) + S) == ("red", "late_close")


def test_counts_per_colour_per_unit_are_computed_in_one_place(tree, types, mediation, dispatcher):
    file_dispute(tree, types)  # 甲街道, will be orange at T0+25h
    file_dispute(tree, types, now=T0 - dt.timedelta(days=31))  # 甲街道, red
    file_dispute(tree, types, grid=tree["410105002001"], lon=113.612, lat=34.702)  # 乙街道, orange
    rows = {u.node.code: u for u in selectors.unit_colour_counts(actor=dispatcher, now=T0 + 25 * H)}
    assert (rows["410105001"].green, rows["410105001"].orange, rows["410105001"].red) == (0, 1, 1)
    assert (rows["410105002"].orange, rows["410105002"].flags) == (1, {"late_assign": 1})
    counts = selectors.colour_counts(actor=dispatcher, now=T0 + 25 * H)
    assert (counts["red"], counts["orange"], counts["late_assign"]) == (1, 2, 2)


@pytest.mark.parametrize("hours", [0, 23])
def test_no_label_shows_before_its_time(dispute, hours):
    assert state_at(dispute, T0 + hours * H)[1] == ""


def test_a_county_running_1_3_7_10_day_stages_sets_them_in_settings_and_the_colours_follow(tree, types, settings):
    """One day to assign, three to the first update, seven to close, ten to the return visit: no code changes."""
    settings.FENGQIAO_DISPUTE_CLOCKS = {"assign": "1d", "update": "3d", "close": "7d", "revisit": "10d"}
    day = dt.timedelta(days=1)
    d = file_dispute(tree, types)
    assert state_at(d, T0 + day) == ("green", "")
    assert state_at(d, T0 + day + S) == ("orange", "late_assign")
    assert state_at(d, T0 + 7 * day + S) == ("red", "late_close")


def test_the_county_clocks_also_drive_the_mediator_and_return_visit_stages(dispute, centre_a, mediation, settings):
    settings.FENGQIAO_DISPUTE_CLOCKS = {"assign": "1d", "update": "3d", "close": "7d", "revisit": "10d"}
    m = mediation["neighbour_expert"]
    services.assign(
        actor=centre_a,
        dispute=services.register(actor=centre_a, dispute=dispute, now=T0 + H),
        mediator=m,
        now=T0 + 2 * H,
    )
    assert state_at(dispute, T0 + 2 * H + dt.timedelta(days=3)) == ("green", "")
    assert state_at(dispute, T0 + 2 * H + dt.timedelta(days=3) + S) == ("orange", "late_update")


def test_a_type_of_its_own_wins_over_the_county_clock(tree, types, settings):
    settings.FENGQIAO_DISPUTE_CLOCKS = {"assign": "1d", "update": "3d", "close": "7d", "revisit": "10d"}
    quick = DisputeType.objects.create(code="urgent2", name="紧急纠纷", assign_hours=2)
    d = file_dispute(tree, types, type=quick)
    assert state_at(d, T0 + 2 * H + S) == ("orange", "late_assign")
    assert state_at(d, T0 + dt.timedelta(days=7) + S) == ("red", "late_close")  # close follows the county
