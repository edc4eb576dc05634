"""Every file field states the upload size limit, read from the setting that enforces it (no figure in a template)."""

from __future__ import annotations

import re

import pytest

from fengqiao.events import services

FILE_INPUT = re.compile(r"<input\b[^>]*\btype=\"file\"[^>]*>")


def _assert_each_file_field_states(html: str, text: str) -> None:
    inputs = FILE_INPUT.findall(html)
    assert inputs, "no file field on the page"
    for match in FILE_INPUT.finditer(html):
        # The hint sits right under its field (or is tied to it by aria-describedby).
        following = html[match.end() : match.end() + 400]
        assert text in following, f"no limit stated after {match.group(0)[:80]}"


@pytest.fixture
def seven_mb(settings):
    settings.FENGQIAO_MAX_UPLOAD_BYTES = 7 * 1024 * 1024
    return "单个文件不超过 7 MB。"


def test_the_worker_report_form_states_the_limit(client, worker_a, catalogue, seven_mb):
    client.force_login(worker_a)
    _assert_each_file_field_states(client.get("/events/report/").content.decode(), seven_mb)


def test_the_event_page_states_the_limit_on_the_on_site_result(client, event, litter, dispatcher, seven_mb):
    services.register_event(actor=dispatcher, event=event, category=litter, note="")
    client.force_login(dispatcher)
    _assert_each_file_field_states(client.get(f"/events/{event.tracking_code}/").content.decode(), seven_mb)


def test_the_centre_dispute_form_states_the_limit(client, dispatcher, seven_mb):
    client.force_login(dispatcher)
    _assert_each_file_field_states(client.get("/disputes/new/").content.decode(), seven_mb)


def test_the_resident_dispute_form_states_the_limit(client, tree, seven_mb):
    _assert_each_file_field_states(client.get("/disputes/apply/410105001001/").content.decode(), seven_mb)


def test_the_instruction_form_states_the_limit(client, dispatcher, seven_mb):
    client.force_login(dispatcher)
    _assert_each_file_field_states(client.get("/dispatch/send/").content.decode(), seven_mb)
