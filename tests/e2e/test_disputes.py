"""In a real browser: 一码解纠纷 from the community poster to a signed-off agreement, followed by the resident."""

from __future__ import annotations

from pathlib import Path

from fengqiao.accounts.models import Role
from fengqiao.disputes.catalogue import load_catalogue
from fengqiao.disputes.models import DisputeType, Organisation
from tests.disputes.conftest import make_mediator
from tests.disputes.test_documents import pdf_unicode_text
from tests.factories import make_user


def test_a_neighbours_dispute_from_the_poster_to_the_agreement(page, live_server, login, tree, browser):
    load_catalogue()
    neighbours = DisputeType.objects.get(code="neighbours")
    village = Organisation.objects.create(
        name="甲社区人民调解委员会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"]
    )
    make_mediator("med_zhou", village, name="周调解")  # no specialty: not the suggestion
    make_mediator("med_sun", village, name="孙调解", specialties=[neighbours])
    make_user("centre", role=Role.DISPATCHER, node=tree["410105001"], full_name="陈管理", is_staff=True)

    # The centre prints the community's poster; its link is what the QR code holds.
    login(page, live_server, "centre", "correct-horse-9")
    page.goto(f"{live_server.url}/disputes/poster/410105001001/")
    link = page.get_attribute("#apply-link", "href")
    assert link and link.endswith("/disputes/apply/410105001001/")

    # A resident scans it and files a neighbours' dispute from the phone, without logging in.
    resident = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = resident.new_page()
    phone.goto(link)
    phone.select_option("#id_type", label="邻里纠纷")
    phone.fill("#id_summary", "楼上邻居每天夜里装修到十一点，多次沟通无果。")
    phone.fill("#id_claim", "晚上十点后停止施工")
    phone.fill("#id_applicant_name", "张三")
    phone.fill("#id_applicant_phone", "13800138000")
    phone.fill("#id_respondent_name", "李四")
    phone.fill("#id_respondent_phone", "13912345678")
    phone.check("#id_consent")
    phone.click("#submit-dispute")
    phone.wait_for_selector("#tracking-code")
    code = phone.inner_text("#tracking-code").strip()
    assert code.startswith("D")

    # The administrator registers it and assigns the suggested mediator.
    page.goto(f"{live_server.url}/disputes/{code}/")
    page.click("#form-register button")
    page.wait_for_selector("#state:has-text('待分配')")
    assert "孙调解" in page.inner_text("#id_mediator option:checked")
    page.click("#assign-button")
    page.wait_for_selector("#state:has-text('已分派')")

    # The mediator accepts on the phone, records a session and drafts the agreement; the PDF downloads.
    mediator = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    m = mediator.new_page()
    login(m, live_server, "med_sun", "correct-horse-9")
    m.goto(f"{live_server.url}/disputes/mine/")
    m.click(f"[data-code='{code}']")
    m.click("#accept-button")
    m.wait_for_selector("#state:has-text('已接受')")
    m.fill("#form-session input[name=place]", "甲社区调解室")
    m.fill("#form-session input[name=participants]", "张三、李四、孙调解")
    m.fill("#form-session textarea[name=notes]", "双方陈述，释法说理。")
    m.click("#form-session button")
    m.wait_for_selector("#state:has-text('调解中')")
    m.fill("#form-agreement textarea[name=terms]", "李四晚上十点后不再施工")
    m.fill("#form-agreement textarea[name=performance]", "自签字之日起履行")
    m.click("#form-agreement button")
    m.wait_for_selector("#agreement-pdf-1")
    with m.expect_download() as download:
        m.click("#agreement-pdf-1")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF") and set("张三李四") <= pdf_unicode_text(data)
    m.fill("#form-resolve input[name=result]", "双方达成调解协议")
    m.click("#form-resolve button")
    m.wait_for_selector("#state:has-text('调解成功')")

    # The resident's tracking page shows each stage, and nothing of the other party.
    phone.goto(f"{live_server.url}/disputes/track/{code}/")
    stages = phone.inner_text("#stages")
    for stage in (
        "纠纷已提交",
        "综治中心已受理",
        "已分派调解员",
        "调解员已接单",
        "已开展调解",
        "已形成调解协议书",
        "调解成功",
    ):
        assert stage in stages
    body = phone.inner_text("body")
    assert "13912345678" not in body and "李四" not in body
    resident.close()
    mediator.close()
