"""一出: a door credential with no entry or exit for 15 days is revoked by the job, on a controlled clock.

The boundary: the job revokes a credential whose last passage (or its issue, when it has none) lies 15 × 24 hours
or more before the run. Issued on day 0 at 09:00 with no passage, it goes on the run of day 15 at 09:00; an entry
on day 14 moves that moment to day 29.
"""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.people import rentals
from fengqiao.people.models import Credential, Gate, Passage
from tests.people.rentals_kit import DAY0, form, let, make_room

pytestmark = pytest.mark.django_db


def day(n: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def issued(tree, worker_a):
    """A tenant verified on day 0, the code collected, and a gate of 甲社区."""
    room = make_room(tree["410105001001001"])
    let(worker_a, room, now=day(0))
    tenancy, _secret = rentals.register_tenant(room_code=room.code, data=form(move_in=DAY0.date()), now=day(0))
    credential = rentals.verify_tenancy(actor=worker_a, tenancy=tenancy, now=day(0))
    code = rentals.claim_credential(tenancy=tenancy, now=day(0))
    gate, _key = rentals.register_gate(actor=_leader(tree), grid=tree["410105001001"], name="幸福里东门")
    return credential, code, gate


def _leader(tree):
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    return make_user("security_a", role=Role.SECURITY_ADMIN, node=tree["410105001"], password=None)


def live(credential: Credential) -> bool:
    credential.refresh_from_db()
    return credential.revoked_at is None


def test_an_entry_on_day_14_keeps_the_credential_until_day_29(issued):
    credential, code, gate = issued
    assert rentals.check_passage(gate=gate, code=code, direction="in", now=day(14)).allowed

    assert rentals.revoke_idle(day(15)) == 0
    assert live(credential)
    assert rentals.revoke_idle(day(28)) == 0
    assert live(credential)
    assert rentals.check_passage(gate=gate, code=code, direction="out", now=day(28)).allowed is True

    # The exit of day 28 moved the last use again: day 28 + 15.
    assert rentals.revoke_idle(day(42.99)) == 0
    assert rentals.revoke_idle(day(43)) == 1
    assert not live(credential)
    assert credential.revoke_reason == "idle"


def test_only_the_day_14_entry_then_revoked_on_day_29(issued):
    credential, code, gate = issued
    rentals.check_passage(gate=gate, code=code, direction="in", now=day(14))
    assert rentals.revoke_idle(day(28)) == 0
    assert rentals.revoke_idle(day(29)) == 1
    assert not live(credential)
    assert not rentals.check_passage(gate=gate, code=code, direction="in", now=day(29)).allowed


def test_with_no_passage_the_credential_goes_at_exactly_15_days(issued):
    credential, code, gate = issued
    assert rentals.revoke_idle(day(15) - dt.timedelta(seconds=1)) == 0
    assert live(credential)
    assert rentals.revoke_idle(day(15)) == 1
    assert not live(credential)
    assert credential.revoked_at == day(15)
    assert not rentals.check_passage(gate=gate, code=code, direction="in", now=day(15)).allowed


def test_a_second_run_revokes_nothing_more(issued):
    credential, _code, _gate = issued
    assert rentals.revoke_idle(day(16)) == 1
    assert rentals.revoke_idle(day(17)) == 0
    credential.refresh_from_db()
    assert credential.revoked_at == day(16)


def test_the_idle_days_are_a_setting(issued, settings):
    settings.FENGQIAO_CREDENTIAL_IDLE_DAYS = 30
    assert rentals.revoke_idle(day(29)) == 0
    assert rentals.revoke_idle(day(30)) == 1


def test_a_late_report_of_an_older_passage_does_not_move_the_last_use_back(issued):
    credential, code, gate = issued
    rentals.check_passage(gate=gate, code=code, direction="in", now=day(14))
    rentals.check_passage(gate=gate, code=code, direction="out", now=day(3))
    credential.refresh_from_db()
    assert credential.last_seen_at == day(14)
    assert Passage.objects.filter(credential=credential).count() == 2


def test_the_worker_who_verified_is_told_to_tell_the_landlord(issued, worker_a):
    from fengqiao.dispatch.models import Notification

    rentals.revoke_idle(day(15))
    note = Notification.objects.get(recipient=worker_a, kind="credential_revoked")
    assert "15" in note.title
    assert "房东" in note.body
    assert "幸福里3号楼1单元101" in note.body


def test_the_job_is_registered_with_the_periodic_runner():
    from fengqiao.core import periodic

    assert periodic.JOBS["people.revoke_idle_credentials"].func is rentals.revoke_idle


def test_revocation_costs_the_same_statements_for_one_tenant_or_many(issued, tree, worker_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert rentals.revoke_idle(day(20)) == 1
    for n in range(3):
        room = make_room(tree["410105001001001"], code=f"R-X-{n}", number=f"20{n}")
        let(worker_a, room, now=day(0))
        tenancy, _ = rentals.register_tenant(room_code=room.code, data=form(10 + n, move_in=DAY0.date()), now=day(0))
        rentals.verify_tenancy(actor=worker_a, tenancy=tenancy, now=day(0))
    with CaptureQueriesContext(connection) as many:
        assert rentals.revoke_idle(day(20)) == 3
    assert len(many.captured_queries) == len(one.captured_queries)
    updates = [q["sql"] for q in many.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1


def test_a_gate_with_a_webhook_is_poked_with_no_credential_in_the_body(issued, tree, monkeypatch):
    _credential, _code, gate = issued
    Gate.objects.filter(pk=gate.pk).update(webhook_url="https://gate.example/hook")
    other, _ = rentals.register_gate(actor=_leader_b(tree), grid=tree["410105002001"], name="乙社区北门")
    Gate.objects.filter(pk=other.pk).update(webhook_url="https://other.example/hook")
    poked = []
    monkeypatch.setattr(rentals, "_poke", lambda g, since: poked.append((g.pk, since)) or True)
    assert rentals.revoke_idle(day(15)) == 1
    assert [pk for pk, _since in poked] == [gate.pk]  # not the other estate's gate
    assert poked[0][1] < day(15)


def test_a_webhook_that_fails_does_not_stop_the_job(issued, monkeypatch):
    _credential, _code, gate = issued
    Gate.objects.filter(pk=gate.pk).update(webhook_url="http://127.0.0.1:9/nothing-listens")
    assert rentals.revoke_idle(day(15)) == 1


def _leader_b(tree):
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    return make_user("security_b", role=Role.SECURITY_ADMIN, node=tree["410105002"], password=None)
