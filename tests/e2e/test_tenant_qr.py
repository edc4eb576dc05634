"""In a real browser: 一进一融 — a tenant registers by the room's QR code on a phone, the grid worker verifies on
theirs, the gate API opens for the tenant's code, and the tenant sees the micro-grid group's QR code."""

from __future__ import annotations

import json
import urllib.request

from fengqiao.accounts.models import Role
from fengqiao.people import rentals
from fengqiao.people.models import Passage
from tests.factories import make_user
from tests.people.rentals_kit import id_number, make_room

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_tenant_registers_by_qr_the_worker_verifies_and_the_gate_opens(live_server, login, tree, browser):
    room = make_room(tree["410105001001001"])
    make_user("worker_qr", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张网格")
    security = make_user("security_qr", role=Role.SECURITY_ADMIN, node=tree["410105"], password=None)
    _gate, key = rentals.register_gate(actor=security, grid=tree["410105001001"], name="幸福里东门")

    # The worker registers the letting on the landlord's behalf and prints the room's QR card.
    w = browser.new_context(**PHONE).new_page()
    login(w, live_server, "worker_qr", "correct-horse-9")
    w.goto(f"{live_server.url}/people/rentals/new/")
    w.select_option("#id_room", value=str(room.pk))
    w.fill("#id_landlord_name", "王房东")
    w.fill("#id_landlord_id_number", id_number(1, "19700101"))
    w.fill("#id_landlord_phone", "13800000001")
    w.fill("#id_max_tenants", "2")
    w.fill("#id_group_link", "https://work.weixin.qq.com/g/micro-grid-001")
    with w.expect_navigation():
        w.click("#rental-form button[type=submit]")
    w.wait_for_selector("#room-qr svg")
    link = w.inner_text("#room-card .text-break").strip()
    assert link.endswith(f"/people/q/{room.code}/")

    # The tenant scans it on a phone and registers, no account needed.
    t = browser.new_context(**PHONE).new_page()
    t.goto(link)
    t.fill("#id_name", "刘租客")
    t.fill("#id_id_number", id_number(2))
    t.fill("#id_phone", "13900000002")
    t.check("#id_consent")
    with t.expect_navigation():
        t.click("#tenant-submit")
    t.wait_for_selector("#tenant-state:has-text('待核验')")
    assert t.is_visible("#tenant-new")
    status_url = t.url
    assert t.locator("#group-qr").count() == 0

    # The worker verifies it from the queue.
    w.goto(f"{live_server.url}/people/tenancies/")
    with w.expect_navigation():
        w.click("#tenancy-waiting-list a[data-tenancy]")
    with w.expect_navigation():
        w.click("#tenancy-verify")
    w.wait_for_selector("#tenancy-state:has-text('已核验')")

    # The tenant's page now shows the group QR, and the door code once collected.
    t.goto(status_url)
    t.wait_for_selector("#tenant-state:has-text('已核验')")
    assert t.locator("#group-qr svg").count() == 1
    with t.expect_navigation():
        t.click("#door-claim")
    code = t.get_attribute("#door-code", "data-code")
    assert code and len(code) == 32
    assert t.locator("#door-qr svg").count() == 1

    # The estate's gate controller checks the code it scanned.
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/people/gate/check",
        data=json.dumps({"code": code, "direction": "in"}).encode(),
        headers={"Content-Type": "application/json", "X-API-Key": key},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["allowed"] is True
    assert Passage.objects.filter(credential_id=answer["credential"], direction="in").count() == 1

    # The code is shown once: reloading the page does not show it again.
    t.goto(status_url)
    assert t.locator("#door-code").count() == 0
    assert t.locator("#group-qr svg").count() == 1
