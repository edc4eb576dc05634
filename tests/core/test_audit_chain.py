"""The audit trail's hash chain: sealed behind the writers; any change, removal or forgery after sealing is found."""

from __future__ import annotations

import itertools
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from fengqiao.core import audit, auditchain, periodic
from fengqiao.core.models import Action, AppendOnlyError, AuditAnchor

POINT_A = (113.602, 34.708)  # inside 甲一网格


@pytest.fixture
def trail(tree, dispatcher):
    """Six rows, sealed."""
    for i in range(6):
        audit.record(actor=dispatcher, verb="test", target=tree["410105"], note=f"第{i}条", data={"i": i, "b": [1, 2]})
    auditchain.seal()
    return list(Action.objects.filter(verb="test").order_by("seq"))


def sql(statement: str, params: list | None = None) -> None:
    """Tamper the way somebody owning the database would: beside the ORM, and past PostgreSQL's trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # what a superuser can do
        cursor.execute(statement, params or [])


def row_values(action_id: int) -> list:
    return list(Action.objects.filter(pk=action_id).values_list(*auditchain.SEALED_FIELDS).get())


def test_rows_written_by_services_are_sealed_by_the_periodic_job(tree, worker_a, catalogue):
    from fengqiao.events import services
    from fengqiao.events.models import Category, Source

    event = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="路口垃圾堆积两天无人清运",
        category=Category.objects.get(code="0403"),
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    assert Action.objects.for_object(event).get().seq is None
    job = periodic.JOBS["core.seal_audit_trail"]
    assert job.every_seconds <= 10
    job.func()
    assert not Action.objects.filter(seq__isnull=True).exists()
    action = Action.objects.for_object(event).get()
    assert action.row_hash.startswith("sm3:") and action.sealed_at is not None
    report = auditchain.verify()
    assert report.ok and report.head_seq == Action.objects.count() and report.head_hash
    assert AuditAnchor.objects.order_by("-seq").first().row_hash == report.head_hash


def test_the_chain_links_each_row_to_the_one_before_with_sm3(trail):
    assert [a.seq for a in trail] == list(range(trail[0].seq, trail[0].seq + 6))
    for before, after in itertools.pairwise(trail):
        assert after.prev_hash == before.row_hash
    digest = hashes.Hash(hashes.SM3())
    digest.update(trail[2].prev_hash.encode())
    digest.update(auditchain.canonical(row_values(trail[2].pk)))
    assert trail[2].row_hash == "sm3:" + digest.finalize().hex()


def test_a_row_changed_in_sql_after_sealing_is_detected_with_its_seq(trail):
    victim = trail[3]
    sql("UPDATE core_action SET note = %s WHERE id = %s", ["改过的说明", victim.pk])
    report = auditchain.verify()
    assert not report.ok
    assert (report.broken.kind, report.broken.seq, report.broken.action_id) == ("changed", victim.seq, victim.pk)
    assert report.checked == victim.seq - 1


@pytest.mark.parametrize(
    ("column", "value"),
    [("data", '{"i": 3, "b": [1, 2], "x": 1}'), ("at", "2020-01-01 00:00:00"), ("actor_id", None), ("verb", "x")],
)
def test_every_sealed_column_is_covered(trail, column, value):
    sql(f"UPDATE core_action SET {column} = %s WHERE id = %s", [value, trail[2].pk])
    assert auditchain.verify().broken.seq == trail[2].seq


def test_a_deleted_row_is_detected_as_a_gap_in_the_chain(trail):
    sql("DELETE FROM core_action WHERE id = %s", [trail[2].pk])
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq) == ("missing", trail[2].seq)
    assert broken.action_id == trail[3].pk


def test_deleting_the_first_row_is_detected(trail):
    first = Action.objects.order_by("seq").first()
    sql("DELETE FROM core_action WHERE id = %s", [first.pk])
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq) == ("missing", 1)


def test_rows_cut_off_the_tail_are_detected_by_the_anchor(trail):
    sql("DELETE FROM core_action WHERE id IN (%s, %s)", [trail[4].pk, trail[5].pk])
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq) == ("truncated", trail[4].seq)


def test_a_forged_row_slipped_into_the_middle_is_detected(trail, dispatcher):
    # The forger renumbers the rows after position 3 and links the forged row correctly to its predecessor.
    after = trail[2]
    sql("UPDATE core_action SET seq = seq + 1000 WHERE seq > %s", [after.seq])
    sql("UPDATE core_action SET seq = seq - 999 WHERE seq > %s", [after.seq + 500])
    forged = audit.record(actor=dispatcher, verb="test", target=after, note="伪造")
    values = row_values(forged.pk)
    sql(
        "UPDATE core_action SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
        [after.seq + 1, after.row_hash, auditchain.link_hash(after.row_hash, values), forged.pk],
    )
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq, broken.action_id) == ("relinked", after.seq + 2, trail[3].pk)


def test_a_forged_row_appended_with_a_made_up_hash_is_detected(trail, dispatcher):
    forged = audit.record(actor=dispatcher, verb="test", target=trail[0], note="伪造")
    sql(
        "UPDATE core_action SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
        [trail[-1].seq + 1, trail[-1].row_hash, "sm3:" + "0" * 64, forged.pk],
    )
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq, broken.action_id) == ("changed", trail[-1].seq + 1, forged.pk)


def test_two_rows_swapped_in_order_are_detected(trail):
    a, b = trail[1], trail[2]
    sql("UPDATE core_action SET seq = -1 WHERE id = %s", [a.pk])
    sql("UPDATE core_action SET seq = %s WHERE id = %s", [a.seq, b.pk])
    sql("UPDATE core_action SET seq = %s WHERE id = %s", [b.seq, a.pk])
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq, broken.action_id) == ("relinked", a.seq, b.pk)


def test_an_edit_with_the_rest_of_the_chain_recomputed_is_caught_by_the_anchor(trail):
    sql("UPDATE core_action SET note = %s WHERE id = %s", ["改过的说明", trail[1].pk])
    prev = trail[0].row_hash
    for action in trail[1:]:
        row_hash = auditchain.link_hash(prev, row_values(action.pk))
        sql("UPDATE core_action SET prev_hash = %s, row_hash = %s WHERE id = %s", [prev, row_hash, action.pk])
        prev = row_hash
    broken = auditchain.verify().broken
    assert (broken.kind, broken.seq) == ("anchor", trail[-1].seq)


def test_a_head_recorded_off_the_machine_catches_a_chain_rebuilt_with_its_anchors(trail):
    head = auditchain.head()
    assert auditchain.verify(expect=head).ok
    sql("DELETE FROM core_action WHERE id = %s", [trail[-1].pk])
    sql("DELETE FROM core_auditanchor")
    assert auditchain.verify().ok  # nothing left on the machine to tell
    broken = auditchain.verify(expect=head).broken
    assert (broken.kind, broken.seq) == ("truncated", trail[-1].seq)


def test_unsealed_rows_are_not_reported_as_broken(trail, tree, dispatcher):
    audit.record(actor=dispatcher, verb="test", target=tree["410105"], note="还没封存")
    report = auditchain.verify()
    assert report.ok and report.unsealed == 1 and report.head_seq == trail[-1].seq


def test_a_row_committed_late_with_a_lower_id_is_chained_after_the_others(tree, dispatcher):
    rows = [audit.record(actor=dispatcher, verb="test", target=tree["410105"], note=str(i)) for i in range(4)]
    late_id = rows[1].pk
    sql("DELETE FROM core_action WHERE id = %s", [late_id])  # not visible yet: its transaction is still open
    auditchain.seal()
    sql(
        "INSERT INTO core_action (id, at, actor_name, verb, content_type_id, object_id, object_repr, workflow, "
        "from_state, to_state, note, data, grid_path) "
        "SELECT %s, at, actor_name, verb, content_type_id, object_id, object_repr, workflow, from_state, to_state, "
        "'late', data, grid_path FROM core_action WHERE id = %s",
        [late_id, rows[0].pk],
    )
    assert auditchain.verify().ok
    auditchain.seal()
    late = Action.objects.get(pk=late_id)
    assert late.seq == Action.objects.exclude(pk=late_id).order_by("-seq").first().seq + 1
    assert auditchain.verify().ok


def test_verifying_from_a_seq_checks_the_link_to_the_row_before(trail):
    assert auditchain.verify(since=trail[3].seq).checked == 3
    sql("UPDATE core_action SET row_hash = %s WHERE id = %s", ["sm3:" + "1" * 64, trail[2].pk])
    broken = auditchain.verify(since=trail[3].seq).broken
    assert (broken.kind, broken.seq) == ("relinked", trail[3].seq)


def test_the_hash_follows_the_crypto_setting_and_a_switch_keeps_old_rows_verifiable(tree, dispatcher, settings):
    settings.FENGQIAO_CRYPTO = "aes"
    audit.record(actor=dispatcher, verb="test", target=tree["410105"])
    auditchain.seal()
    settings.FENGQIAO_CRYPTO = "sm"
    audit.record(actor=dispatcher, verb="test", target=tree["410105"])
    auditchain.seal()
    algs = [h.partition(":")[0] for h in Action.objects.order_by("seq").values_list("row_hash", flat=True)]
    assert algs[0] == "sha256" and algs[-1] == "sm3"
    assert auditchain.verify().ok


def test_recording_costs_no_extra_query(tree, dispatcher):
    target = tree["410105"]
    ContentType.objects.get_for_model(target)  # the cache every process holds after its first write
    with CaptureQueriesContext(connection) as queries:
        audit.record(actor=dispatcher, verb="test", target=target)
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("INSERT INTO")


def test_the_orm_still_refuses_to_edit_or_delete_the_trail_and_its_anchors(trail):
    with pytest.raises(AppendOnlyError):
        Action.objects.filter(pk=trail[0].pk).update(seq=99)
    anchor = AuditAnchor.objects.first()
    with pytest.raises(AppendOnlyError):
        anchor.save()
    with pytest.raises(AppendOnlyError):
        anchor.delete()
    with pytest.raises(AppendOnlyError):
        AuditAnchor.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditAnchor.objects.update(seq=1)


def test_one_position_in_the_chain_holds_one_row(trail, tree, dispatcher):
    extra = audit.record(actor=dispatcher, verb="test", target=tree["410105"])
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE core_action SET seq = %s WHERE id = %s", [trail[0].seq, extra.pk])


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_produce_one_chain(tree, dispatcher):
    for i in range(300):
        audit.record(actor=dispatcher, verb="test", target=tree["410105"], note=str(i))
    total = Action.objects.count()
    start = threading.Barrier(2)
    sealed: list[int] = []
    errors: list[BaseException] = []

    def sealer() -> None:
        try:
            start.wait()
            sealed.append(auditchain.seal(batch=7))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(sealed) == total
    assert list(Action.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert auditchain.verify().ok


def test_the_command_seals_verifies_and_prints_the_head(trail, capsys):
    call_command("audit", "seal")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    head = auditchain.head()
    assert f"{head[0]}:{head[1]}" in out and "哈希链完整" in out
    call_command("audit", "verify", "--expect", f"{head[0]}:{head[1]}")


def test_the_command_fails_at_the_first_broken_link(trail):
    sql("UPDATE core_action SET note = %s WHERE id = %s", ["改过的说明", trail[4].pk])
    with pytest.raises(CommandError, match=f"断链于链序号 {trail[4].seq}"):
        call_command("audit", "verify")
    with pytest.raises(CommandError, match="格式"):
        call_command("audit", "verify", "--expect", "nonsense")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_itself_refuses_to_change_or_delete_audit_rows(trail, tree, dispatcher):
    unsealed = audit.record(actor=dispatcher, verb="test", target=tree["410105"])
    attempts = [
        ("UPDATE core_action SET note = 'x' WHERE id = %s", trail[0].pk),
        ("UPDATE core_action SET row_hash = 'sm3:00' WHERE id = %s", trail[0].pk),
        ("DELETE FROM core_action WHERE id = %s", trail[0].pk),
        ("UPDATE core_action SET note = 'x' WHERE id = %s", unsealed.pk),
        ("DELETE FROM core_action WHERE id = %s", unsealed.pk),
    ]
    for statement, pk in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [pk])
    assert auditchain.seal() == 1
    assert auditchain.verify().ok
