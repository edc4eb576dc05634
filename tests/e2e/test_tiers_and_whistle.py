"""In a real browser: 四事分办 (a small matter closed in the grid on the spot, a big one escalated to the county and in
the county centre's queue only) and 吹哨报到 (two departments called, one on time, one late and red, the whistle
answered only when both have reported, both on the 报到率 ranking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from PIL import Image

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.events import services
from fengqiao.events.models import Category, Event, Source, Summons
from tests.factories import make_user

PASSWORD = "correct-horse-9"


def jpeg(path: Any, colour: tuple[int, int, int]) -> str:
    Image.new("RGB", (64, 48), colour).save(path, "JPEG")
    return str(path)


def warm_up(page: Any, live_server: Any) -> None:
    """The live server's first request loads the whole URL configuration (every app's views); on a busy machine
    that takes longer than one step's timeout, so it is paid once here, before anything is measured."""
    page.goto(f"{live_server.url}/login/", timeout=180_000)


def logout(page: Any) -> None:
    page.click("form[action$='/logout/'] button")


def queue_codes(page: Any) -> str:
    return page.inner_text("#event-queue")


def test_a_small_matter_closes_in_the_grid_and_a_big_one_goes_to_the_county_queue(
    page, live_server, login, tree, browser, catalogue, settings, tmp_path
):
    warm_up(page, live_server)
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0  # every spot report drawn, so the centre's 抽查 list shows it
    make_user("worker", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张伟")
    make_user("county", role=Role.DISPATCHER, node=tree["410105"], full_name="王芳")
    make_user("community", role=Role.DISPATCHER, node=tree["410105001001"], full_name="李社区")

    # (1) The worker solves a broken manhole cover on the spot, from the phone, with a photo before and after.
    phone_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone_context.set_default_timeout(15_000)
    phone = phone_context.new_page()
    login(phone, live_server, "worker", PASSWORD)
    phone.goto(f"{live_server.url}/events/spot/")
    phone.fill("#id_description", "小区路口井盖破损，有行人踩空风险")
    phone.fill("#id_result", "已设置围挡并更换临时井盖")
    phone.set_input_files("#id_before", jpeg(tmp_path / "before.jpg", (120, 60, 60)))
    phone.set_input_files("#id_after", jpeg(tmp_path / "after.jpg", (60, 120, 60)))
    grid_a1 = phone.locator("#id_grid option", has_text="甲一网格").first.get_attribute("value")
    phone.select_option("#id_grid", grid_a1)
    with phone.expect_navigation():
        phone.click("button:has-text('提交并办结')")
    phone.wait_for_selector("#on-the-spot")
    spot = Event.objects.get(on_the_spot=True)
    # Closed at once, counted as 小事网格办 (the grid's tier), with both photos.
    assert phone.inner_text("#event-state") == "已办结"
    assert "网格级处置" in phone.content()
    assert "小事网格办" in phone.inner_text("#timeline") and "即报即办办结" in phone.inner_text("#timeline")
    assert phone.locator("a[target=_blank] img").count() == 2
    assert spot.state == "closed" and spot.tier == "grid"
    phone_context.close()

    # (2) A second report on patrol, flooding from a collapsed road, turns out to be more than the grid can handle.
    second = services.report_event(
        actor=spot.reporter,
        source=Source.PATROL,
        description="小区门口道路塌陷，需多部门处置",
        category=Category.objects.get(code="0403"),
        grid=tree["410105001001001"],
    )

    login(page, live_server, "community", PASSWORD)
    # The community centre owns grid-tier matters: the spot report is on its 抽查 list.
    page.goto(f"{live_server.url}/events/spot/checks/")
    assert spot.tracking_code in page.inner_text("#spot-checks")
    page.goto(f"{live_server.url}/events/{second.tracking_code}/")
    page.select_option("#register-category", "0403")
    page.click("button:has-text('核实立案')")
    page.wait_for_selector("text=已完成“核实立案”")
    escalate = "#actions form[action$='/act/escalate/']"
    for note in ("网格处理不了，社区协调", "社区协调不了，报街道"):  # grid → community → street
        page.fill(f"{escalate} [name=note]", note)
        page.click(f"{escalate} button")
        page.wait_for_selector("text=已完成“上报上级”")
    # Now the street's: the community centre only reads it.
    assert "本级只读" in page.inner_text("#read-only-above")
    logout(page)

    # The county centre, above the street, steps in and takes it up to the county.
    login(page, live_server, "county", PASSWORD)
    page.goto(f"{live_server.url}/events/{second.tracking_code}/")
    page.fill(f"{escalate} [name=note]", "需要区级部门联合处置")
    page.click(f"{escalate} button")
    page.wait_for_selector("text=已完成“上报上级”")
    assert "区/县 / 金水区" in page.inner_text("#ownership")
    page.goto(f"{live_server.url}/events/")
    assert second.tracking_code in queue_codes(page)  # in the county centre's own queue
    assert spot.tracking_code not in queue_codes(page)
    logout(page)
    second.refresh_from_db()
    assert second.tier == "county" and second.owner_node == tree["410105"]

    login(page, live_server, "community", PASSWORD)
    # Not in the community centre's own queue; read-only on its page.
    page.goto(f"{live_server.url}/events/")
    assert page.inner_text("#queue-scope .active") == "本级待办"
    assert second.tracking_code not in queue_codes(page)
    page.goto(f"{live_server.url}/events/{second.tracking_code}/")
    assert "本级只读" in page.inner_text("#read-only-above")
    assert page.locator("#actions").count() == 0
    assert "区/县 / 金水区" in page.inner_text("#ownership")
    page.goto(f"{live_server.url}/events/?scope=all")  # 辖区全部 still lists it, for reading
    assert second.tracking_code in queue_codes(page)


def test_a_whistle_is_answered_only_when_both_departments_have_reported(page, live_server, login, tree, catalogue):
    warm_up(page, live_server)
    urban = Department.objects.create(node=tree["410105"], name="金水区城管局", code="URB", kind="urban")
    water = Department.objects.create(node=tree["410105"], name="金水区水务局", code="WAT", kind="water")
    make_user("community", role=Role.DISPATCHER, node=tree["410105001001"], full_name="李社区")
    for username, dept, name in (("urban", urban, "赵强"), ("water", water, "钱进")):
        user = make_user(username, full_name=name)
        Membership.objects.create(user=user, node=dept.node, role=Role.HANDLER, department=dept)
    worker = make_user("worker", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张伟")
    event = services.report_event(
        actor=worker,
        source=Source.PATROL,
        description="路面塌陷，积水漫进居民楼",
        category=Category.objects.get(code="0403"),
        grid=tree["410105001001001"],
    )

    # The community centre registers it and whistles both departments (网格吹哨).
    login(page, live_server, "community", PASSWORD)
    page.goto(f"{live_server.url}/events/{event.tracking_code}/")
    page.select_option("#register-category", "0403")
    page.click("button:has-text('核实立案')")
    page.wait_for_selector("text=已完成“核实立案”")
    page.select_option("#whistle-departments", [str(urban.pk), str(water.pk)])
    page.fill("#whistle-form [name=note]", "路面塌陷需城管、水务到场")
    page.click("#whistle-form button")
    page.wait_for_selector("#summonses")
    assert page.locator("#summonses [data-summons]").count() == 2
    assert "尚有部门未报到反馈" in page.inner_text("#whistle-answered")
    logout(page)

    # 城管 reports in: signs, says who comes and when, reports back.
    def report_in(username: str, dept: Department, text: str) -> None:
        login(page, live_server, username, PASSWORD)
        page.goto(f"{live_server.url}/events/{event.tracking_code}/")
        row = page.locator(f"[data-summons='{Summons.objects.get(event=event, department=dept).pk}']")
        row.locator("button:has-text('签收')").click()
        page.wait_for_load_state()
        row = page.locator(f"[data-summons='{Summons.objects.get(event=event, department=dept).pk}']")
        row.locator("[name=attendee]").fill("王队长等3人")
        arrive = (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        row.locator("[name=arrive_at]").fill(arrive)
        row.locator("button:has-text('安排到场')").click()
        page.wait_for_load_state()
        row = page.locator(f"[data-summons='{Summons.objects.get(event=event, department=dept).pk}']")
        row.locator("[name=report]").fill(text)
        row.locator("button:has-text('报到反馈')").click()
        page.wait_for_load_state()
        logout(page)

    report_in("urban", urban, "已到场设置围挡，安排抢修")
    assert Summons.objects.get(department=urban).state == "reported"

    # 水务 misses its clock: its due times pass (moved into the past, as a controlled clock would).
    past = timezone.now() - dt.timedelta(hours=1)
    Summons.objects.filter(department=water).update(
        sign_warn_at=past - dt.timedelta(hours=1),
        sign_due_at=past,
        report_warn_at=past - dt.timedelta(hours=1),
        report_due_at=past,
    )
    login(page, live_server, "community", PASSWORD)
    page.goto(f"{live_server.url}/events/{event.tracking_code}/")
    water_row = page.locator(f"[data-summons='{Summons.objects.get(department=water).pk}']")
    urban_row = page.locator(f"[data-summons='{Summons.objects.get(department=urban).pk}']")
    assert water_row.locator("[data-colour='red']").count() == 1
    assert urban_row.locator("[data-colour='red']").count() == 0
    assert "尚有部门未报到反馈" in page.inner_text("#whistle-answered")
    logout(page)

    # Late, 水务 reports too: now the whistle is answered.
    report_in("water", water, "已到场排查管网，明日修复")
    login(page, live_server, "community", PASSWORD)
    page.goto(f"{live_server.url}/events/{event.tracking_code}/")
    assert "全部部门已报到反馈" in page.inner_text("#whistle-answered")

    # The 报到率 ranking shows both departments, the late one after the timely one.
    page.goto(f"{live_server.url}/events/whistles/ranking/")
    ranking = page.content()
    assert "金水区城管局" in ranking and "金水区水务局" in ranking
    assert ranking.index("金水区城管局") < ranking.index("金水区水务局")
