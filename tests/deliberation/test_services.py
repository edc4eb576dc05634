"""Deliberation's rules, attacked: another community's staff, forged bindings, votes out of turn, on another topic's
option, from a second member of a household or from outside the grids, grids outside the community, the clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fengqiao.core import deadlines
from fengqiao.core.errors import DomainError, NotFound, OutsideJurisdiction, WorkflowError
from fengqiao.core.models import Action
from fengqiao.deliberation import clocks, services, workflow
from fengqiao.deliberation.errors import DeliberationErrorCode as Code
from fengqiao.deliberation.models import Attendance, Binding, Topic, Vote
from fengqiao.participation import services as points
from fengqiao.participation.models import Entry, Rule
from tests.deliberation.conftest import home, join

pytestmark = pytest.mark.django_db

GRID_A1, GRID_A2, GRID_B1 = "410105001001001", "410105001001002", "410105002001001"


@pytest.fixture
def topic(centre_a, tree, scheme_a):
    return services.raise_topic(
        actor=centre_a,
        community=tree["410105001001"],
        title="加装电梯",
        body="3号楼加装电梯的费用分摊",
        grids=[tree[GRID_A1]],
    )


@pytest.fixture
def voters(tree, scheme_a, worker_a, worker_a2):
    """Three households of 甲一网格 with a bound participant each, and one of 甲二网格 (outside the topic's grid)."""
    people = {}
    for name, phone, grid, worker in [
        ("王一", "13800000001", GRID_A1, worker_a),
        ("王二", "13800000002", GRID_A1, worker_a),
        ("王三", "13800000003", GRID_A1, worker_a),
        ("李四", "13800000004", GRID_A2, worker_a2),
    ]:
        p = join(scheme_a, name, phone)
        services.bind(actor=worker, participant=p, household=home(tree[grid]))
        people[name] = p
    return people


def voting(topic, centre, labels=("同意", "不同意")):
    services.accept(actor=centre, topic=topic)
    services.set_options(actor=centre, topic=topic, labels=list(labels))
    return services.open_vote(actor=centre, topic=topic)


# Raising.


def test_a_resident_raises_a_topic_from_their_participant(tree, scheme_a):
    p = join(scheme_a, "王小明", "13900000000")
    t = services.raise_topic(
        actor=None,
        participant=p,
        community=tree["410105001001"],
        title="修路灯",
        body="小区路灯坏了",
        grids=[tree[GRID_A1]],
    )
    assert t.state == workflow.RAISED and t.raised_by == p and t.code.startswith("YS")
    assert Action.objects.filter(verb="topic_raise", object_id=str(t.pk)).exists()


def test_raising_for_a_grid_of_another_community_is_refused(centre_a, tree, scheme_a):
    with pytest.raises(DomainError) as refused:
        services.raise_topic(
            actor=centre_a, community=tree["410105001001"], title="x", body="y", grids=[tree[GRID_A1], tree[GRID_B1]]
        )
    assert refused.value.code == Code.GRIDS_OUTSIDE and not Topic.objects.exists()


def test_raising_for_the_community_node_itself_or_no_grid_is_refused(centre_a, tree, scheme_a):
    with pytest.raises(DomainError) as itself:
        services.raise_topic(
            actor=centre_a, community=tree["410105001001"], title="x", body="y", grids=[tree["410105001001"]]
        )
    assert itself.value.code == Code.GRIDS_OUTSIDE
    with pytest.raises(DomainError) as none:
        services.raise_topic(actor=centre_a, community=tree["410105001001"], title="x", body="y", grids=[])
    assert none.value.code == Code.GRIDS_REQUIRED


def test_a_resident_of_another_community_cannot_raise_here(tree, scheme_a, scheme_b):
    stranger = join(scheme_b, "孙丽", "13900139000")
    with pytest.raises(NotFound):
        services.raise_topic(
            actor=None, participant=stranger, community=tree["410105001001"], title="x", body="y", grids=[tree[GRID_A1]]
        )


def test_staff_of_another_community_cannot_raise_accept_or_decline(centre_b, tree, topic):
    with pytest.raises(OutsideJurisdiction):
        services.raise_topic(actor=centre_b, community=tree["410105001001"], title="x", body="y", grids=[tree[GRID_A1]])
    with pytest.raises(OutsideJurisdiction):
        services.accept(actor=centre_b, topic=topic)
    with pytest.raises(OutsideJurisdiction):
        services.decline(actor=centre_b, topic=topic, reason="不归我们管")
    topic.refresh_from_db()
    assert topic.state == workflow.RAISED


def test_a_grid_worker_is_one_step_too_low_to_accept(worker_a, topic):
    with pytest.raises(OutsideJurisdiction) as refused:
        services.accept(actor=worker_a, topic=topic)
    assert refused.value.code == Code.NOT_CENTRE


def test_declining_needs_a_reason_and_shows_it(centre_a, topic):
    with pytest.raises(WorkflowError):
        services.decline(actor=centre_a, topic=topic, reason="  ")
    services.decline(actor=centre_a, topic=topic, reason="属于物业合同纠纷，请走调解")
    topic.refresh_from_db()
    assert topic.state == workflow.DECLINED and "物业" in topic.declined_reason


def test_a_promised_date_in_the_past_is_refused(centre_a, topic):
    with pytest.raises(DomainError) as refused:
        services.accept(actor=centre_a, topic=topic, answer_on=timezone.localdate() - dt.timedelta(days=1))
    assert refused.value.code == Code.BAD_DATE


# The answer clock.


def test_the_answer_clock_runs_from_acceptance_to_the_promised_date(centre_a, topic, settings):
    settings.FENGQIAO_DELIBERATION_ANSWER_DAYS = 10
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(start, tick=False):
        services.accept(actor=centre_a, topic=topic, now=timezone.now())
    topic.refresh_from_db()
    assert topic.answer_on == dt.date(2026, 3, 12)
    assert topic.answer_due_at == clocks.end_of(dt.date(2026, 3, 12))

    def colour(at):
        return clocks.TOPIC_CLOCKS.annotate(Topic.objects.filter(pk=topic.pk), at).get()

    assert colour(start + dt.timedelta(days=2)).colour == "green"
    nearly = colour(start + dt.timedelta(days=9))
    assert (nearly.colour, nearly.flag) == ("orange", "answer_nearly_due")
    late = colour(start + dt.timedelta(days=11))
    assert (late.colour, late.flag) == ("red", "answer_missed")
    sent = deadlines.send_warnings(now=start + dt.timedelta(days=11))
    assert sent["deliberation.answer_missed"] == 1
    assert deadlines.send_warnings(now=start + dt.timedelta(days=12))["deliberation.answer_missed"] == 0


def test_the_decision_stops_the_answer_clock(centre_a, topic, voters):
    voting(topic, centre_a)
    services.vote(participant=voters["王一"], topic=topic, option=topic.options.first())
    services.decide(actor=centre_a, topic=topic, text="同意加装")
    topic.refresh_from_db()
    assert topic.answer_due_at is None
    later = clocks.TOPIC_CLOCKS.annotate(Topic.objects.filter(pk=topic.pk), timezone.now() + dt.timedelta(days=60))
    assert later.get().colour == ""


# Bindings.


def test_a_worker_cannot_bind_a_household_of_another_grid(tree, scheme_a, worker_a):
    p = join(scheme_a, "王小明", "13900000000")
    with pytest.raises(OutsideJurisdiction) as refused:
        services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A2]))
    assert refused.value.code == Code.HOUSEHOLD_OUTSIDE and not Binding.objects.exists()


