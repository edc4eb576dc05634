"""In a real browser, the ledger's whole path: a grid worker files a wage dispute on the phone during a patrol, the
centre hands it to the labour-dispute organisation, whose leader assigns an industry mediator; the mediator holds an
online session, both parties join and sign the agreement on their phones, the agreement PDF shows both signatures,
the applicant rates it, and the figures and the map count it once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.dashboard import selectors as dashboard
from fengqiao.dispatch.models import Patrol
from fengqiao.disputes import selectors as dispute_selectors
from fengqiao.disputes.catalogue import load_catalogue
from fengqiao.disputes.models import Dispute, Industry, MediatorKind, Organisation, Signature, Source
from fengqiao.metrics import selectors as metrics
from fengqiao.metrics.services import fold_pending
from tests.disputes.conftest import make_mediator
from tests.factories import make_user

PHONE = {"width": 390, "height": 844}
MEETING = "https://meeting.tencent.com/dm/123456789"


def sign(page: Any, prefix: str, hand: int) -> None:
    """Draw a stroke on the signature pad and send it; each ``hand`` draws a different one, as two people do."""
    canvas = page.locator(f"#{prefix}-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 40)
    page.mouse.down()
    for k in range(1, 12):
        page.mouse.move(x + 30 + k * (14 + 6 * hand), y + 40 + (k % (2 + hand)) * 15)
    page.mouse.up()
    page.click(f"#{prefix}-submit")


def party_url(page: Any, live_server: Any, code: str, party_pk: int) -> str:
    """The mediator issues a party's private link from the case page; it is shown once."""
    page.goto(f"{live_server.url}/disputes/{code}/")
    page.click(f"#issue-link-{party_pk}")
    url = page.get_attribute("#party-link-url", "href")
    assert url and "/disputes/p/" in url
    return url if url.startswith("http") else f"{live_server.url}{url}"


