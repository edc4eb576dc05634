"""Operators' view: gauges at /metrics, structured logs, and no personal data in either."""

from __future__ import annotations

import json
import logging

from fengqiao.core.logs import JsonFormatter
from fengqiao.events import services
from fengqiao.events.models import Source


def test_metrics_answer_loopback_with_counts_only(client, tree, catalogue):
    services.report_event(
        actor=None,
        source=Source.RESIDENT,
        description="路灯不亮",
        grid=tree["410105001001001"],
        reporter_phone="13812345678",
        reporter_name="李先生",
    )
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'fengqiao_events_open{colour="green"} 1' in body and "fengqiao_events_total 1" in body
    assert "13812345678" not in body and "李先生" not in body


def test_metrics_refuse_other_addresses_without_the_token(client, db, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    settings.FENGQIAO_METRICS_TOKEN = "s3cret-token"
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200


def test_json_logs_carry_the_message_and_extra_fields():
    record = logging.makeLogRecord({"name": "fengqiao.test", "levelname": "INFO", "msg": "上报 %s", "args": ("E1",)})
    record.tracking_code = "E1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "上报 E1" and line["tracking_code"] == "E1" and line["level"] == "INFO"


def test_a_report_and_its_whole_loop_write_no_personal_data_to_the_logs(client, tree, catalogue, dispatcher, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(
        "/events/r/410105001001001/",
        {"description": "门口垃圾堆积", "reporter_phone": "13812345678", "reporter_name": "李先生"},
    )
    client.post("/events/r/410105001001001/", {"description": "门口垃圾堆积", "reporter_phone": "139-bad"})
    client.force_login(dispatcher)
    client.get("/events/")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "13812345678" not in logged and "李先生" not in logged and "139-bad" not in logged