def test_binding_a_participant_to_a_household_of_another_community_is_refused(tree, scheme_a, centre_a, superuser):
    p = join(scheme_a, "王小明", "13900000000")
    with pytest.raises(OutsideJurisdiction):
        services.bind(actor=superuser, participant=p, household=home(tree[GRID_B1]))
    assert not Binding.objects.exists()


def test_another_communitys_centre_cannot_bind(tree, scheme_a, centre_b):
    p = join(scheme_a, "王小明", "13900000000")
    with pytest.raises(OutsideJurisdiction):
        services.bind(actor=centre_b, participant=p, household=home(tree[GRID_A1]))


def test_a_participant_has_one_current_binding(tree, scheme_a, worker_a):
    p = join(scheme_a, "王小明", "13900000000")
    first = services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A1]))
    with pytest.raises(DomainError) as refused:
        services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A1]))
    assert refused.value.code == Code.ALREADY_BOUND
    services.unbind(actor=worker_a, binding=first)
    services.bind(actor=worker_a, participant=p, household=home(tree[GRID_A1]))
    assert Binding.objects.filter(participant=p).count() == 2


# Voting.


def test_one_household_one_vote(centre_a, topic, voters, tree, worker_a):
    voting(topic, centre_a)
    yes = topic.options.get(label="同意")
    services.vote(participant=voters["王一"], topic=topic, option=yes)
    # Another member of 王一's household, bound by the grid worker to the same household:
    household = Binding.objects.get(participant=voters["王一"]).household
    spouse = join(topic.community.points_scheme, "王一妻", "13800000009")
    services.bind(actor=worker_a, participant=spouse, household=household)
    with pytest.raises(DomainError) as second:
        services.vote(participant=spouse, topic=topic, option=topic.options.get(label="不同意"))
    assert second.value.code == Code.ALREADY_VOTED
    with pytest.raises(DomainError) as again:
        services.vote(participant=voters["王一"], topic=topic, option=yes)
    assert again.value.code == Code.ALREADY_VOTED
    assert Vote.objects.filter(topic=topic).count() == 1