def test_a_wage_dispute_from_a_patrol_to_a_signed_agreement_counted_once(page, live_server, login, tree, browser):
    load_catalogue()
    labour = Organisation.objects.create(
        name="金水区劳动争议人民调解委员会",
        kind=Organisation.Kind.INDUSTRY,
        industry=Industry.LABOUR,
        node=tree["410105"],
    )
    head = make_mediator("labour_head", labour, name="刘主任", kind=MediatorKind.INDUSTRY)
    labour.leader = head.user
    labour.save()
    member = make_mediator("labour_med", labour, name="何调解", kind=MediatorKind.INDUSTRY)
    village = Organisation.objects.create(
        name="甲社区人民调解委员会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"]
    )
    make_mediator("village_med", village, name="孙调解")  # a people's mediator: the industry ladder refuses him
    make_user("centre", role=Role.DISPATCHER, node=tree["410105001"], full_name="陈管理")
    make_user("boss", role=Role.LEADER, node=tree["410105"], full_name="高书记")
    worker = make_user("worker_w", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张伟")
    patrol = Patrol.objects.create(grid=tree["410105001001001"], worker=worker, started_at=timezone.now())

    # The grid worker, on patrol, files the wage dispute from the phone.
    field = browser.new_context(locale="zh-CN", viewport=PHONE)
    w = field.new_page()
    login(w, live_server, "worker_w", "correct-horse-9")
    w.goto(f"{live_server.url}/disputes/field/new/?patrol={patrol.pk}")
    assert w.is_visible("#field-patrol")
    w.select_option("#id_type", label="劳资欠薪纠纷")
    w.fill("#id_summary", "装修队拖欠三名工人两个月工资共一万二千元，多次讨要无果。")
    w.fill("#id_people_involved", "4")
    w.fill("#id_applicant_name", "王强")
    w.fill("#id_applicant_phone", "13800138000")
    w.fill("#id_respondent_name", "赵老板")
    w.fill("#id_respondent_phone", "13912345678")
    w.click("#field-form button[type=submit]")
    w.wait_for_url(re.compile(r"/disputes/field/done/"))
    dispute = Dispute.objects.get()
    code = dispute.tracking_code
    assert code in w.inner_text("body")
    assert (dispute.source, dispute.entered_by, dispute.ladder) == (Source.GRID, worker, "industry")
    field.close()

    # The centre registers it and hands it to the labour-dispute organisation.
    login(page, live_server, "centre", "correct-horse-9")
    page.goto(f"{live_server.url}/disputes/{code}/")
    page.click("#form-register button")
    page.wait_for_selector("#state:has-text('待分配')")
    assert "行业调解组织调" in page.inner_text("#routing-ladder")
    page.select_option("#form-hand-off select[name=organisation]", label=f"{labour.name}（行业性专业性调解组织）")
    page.click("#form-hand-off button")
    page.wait_for_selector(f"#routing-organisation:has-text('{labour.name}')")

    # The organisation's head assigns one of its industry mediators.
    head_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    h = head_ctx.new_page()
    login(h, live_server, "labour_head", "correct-horse-9")
    h.goto(f"{live_server.url}/disputes/{code}/")
    options = h.inner_text("#id_mediator")
    assert "何调解" in options and "孙调解" not in options
    h.select_option("#id_mediator", value=str(member.pk))
    h.click("#assign-button")
    h.wait_for_selector("#state:has-text('已分派')")
    head_ctx.close()

    # The mediator accepts, schedules an online session and gives each party a private link.
    med_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    m = med_ctx.new_page()
    login(m, live_server, "labour_med", "correct-horse-9")
    m.goto(f"{live_server.url}/disputes/{code}/")
    m.click("#accept-button")
    m.wait_for_selector("#state:has-text('已接受')")
    when = timezone.localtime()  # the session starts now, so its notes can be written up at the end of the test
    m.click("summary:has-text('安排线上视频调解')")
    m.fill("#form-schedule input[name=held_at]", when.strftime("%Y-%m-%dT%H:%M"))
    m.fill("#form-schedule input[name=meeting_link]", MEETING)
    m.click("#form-schedule button")
    session = dispute.sessions.get()
    m.wait_for_selector(f"#online-session-{session.pk}")
    applicant, respondent = dispute.applicants()[0], dispute.respondents()[0]
    links = {p.pk: party_url(m, live_server, code, p.pk) for p in (applicant, respondent)}

    # Both parties join from their phones; the video service itself is outside (answered here by a stub).
    phones = {}
    for party in (applicant, respondent):
        ctx = browser.new_context(locale="zh-CN", viewport=PHONE)
        ctx.route("https://meeting.tencent.com/**", lambda route: route.fulfill(body="<p>video</p>"))
        p = ctx.new_page()
        p.goto(links[party.pk])
        p.click(f"#join-{session.pk}")
        p.wait_for_url(MEETING)
        phones[party.pk] = (ctx, p)
    m.goto(f"{live_server.url}/disputes/{code}/")
    attendance = m.inner_text(f"#online-session-{session.pk}")
    assert applicant.name_masked in attendance and respondent.name_masked in attendance

    # The mediator writes the session up and drafts the agreement; both parties sign it on their phones.
    m.click(f"#online-session-{session.pk} summary:has-text('填写调解笔录')")
    m.fill(f"#form-write-up-{session.pk} [name=participants]", "王强、赵老板、何调解（视频）")
    m.fill(f"#form-write-up-{session.pk} [name=notes]", "双方陈述，核对工资表，释法说理。")
    m.click(f"#form-write-up-{session.pk} button")
    m.wait_for_selector("#state:has-text('调解中')")
    m.fill("#form-agreement textarea[name=terms]", "赵老板于十日内支付拖欠工资一万二千元")
    m.fill("#form-agreement textarea[name=performance]", "银行转账，十日内付清")
    m.click("#form-agreement button")
    m.wait_for_selector("#agreement-pdf-1")
    for hand, party in enumerate((applicant, respondent)):
        _ctx, p = phones[party.pk]
        p.goto(links[party.pk])
        sign(p, "agreement", hand)
        p.wait_for_selector("#agreement-signed")
    assert Signature.objects.filter(agreement__dispute=dispute).count() == 2
    m.goto(f"{live_server.url}/disputes/{code}/")
    with m.expect_download() as download:
        m.click("#agreement-pdf-1")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 2
    m.fill("#form-resolve input[name=result]", "双方达成调解协议，工资十日内付清")
    m.click("#form-resolve button")
    m.wait_for_selector("#state:has-text('调解成功')")
    med_ctx.close()

    # The applicant rates the mediation from the same link.
    _ctx, p = phones[applicant.pk]
    p.goto(links[applicant.pk])
    p.check("#stars-5")
    p.fill("#rate [name=comment]", "调解员很耐心")
    p.click("#rate-submit")
    p.wait_for_selector("#rate-submit", state="detached")
    dispute.refresh_from_db()
    assert dispute.stars == 5 and dispute.state == "resolved"
    for ctx, _p in phones.values():
        ctx.close()

    # The figures and the map count it once: one entered, one resolved, from grid screening, by the organisation.
    page.goto(f"{live_server.url}/disputes/figures/?period=all")
    assert page.inner_text("#entered").strip() == "1" and page.inner_text("#resolved").strip() == "1"
    assert "网格员排查" in page.inner_text("#by-source") and labour.name in page.inner_text("#by-organisation")
    fold_pending()
    boss = dispatcher_free_leader()
    today = timezone.localdate()
    period = metrics.Period("month", today.replace(day=1), today)
    data = dashboard.map_payload(actor=boss, code="410105", period=period)
    assert data["node"]["figures"]["disputes_entered"] == 1 and data["node"]["figures"]["disputes_resolved"] == 1
    assert dispute_selectors.figures(actor=boss).total.resolution_rate == 1.0


def dispatcher_free_leader() -> Any:
    from fengqiao.accounts.models import User

    return User.objects.get(username="boss")
