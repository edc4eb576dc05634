"""In a real browser: a resident joins by the community's QR code on a phone, claims a group patrol slot on their
own page, the grid worker records the patrol with the resident present, the points land in the resident's ledger,
and the shopkeeper redeems an item against the resident's code: balance and stock come out right."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.participation import services
from fengqiao.participation.models import Item, Participant, Task
from tests.factories import make_user

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _fits(tab) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_resident_claims_a_patrol_earns_points_and_redeems_them(live_server, login, tree, browser):
    centre = make_user("centre_e2e", role=Role.DISPATCHER, node=tree["410105001001"])
    make_user("worker_e2e", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张网格")
    scheme = services.open_scheme(actor=centre, community=tree["410105001001"])
    rule = services.add_rule(
        actor=centre, scheme=scheme, label="参与治安巡逻", points=10, confirmer="grid", period="day", limit=1
    )
    soap = services.add_item(actor=centre, scheme=scheme, name="肥皂", price=8, stock=5)
    starts = timezone.now() + dt.timedelta(hours=3)
    slot = services.post_task(
        actor=centre,
        scheme=scheme,
        data=services.TaskForm(
            kind="patrol",
            title="晚间治安巡逻",
            place="幸福路",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            places=10,
            grid=tree["410105001001001"],
            rule=rule,
        ),
    )

    # The resident scans the notice board's QR code and registers on a phone.
    r = browser.new_context(**PHONE).new_page()
    r.goto(f"{live_server.url}/participation/c/{scheme.token}/")
    r.fill("#id_name", "王小明")
    r.fill("#id_phone", "13800138000")
    r.select_option("#id_kind", value="party_member")
    r.fill("#id_party_unit", "区住建局机关党支部")
    r.check("#id_consent")
    with r.expect_navigation():
        r.click("#points-register button[type=submit]")
    code = r.inner_text("#points-code").strip()
    with r.expect_navigation():
        r.click("#points-me")
    assert _fits(r)

    # They claim the patrol slot on their own page.
    r.wait_for_selector("#open-tasks:has-text('晚间治安巡逻')")
    with r.expect_navigation():
        r.click("#open-tasks button:has-text('认领')")
    r.wait_for_selector("#my-claims:has-text('晚间治安巡逻')")
    assert r.is_visible("#my-claims button:has-text('取消认领')")
    assert Task.objects.get(pk=slot.pk).claimed == 1
    assert _fits(r)
    me_url = r.url

    # After the walk, the grid worker records it on their phone: the resident came.
    with time_machine.travel(starts + dt.timedelta(hours=2, minutes=5), tick=True):
        w = browser.new_context(**PHONE).new_page()
        login(w, live_server, "worker_e2e", "correct-horse-9")
        w.goto(f"{live_server.url}/participation/410105001001/tasks/")
        with w.expect_navigation():
            w.click("#tasks-upcoming a:has-text('晚间治安巡逻')")
        assert w.is_checked("#record-form input[name=present]")
        w.fill("#id_seen", "沿街巡查，发现一处路灯不亮。")
        with w.expect_navigation():
            w.click("#record-form button:has-text('记录并记分')")
        w.wait_for_selector("#task-claims:has-text('到场')")
        assert _fits(w)
        w.goto(f"{live_server.url}/participation/410105001001/tasks/")
        assert _fits(w)

        # The points are in the resident's ledger.
        r.goto(me_url)
        assert r.inner_text("#points-balance").strip() == "10"
        assert "晚间治安巡逻" in r.inner_text("#points-ledger")
        assert "已参加" in r.inner_text("#my-claims")

        # At the love supermarket the shopkeeper enters the resident's code and redeems a soap.
        w.goto(f"{live_server.url}/participation/410105001001/shop/")
        w.fill("#id_code", code)
        w.select_option("#shop-item", value=str(soap.pk))
        w.fill("#id_quantity", "1")
        with w.expect_navigation():
            w.click("#shop-form button[type=submit]")
        assert "兑换成功" in w.content()

        r.goto(me_url)
        assert r.inner_text("#points-balance").strip() == "2"
        assert "肥皂" in r.inner_text("#points-redemptions")
        # The centre holds the quarter's review of the party member; the member sees it on their page.
        c = browser.new_context(**PHONE).new_page()
        login(c, live_server, "centre_e2e", "correct-horse-9")
        c.goto(f"{live_server.url}/participation/410105001001/party/")
        assert "1 项" in c.inner_text("#party-quarter") and _fits(c)
        c.select_option("#party-quarter select[name=grade]", value="good")
        c.fill("#party-quarter input[name=comment]", "按时参加巡逻")
        with c.expect_navigation():
            c.click("#party-quarter button:has-text('保存评议')")
        assert "好" in c.inner_text("#party-year")
        r.goto(me_url)
        assert "按时参加巡逻" in r.inner_text("#my-reviews")
    participant = Participant.objects.get()
    assert participant.balance == 2 and Item.objects.get(pk=soap.pk).stock == 4
    assert participant.reviews.get().grade == "good"