def test_a_household_outside_the_topics_grids_is_refused(centre_a, topic, voters):
    voting(topic, centre_a)
    with pytest.raises(DomainError) as refused:
        services.vote(participant=voters["李四"], topic=topic, option=topic.options.first())
    assert refused.value.code == Code.OUTSIDE_GRIDS and not Vote.objects.exists()


def test_an_unbound_participant_cannot_vote(centre_a, topic, scheme_a):
    voting(topic, centre_a)
    claimant = join(scheme_a, "赵某", "13800000010")
    with pytest.raises(DomainError) as refused:
        services.vote(participant=claimant, topic=topic, option=topic.options.first())
    assert refused.value.code == Code.NOT_BOUND


def test_a_participant_of_another_community_cannot_vote(centre_a, topic, scheme_b, tree, centre_b):
    voting(topic, centre_a)
    stranger = join(scheme_b, "孙丽", "13900139000")
    services.bind(actor=centre_b, participant=stranger, household=home(tree[GRID_B1]))
    with pytest.raises(NotFound):
        services.vote(participant=stranger, topic=topic, option=topic.options.first())


def test_no_vote_before_the_vote_opens_or_after_it_closes(centre_a, topic, voters):
    services.accept(actor=centre_a, topic=topic)
    services.set_options(actor=centre_a, topic=topic, labels=["同意", "不同意"])
    with pytest.raises(DomainError) as early:
        services.vote(participant=voters["王一"], topic=topic, option=topic.options.first())
    assert early.value.code == Code.NOT_VOTING
    services.open_vote(actor=centre_a, topic=topic)
    services.vote(participant=voters["王一"], topic=topic, option=topic.options.first())
    services.decide(actor=centre_a, topic=topic, text="同意")
    with pytest.raises(DomainError) as late:
        services.vote(participant=voters["王二"], topic=topic, option=topic.options.first())
    assert late.value.code == Code.NOT_VOTING
    assert Vote.objects.count() == 1


def test_a_vote_for_an_option_of_another_topic_is_refused(centre_a, topic, voters, tree):
    other = services.raise_topic(
        actor=centre_a, community=tree["410105001001"], title="停车", body="车位", grids=[tree[GRID_A1]]
    )
    voting(topic, centre_a)
    voting(other, centre_a, labels=("划线", "不划线"))
    with pytest.raises(NotFound):
        services.vote(participant=voters["王一"], topic=topic, option=other.options.first())
    assert not Vote.objects.exists()


def test_options_must_be_two_different_ones_and_are_fixed_once_voting(centre_a, topic):
    services.accept(actor=centre_a, topic=topic)
    with pytest.raises(DomainError) as few:
        services.set_options(actor=centre_a, topic=topic, labels=["同意", " 同意 ", ""])
    assert few.value.code == Code.TOO_FEW_OPTIONS
    with pytest.raises(DomainError):
        services.open_vote(actor=centre_a, topic=topic)
    services.set_options(actor=centre_a, topic=topic, labels=["同意", "不同意"])
    services.open_vote(actor=centre_a, topic=topic)
    with pytest.raises(DomainError):
        services.set_options(actor=centre_a, topic=topic, labels=["甲", "乙"])


def test_the_tally_decides_and_a_tie_needs_the_centres_choice(centre_a, topic, voters):
    voting(topic, centre_a)
    yes, no = topic.options.get(label="同意"), topic.options.get(label="不同意")
    services.vote(participant=voters["王一"], topic=topic, option=yes)
    services.vote(participant=voters["王二"], topic=topic, option=no)
    with pytest.raises(DomainError) as tie:
        services.decide(actor=centre_a, topic=topic, text="平票")
    assert tie.value.code == Code.TIE
    services.vote(participant=voters["王三"], topic=topic, option=yes)
    services.decide(actor=centre_a, topic=topic, text="同意加装，费用按楼层分摊", option=no)  # the count wins
    topic.refresh_from_db()
    assert topic.state == workflow.DECIDED and topic.decision == yes


