"""The audit administrator reads what happened in words, never the identifiers the code writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fengqiao.accounts.models import Role
from fengqiao.core import audit
from fengqiao.disputes.workflow import DISPUTE_FLOW
from fengqiao.events.workflow import EVENT_FLOW
from tests.factories import make_user

SRC = Path(__file__).parents[2] / "src" / "fengqiao"


def written_verbs() -> set[str]:
    verbs: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for first, second in re.findall(r'\bverb="([a-z_.]+)"(?: if [^\n]* else "([a-z_.]+)")?', text):
            verbs |= {first, second} - {""}
        verbs |= set(re.findall(r'^VERB = "([a-z_.]+)"', text, flags=re.M))
    return verbs


def test_every_verb_the_platform_writes_has_a_label():
    verbs = written_verbs()
    assert {"sign_in", "superuser_use", "user_create"} <= verbs  # the scan finds them
    unlabelled = sorted(v for v in verbs if audit.verb_label(v) == v)
    assert not unlabelled, f"verbs written to the audit trail without a label: {unlabelled}"


@pytest.mark.parametrize("flow", [EVENT_FLOW, DISPUTE_FLOW], ids=["events", "disputes"])
def test_every_workflow_step_and_state_reads_as_its_label(flow):
    for row in flow.transitions:
        assert audit.verb_label(row.name, flow.name) == str(row.label)
    for state, label in flow.states.items():
        assert audit.state_label(state, flow.name) == str(label)


@pytest.mark.django_db
def test_the_audit_administrator_sees_labels_in_the_trail(client, tree):
    auditor = make_user("auditor", role=Role.AUDIT_ADMIN, node=tree["410105"], is_staff=True, password=None)
    audit.record(actor=auditor, verb="sign_in", target=auditor)
    client.force_login(auditor)
    page = client.get("/admin/core/action/").content.decode()
    assert "登录" in page
    assert ">sign_in<" not in page


@pytest.mark.django_db
def test_the_security_administrator_reads_sign_in_lockouts_under_chinese_names(client, tree):
    admin_user = make_user("sec", role=Role.SECURITY_ADMIN, node=tree["410105"], is_staff=True, password=None)
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert "登录安全" in page and "登录日志" in page
    assert "Access attempts" not in page and "Axes" not in page
