"""After acknowledging or reporting on an instruction, the page names the instruction it was about."""

from __future__ import annotations

from fengqiao.dispatch import services


def test_acknowledging_names_the_instruction(client, tree, dispatcher, worker_a):
    instruction = services.send_instruction(actor=dispatcher, title="防汛巡查", nodes=[tree["410105001"]])
    client.force_login(worker_a)
    page = client.post(f"/dispatch/i/{instruction.pk}/ack/", follow=True).content.decode()
    assert "已签收指令“防汛巡查”。" in page


def test_reporting_completion_names_the_instruction(client, tree, dispatcher, worker_a):
    instruction = services.send_instruction(
        actor=dispatcher, title="清查隐患", nodes=[tree["410105001"]], requires_report=True
    )
    client.force_login(worker_a)
    page = client.post(f"/dispatch/i/{instruction.pk}/complete/", {"report": "已清查 12 户"}, follow=True)
    assert "已反馈指令“清查隐患”的办理情况。" in page.content.decode()