def test_no_votes_no_decision(centre_a, topic):
    voting(topic, centre_a)
    with pytest.raises(DomainError) as refused:
        services.decide(actor=centre_a, topic=topic, text="x")
    assert refused.value.code == Code.NO_VOTES


# Meetings and attendance points.


def test_attendance_earns_the_communitys_deliberation_points_within_the_limit(centre_a, topic, voters, scheme_a):
    points.add_rule(
        actor=centre_a,
        scheme=scheme_a,
        label="参加议事协商",
        points=5,
        confirmer=Rule.Confirmer.GRID,
        period=Rule.Period.MONTH,
        limit=1,
    )
    services.accept(actor=centre_a, topic=topic)
    meeting = services.add_meeting(actor=centre_a, topic=topic, kind="offline", at=timezone.now(), place="阳光议事厅")
    topic.refresh_from_db()
    assert topic.state == workflow.MEETING
    first = services.record_attendance(actor=centre_a, meeting=meeting, participant=voters["王一"])
    assert first.points == 5 and Entry.objects.filter(participant=voters["王一"]).count() == 1
    with pytest.raises(DomainError) as twice:
        services.record_attendance(actor=centre_a, meeting=meeting, participant=voters["王一"])
    assert twice.value.code == Code.ALREADY_ATTENDED
    second_meeting = services.add_meeting(actor=centre_a, topic=topic, kind="online", at=timezone.now(), place="线上")
    again = services.record_attendance(actor=centre_a, meeting=second_meeting, participant=voters["王一"])
    assert again.points == 0 and Entry.objects.filter(participant=voters["王一"]).count() == 1  # monthly limit
    assert Attendance.objects.count() == 2


def test_attendance_of_another_communitys_participant_is_refused(centre_a, topic, scheme_b):
    services.accept(actor=centre_a, topic=topic)
    meeting = services.add_meeting(actor=centre_a, topic=topic, kind="offline", at=timezone.now(), place="议事厅")
    with pytest.raises(NotFound):
        services.record_attendance(actor=centre_a, meeting=meeting, participant=join(scheme_b, "孙丽", "13900139000"))


def test_no_meeting_on_a_topic_not_accepted(centre_a, topic):
    with pytest.raises(DomainError):
        services.add_meeting(actor=centre_a, topic=topic, kind="offline", at=timezone.now(), place="议事厅")


# Carrying out and rating.


def test_carrying_out_progress_and_one_rating_per_household(centre_a, worker_a, topic, voters):
    voting(topic, centre_a)
    services.vote(participant=voters["王一"], topic=topic, option=topic.options.first())
    services.decide(actor=centre_a, topic=topic, text="同意")
    with pytest.raises(DomainError) as early:
        services.rate(participant=voters["王一"], topic=topic, score=5)
    assert early.value.code == Code.NOT_RATING
    services.start(actor=centre_a, topic=topic, carry_on=timezone.localdate() + dt.timedelta(days=30))
    topic.refresh_from_db()
    assert topic.carry_due_at is not None
    services.add_progress(actor=worker_a, topic=topic, note="施工队进场")
    services.finish(actor=centre_a, topic=topic)
    topic.refresh_from_db()
    assert topic.carry_due_at is None and topic.state == workflow.DONE
    services.rate(participant=voters["王二"], topic=topic, score=4)
    topic.refresh_from_db()
    assert topic.state == workflow.RATED
    services.rate(participant=voters["王三"], topic=topic, score=5)
    with pytest.raises(DomainError) as twice:
        services.rate(participant=voters["王二"], topic=topic, score=1)
    assert twice.value.code == Code.ALREADY_RATED
    with pytest.raises(DomainError) as outside:
        services.rate(participant=voters["李四"], topic=topic, score=1)
    assert outside.value.code == Code.OUTSIDE_GRIDS
    with pytest.raises(DomainError) as bad:
        services.rate(participant=voters["王一"], topic=topic, score=6)
    assert bad.value.code == Code.BAD_SCORE


def test_progress_by_staff_of_another_community_is_refused(centre_a, centre_b, topic, voters):
    voting(topic, centre_a)
    services.vote(participant=voters["王一"], topic=topic, option=topic.options.first())
    services.decide(actor=centre_a, topic=topic, text="同意")
    services.start(actor=centre_a, topic=topic, carry_on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(OutsideJurisdiction):
        services.add_progress(actor=centre_b, topic=topic, note="x")
    with pytest.raises(OutsideJurisdiction):
        services.finish(actor=centre_b, topic=topic)
