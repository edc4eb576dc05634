"""In a real browser: 议事协商 — a resident raises a topic on their phone, the centre accepts it with an answer date
and opens the vote, three households vote (a household outside the topic's grid and a second member of a household
that already voted are refused), the centre publishes the decision and carries it out, and a household rates it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.deliberation import services
from fengqiao.deliberation.models import Rating, Topic, Vote
from fengqiao.participation import services as points
from tests.deliberation.conftest import home
from tests.factories import make_user

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
GRID_A1, GRID_A2 = "410105001001001", "410105001001002"


def _resident(scheme, name, phone):
    return points.register_participant(
        scheme=scheme,
        data=points.ParticipantForm(name=name, phone=phone, kind="resident", party_unit="", consent=True),
    )


def _act(page, action, **fields):
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_topic_is_raised_accepted_voted_decided_carried_out_and_rated(live_server, login, tree, browser, settings):
    # The resident pages count wrong codes against the client; a browser test is one client opening many of them.
    settings.FENGQIAO_RATE_LIMITS = False
    centre = make_user("centre_ys", role=Role.DISPATCHER, node=tree["410105001001"], full_name="赵中心")
    worker = make_user("worker_ys", role=Role.GRID_WORKER, node=tree[GRID_A1], password=None)
    worker2 = make_user("worker2_ys", role=Role.GRID_WORKER, node=tree[GRID_A2], password=None)
    scheme = points.open_scheme(actor=centre, community=tree["410105001001"])
    codes = {}
    homes = [home(tree[GRID_A1]) for _ in range(3)]
    for i, name in enumerate(["王一", "王二", "王三"]):
        p, codes[name] = _resident(scheme, name, f"1380000000{i}")
        services.bind(actor=worker, participant=p, household=homes[i])
    outsider, codes["李四"] = _resident(scheme, "李四", "13800000004")
    services.bind(actor=worker2, participant=outsider, household=home(tree[GRID_A2]))
    spouse, codes["王一妻"] = _resident(scheme, "王一妻", "13800000005")
    services.bind(actor=worker, participant=spouse, household=homes[0])

    def resident_page(name):
        context = browser.new_context(**PHONE)
        context.set_default_timeout(60_000)
        tab = context.new_page()
        tab.goto(f"{live_server.url}/deliberation/me/?k={codes[name]}")
        return tab

    # 民事民提: 王一 raises the topic on their phone, about 甲一网格.
    r1 = resident_page("王一")
    r1.fill("#id_title", "3号楼加装电梯")
    r1.fill("#id_body", "老人上下楼困难，建议加装电梯。")
    r1.locator("#raise-form label:has-text('甲一网格')").click()
    with r1.expect_navigation():
        r1.click("#raise-form button[type=submit]")
    r1.wait_for_selector(".alert-success")
    topic = Topic.objects.get(title="3号楼加装电梯")
    assert [g.code for g in topic.grids.all()] == [GRID_A1]

    # The centre accepts it with an answer date, sets the options and opens the vote.
    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    desktop.set_default_timeout(60_000)
    c = desktop.new_page()
    login(c, live_server, "centre_ys", "correct-horse-9")
    c.goto(f"{live_server.url}/deliberation/410105001001/")
    with c.expect_navigation():
        c.click("#staff-topics a:has-text('3号楼加装电梯')")
    answer_on = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    _act(c, "accept", answer_on=answer_on)
    c.wait_for_selector("#topic-state:has-text('已受理')")
    topic.refresh_from_db()
    assert topic.answer_on.isoformat() == answer_on and topic.answer_due_at is not None
    _act(c, "options", options="同意加装\n暂缓加装")
    _act(c, "open_vote")
    c.wait_for_selector("#topic-state:has-text('表决中')")

    # 一户一票: three households vote.
    def vote(tab, label):
        card = tab.locator(f".fq-topic[data-code='{topic.code}']")
        card.locator(f"label:has-text('{label}')").click()
        with tab.expect_navigation():
            card.locator("form.fq-vote button[type=submit]").click()

    r1.reload()
    vote(r1, "同意加装")
    r1.wait_for_selector(".alert-success:has-text('一票已记录')")
    for name, label in (("王二", "同意加装"), ("王三", "暂缓加装")):
        tab = resident_page(name)
        vote(tab, label)
        tab.wait_for_selector(".alert-success:has-text('一票已记录')")
    # A second member of 王一's household is refused; so is 李四, whose household is outside 甲一网格.
    again = resident_page("王一妻")
    vote(again, "暂缓加装")
    again.wait_for_selector(".alert-danger:has-text('一户只能投一票')")
    outside = resident_page("李四")
    card = outside.locator(f".fq-topic[data-code='{topic.code}']")
    assert card.locator("form.fq-vote").count() == 0
    assert "不在这个议题涉及的网格内" in card.inner_text()
    assert Vote.objects.filter(topic=topic).count() == 3

    # 民事民决: the centre closes the vote and publishes the decision, then carries it out.
    c.reload()
    _act(c, "decide", text="同意加装，费用按楼层分摊。")
    c.wait_for_selector("#topic-decision:has-text('同意加装')")
    _act(c, "start", carry_on=(timezone.localdate() + dt.timedelta(days=30)).isoformat())
    _act(c, "progress", note="施工单位进场。")
    c.wait_for_selector("#topic-progress:has-text('施工单位进场')")
    _act(c, "finish")
    c.wait_for_selector("#topic-state:has-text('已落实')")

    # A household rates the result; the public page shows the tally, the decision and the rating, no names.
    r2 = resident_page("王二")
    card = r2.locator(f".fq-topic[data-code='{topic.code}']")
    card.locator("select[name=score]").select_option("4")
    with r2.expect_navigation():
        card.locator("form.fq-rate button[type=submit]").click()
    r2.wait_for_selector(".alert-success:has-text('感谢您的评价')")
    assert Rating.objects.filter(topic=topic, score=4).count() == 1
    r2.goto(f"{live_server.url}/deliberation/c/{scheme.token}/t/{topic.code}/")
    tally = r2.inner_text("#topic-tally")
    assert "同意加装：2" in tally and "暂缓加装：1" in tally
    assert "1 户评价" in r2.inner_text("#topic-rating")
    body = r2.inner_text("body")
    assert "王二" not in body and "13800000001" not in body and "王*" in body
