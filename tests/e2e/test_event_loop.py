"""In a real browser: one event walks the whole closed loop, from a resident's QR report to the resident's rating."""

from __future__ import annotations

from fengqiao.accounts.models import Department, Membership, Role
from tests.factories import make_user


def test_one_event_walks_every_step_of_the_closed_loop(page, live_server, login, tree, browser, catalogue):
    urban = Department.objects.create(node=tree["410105"], name="金水区城管局", code="URB", kind="urban")
    make_user("disp", role=Role.DISPATCHER, node=tree["410105"], full_name="王芳")
    handler = make_user("handler", full_name="赵强")
    Membership.objects.create(user=handler, node=tree["410105"], role=Role.HANDLER, department=urban)

    # A resident scans the grid's QR code and reports (no login).
    resident = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = resident.new_page()
    phone.goto(f"{live_server.url}/events/r/410105001001001/")
    phone.fill("#id_description", "小区门口垃圾堆积三天无人清运")
    phone.fill("#id_reporter_phone", "13812345678")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#tracking-code")
    code = phone.inner_text("#tracking-code").strip()
    assert code.startswith("E")
    private_link = phone.get_attribute("#private-link", "href")  # shown once; only it may rate

    # The dispatcher registers and routes it.
    login(page, live_server, "disp", "correct-horse-9")
    page.goto(f"{live_server.url}/events/{code}/")
    page.select_option("#register-category", "0403")
    page.click("button:has-text('核实立案')")
    page.wait_for_selector("text=已完成“核实立案”")
    page.select_option("#route-department", str(urban.pk))
    page.click("button:has-text('分流交办')")
    page.wait_for_selector("text=已完成“分流交办”")
    page.click("form[action$='/logout/'] button")

    # The department signs, starts and handles it.
    login(page, live_server, "handler", "correct-horse-9")
    page.goto(f"{live_server.url}/events/{code}/")
    page.click("button:has-text('签收')")
    page.wait_for_selector("text=已完成“签收”")
    page.click("button:has-text('开始处置')")
    page.wait_for_selector("#event-state:has-text('处置中')")
    page.fill("textarea[name=result]", "已安排环卫清运完毕")
    page.click("button:has-text('处置完毕')")
    page.wait_for_selector("#event-state:has-text('已处置')")
    page.click("form[action$='/logout/'] button")

    # The dispatcher verifies and closes.
    login(page, live_server, "disp", "correct-horse-9")
    page.goto(f"{live_server.url}/events/{code}/")
    page.click("button:has-text('核查通过')")
    page.wait_for_selector("#event-state:has-text('已核查')")
    page.click("button:has-text('办结')")
    page.wait_for_selector("#event-state:has-text('已办结')")

    # The resident rates it on the tracking page.
    phone.goto(private_link)
    phone.click("label[for=star5]")
    phone.fill("textarea[name=comment]", "处理很及时")
    phone.click("button:has-text('提交评价')")
    phone.wait_for_selector("text=感谢您的评价")
    stages = phone.inner_text("#stages")
    for label in [
        "已受理上报",
        "已核实立案",
        "已交办责任部门",
        "责任部门已签收",
        "已处置完毕",
        "已核查",
        "已办结",
        "您已评价",
    ]:
        assert label in stages
    assert "13812345678" not in phone.content()
    resident.close()

    # The timeline shows every step with actor and time.
    page.reload()
    timeline = page.inner_text("#timeline")
    for who, what in [
        ("王芳", "核实立案"),
        ("王芳", "分流交办"),
        ("赵强", "签收"),
        ("赵强", "处置完毕"),
        ("王芳", "办结"),
        ("群众", "评价"),
    ]:
        assert who in timeline and what in timeline
