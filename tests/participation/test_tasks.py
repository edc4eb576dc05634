"""Teams, tasks and group patrols: claims stay within the places and the community, the recording is done once by
the grid's own worker, each one present earns the rule's points once, and the grid's patrol figures count it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, NotFound, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.participation import selectors, services
from fengqiao.participation.errors import ParticipationErrorCode as Code
from fengqiao.participation.models import Claim, Entry, Task, Team
from tests.factories import make_user
from tests.participation.conftest import join

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 5, 11, 9, 0))
LATER = NOW + dt.timedelta(days=1)


def post(actor, scheme, rule, grid, *, places=10, kind="patrol", starts=LATER, now=NOW):
    return services.post_task(
        actor=actor,
        scheme=scheme,
        data=services.TaskForm(
            kind=kind,
            title="夜间治安巡逻",
            place="幸福路",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            places=places,
            grid=grid,
            rule=rule,
        ),
        now=now,
    )


@pytest.fixture
def slot_a(worker_a, scheme_a, patrol_a, tree):
    return post(worker_a, scheme_a, patrol_a, tree["410105001001001"])


@pytest.fixture
def worker_a2(tree):
    """A grid worker of 甲二网格: the same community, another grid."""
    return make_user("worker_a2", role=Role.GRID_WORKER, node=tree["410105001001002"], password=None)


def test_staff_post_a_patrol_slot_in_a_grid_of_their_community(slot_a, tree):
    assert slot_a.grid_path == tree["410105001001001"].path and slot_a.claimed == 0
    assert Action.objects.filter(verb="points_task_post").count() == 1


def test_posting_in_another_communitys_grid_or_with_its_rule_is_refused(worker_a, scheme_a, patrol_a, patrol_b, tree):
    with pytest.raises(NotFound):
        post(worker_a, scheme_a, patrol_a, tree["410105002001001"])
    with pytest.raises(NotFound):
        post(worker_a, scheme_a, patrol_b, tree["410105001001001"])


def test_a_worker_of_another_community_cannot_post(worker_b, scheme_a, patrol_a, tree):
    with pytest.raises(OutsideJurisdiction):
        post(worker_b, scheme_a, patrol_a, tree["410105001001001"])


def test_a_slot_in_the_past_is_refused(worker_a, scheme_a, patrol_a, tree):
    with pytest.raises(DomainError):
        post(worker_a, scheme_a, patrol_a, tree["410105001001001"], starts=NOW - dt.timedelta(hours=1))


def test_a_resident_claims_and_cancels_before_the_start(slot_a, resident_a):
    participant, _code = resident_a
    services.claim_task(participant=participant, task=slot_a, now=NOW)
    assert Task.objects.get(pk=slot_a.pk).claimed == 1
    services.cancel_claim(participant=participant, task=slot_a, now=NOW)
    assert Task.objects.get(pk=slot_a.pk).claimed == 0
    services.claim_task(participant=participant, task=slot_a, now=NOW)  # a new claim after cancelling is fine
    assert Task.objects.get(pk=slot_a.pk).claimed == 1


def test_a_resident_of_another_community_cannot_claim(slot_a, resident_b):
    participant, _code = resident_b
    with pytest.raises(NotFound):
        services.claim_task(participant=participant, task=slot_a, now=NOW)
    assert selectors.task_of_participant(participant, slot_a.pk) is None
    assert Task.objects.get(pk=slot_a.pk).claimed == 0


def test_a_second_claim_by_the_same_resident_is_refused(slot_a, resident_a):
    participant, _code = resident_a
    services.claim_task(participant=participant, task=slot_a, now=NOW)
    with pytest.raises(DomainError) as refused:
        services.claim_task(participant=participant, task=slot_a, now=NOW)
    assert refused.value.code == Code.ALREADY_CLAIMED
    assert Task.objects.get(pk=slot_a.pk).claimed == 1


def test_the_database_refuses_a_second_live_claim(slot_a, resident_a):
    participant, _code = resident_a
    Claim.objects.create(task=slot_a, participant=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(task=slot_a, participant=participant)


def test_over_claiming_is_refused(worker_a, scheme_a, patrol_a, tree):
    slot = post(worker_a, scheme_a, patrol_a, tree["410105001001001"], places=1)
    first, _ = join(scheme_a, name="甲", phone="13800000001")
    second, _ = join(scheme_a, name="乙", phone="13800000002")
    services.claim_task(participant=first, task=slot, now=NOW)
    with pytest.raises(DomainError) as refused:
        services.claim_task(participant=second, task=slot, now=NOW)
    assert refused.value.code == Code.TASK_FULL
    assert Task.objects.get(pk=slot.pk).claimed == 1 and Claim.objects.filter(task=slot).count() == 1


def test_the_database_refuses_more_claims_than_places(slot_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=slot_a.pk).update(claimed=11)


def test_claims_and_cancels_stop_at_the_start(slot_a, resident_a):
    participant, _code = resident_a
    services.claim_task(participant=participant, task=slot_a, now=NOW)
    with pytest.raises(DomainError) as refused:
        services.cancel_claim(participant=participant, task=slot_a, now=LATER)
    assert refused.value.code == Code.TASK_STARTED
    other, _ = join(slot_a.scheme, name="甲", phone="13800000001")
    with pytest.raises(DomainError):
        services.claim_task(participant=other, task=slot_a, now=LATER + dt.timedelta(minutes=1))


@pytest.mark.django_db(transaction=True)
def test_two_claims_racing_on_the_last_place_end_with_exactly_one(worker_a, scheme_a, patrol_a, tree):
    slot = post(worker_a, scheme_a, patrol_a, tree["410105001001001"], places=1)
    people = [join(scheme_a, name=n, phone=p)[0] for n, p in (("甲", "13800000001"), ("乙", "13800000002"))]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def claim(participant) -> None:
        try:
            task = Task.objects.get(pk=slot.pk)
            barrier.wait(timeout=10)
            services.claim_task(participant=participant, task=task, now=NOW)
            results.append("ok")
        except DomainError as exc:
            results.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == sorted(["ok", str(Code.TASK_FULL)])
    assert Task.objects.get(pk=slot.pk).claimed == 1 and Claim.objects.filter(task=slot).count() == 1


# Recording the group patrol.


@pytest.fixture
def claimed(slot_a, scheme_a):
    people = [join(scheme_a, name=n, phone=p)[0] for n, p in (("王小明", "13800000001"), ("李大爷", "13800000002"))]
    for p in people:
        services.claim_task(participant=p, task=slot_a, now=NOW)
    return people


def test_the_grid_worker_records_who_came_and_they_earn_the_rules_points(worker_a, slot_a, claimed):
    came, absent = claimed
    done = services.record_task(actor=worker_a, task=slot_a, present=[came.pk], seen="路灯一处不亮", now=LATER)
    assert done.awarded == 1 and done.present == 1
    came.refresh_from_db()
    absent.refresh_from_db()
    assert came.balance == 10 and absent.balance == 0
    entry = Entry.objects.get(participant=came)
    assert entry.confirmer == worker_a and entry.rule == slot_a.rule and "夜间治安巡逻" in entry.note
    claims = {c.participant_id: c for c in Claim.objects.filter(task=slot_a)}
    assert claims[came.pk].present is True and claims[came.pk].entry == entry
    assert claims[absent.pk].present is False and claims[absent.pk].entry is None
    assert Action.objects.filter(verb="points_task_record").count() == 1


def test_a_worker_of_another_grid_cannot_record_the_patrol(worker_a2, worker_b, slot_a, claimed):
    for outsider in (worker_a2, worker_b):
        assert selectors.task_to_record(actor=outsider, pk=slot_a.pk) is None
        with pytest.raises(NotFound):
            services.record_task(actor=outsider, task=slot_a, present=[claimed[0].pk], seen="正常", now=LATER)
    assert Entry.objects.count() == 0 and Task.objects.get(pk=slot_a.pk).recorded_at is None


def test_a_forged_member_id_in_the_attendance_refuses_the_whole_record(worker_a, slot_a, claimed, scheme_a, resident_b):
    stranger, _ = join(scheme_a, name="路人", phone="13800000009")  # of the community, but did not claim
    outsider, _ = resident_b
    for forged in (stranger.pk, outsider.pk, 999999):
        with pytest.raises(DomainError) as refused:
            services.record_task(actor=worker_a, task=slot_a, present=[claimed[0].pk, forged], seen="正常", now=LATER)
        assert refused.value.code == Code.NOT_A_CLAIMANT
    assert Entry.objects.count() == 0 and Task.objects.get(pk=slot_a.pk).recorded_by is None


def test_a_patrol_is_recorded_once_and_points_are_never_awarded_twice(worker_a, centre_a, slot_a, claimed):
    services.record_task(actor=worker_a, task=slot_a, present=[claimed[0].pk], seen="正常", now=LATER)
    for actor in (worker_a, centre_a):
        stale = Task.objects.get(pk=slot_a.pk)
        stale.recorded_by_id = None  # a stale copy read before the first recording
        with pytest.raises(DomainError) as refused:
            services.record_task(actor=actor, task=stale, present=[claimed[0].pk], seen="正常", now=LATER)
        assert refused.value.code == Code.ALREADY_RECORDED
    assert Entry.objects.filter(participant=claimed[0]).count() == 1


def test_a_patrol_cannot_be_recorded_before_it_starts(worker_a, slot_a, claimed):
    with pytest.raises(DomainError) as refused:
        services.record_task(actor=worker_a, task=slot_a, present=[claimed[0].pk], seen="正常", now=NOW)
    assert refused.value.code == Code.TASK_NOT_STARTED


def test_the_rules_period_limit_holds_for_a_patrol(worker_a, scheme_a, patrol_a, slot_a, claimed, tree):
    came = claimed[0]
    services.award(actor=worker_a, participant=came, rule=patrol_a, now=LATER)  # the day's one award already given
    done = services.record_task(actor=worker_a, task=slot_a, present=[came.pk], seen="正常", now=LATER)
    assert done.awarded == 0 and done.over_limit == [came.name_masked]
    came.refresh_from_db()
    assert came.balance == 10 and Claim.objects.get(task=slot_a, participant=came).present is True


def test_a_recorded_group_patrol_counts_in_the_grids_patrols(worker_a, slot_a, claimed, tree):
    from fengqiao.metrics import services as figures
    from fengqiao.metrics.models import DailyGridStat

    services.record_task(actor=worker_a, task=slot_a, present=[claimed[0].pk], seen="正常", now=LATER)
    figures.fold_pending()
    grid = tree["410105001001001"]
    stat = DailyGridStat.objects.get(node_path=grid.path, day=timezone.localdate(LATER))
    assert stat.patrols == 1
    figures.rebuild()
    assert DailyGridStat.objects.get(node_path=grid.path, day=timezone.localdate(LATER)).patrols == 1


def test_a_recorded_volunteer_task_counts_no_patrol(worker_a, scheme_a, patrol_a, tree):
    from fengqiao.metrics import services as figures
    from fengqiao.metrics.models import DailyGridStat

    task = post(worker_a, scheme_a, patrol_a, tree["410105001001001"], kind="task")
    services.record_task(actor=worker_a, task=task, present=[], seen="", now=LATER)
    figures.fold_pending()
    assert not DailyGridStat.objects.filter(patrols__gt=0).exists()


def test_a_centre_only_rule_cannot_be_confirmed_by_a_grid_worker(worker_a, centre_a, scheme_a, tree, claimed):
    rule = services.add_rule(
        actor=centre_a, scheme=scheme_a, label="协助调解", points=20, confirmer="centre", period="month", limit=1
    )
    task = post(centre_a, scheme_a, rule, tree["410105001001001"], kind="task")
    with pytest.raises(OutsideJurisdiction):
        services.record_task(actor=worker_a, task=task, present=[], seen="", now=LATER)


# Teams.


def test_a_team_takes_only_participants_of_its_community(worker_a, scheme_a, resident_a, resident_b):
    team = services.add_team(actor=worker_a, scheme=scheme_a, name="红袖章巡逻一队", kind=Team.Kind.PATROL)
    own, _ = resident_a
    other, _ = resident_b
    with pytest.raises(NotFound):
        services.set_team_members(actor=worker_a, team=team, members=[own.pk, other.pk], leader=own.pk)
    assert team.members.count() == 0
    services.set_team_members(actor=worker_a, team=team, members=[own.pk], leader=own.pk)
    team.refresh_from_db()
    assert list(team.members.all()) == [own] and team.leader == own
    assert list(own.teams.all()) == [team]


def test_a_worker_of_another_community_cannot_set_up_a_team(worker_b, scheme_a):
    with pytest.raises(OutsideJurisdiction):
        services.add_team(actor=worker_b, scheme=scheme_a, name="义警队", kind=Team.Kind.POLICE)


# Party members' reviews.


def test_a_grid_worker_is_one_step_too_low_to_review_a_party_member(worker_a, centre_a, scheme_a):
    member, _ = join(scheme_a, name="党员甲", phone="13800000011", kind="party_member")
    with pytest.raises(OutsideJurisdiction):
        services.review_party_member(
            actor=worker_a, participant=member, year=2026, quarter=2, grade="good", comment="", now=NOW
        )
    assert not member.reviews.exists()


def test_a_quarter_is_reviewed_once_and_revised_with_both_in_the_audit_trail(centre_a, scheme_a):
    member, _ = join(scheme_a, name="党员甲", phone="13800000011", kind="party_member")
    services.review_party_member(
        actor=centre_a, participant=member, year=2026, quarter=2, grade="good", comment="", now=NOW
    )
    services.review_party_member(
        actor=centre_a, participant=member, year=2026, quarter=2, grade="average", comment="缺席两次", now=NOW
    )
    assert [(r.grade, r.comment) for r in member.reviews.all()] == [("average", "缺席两次")]
    assert Action.objects.filter(verb="points_party_review").count() == 2
    with pytest.raises(DomainError):  # a quarter that has not begun
        services.review_party_member(
            actor=centre_a, participant=member, year=2026, quarter=3, grade="good", comment="", now=NOW
        )


def test_the_year_end_view_sums_the_quarters(worker_a, centre_a, scheme_a, patrol_a, tree):
    member, _ = join(scheme_a, name="党员甲", phone="13800000011", kind="party_member")
    slot = post(worker_a, scheme_a, patrol_a, tree["410105001001001"])
    services.claim_task(participant=member, task=slot, now=NOW)
    services.record_task(actor=worker_a, task=slot, present=[member.pk], seen="正常", now=LATER)
    for quarter, grade in ((1, "good"), (2, "fair_good")):
        services.review_party_member(
            actor=centre_a, participant=member, year=2026, quarter=quarter, grade=grade, comment="", now=NOW
        )
    (row,) = selectors.party_year(scheme_a, 2026)
    assert row.done == [0, 1, 0, 0] and row.points == 10 and row.score == 7
