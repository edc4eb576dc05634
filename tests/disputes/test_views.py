"""Pages: the poster and public intake, the tracking page, the queue, the case page and documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.disputes import services
from fengqiao.disputes.models import Dispute
from tests.disputes.conftest import APPLICANT_ID, RESPONDENT_ID, RESPONDENT_PHONE, file_dispute
from tests.disputes.test_workflow import to_mediating


@pytest.fixture
def dispute(tree, types, mediation):
    """Filed just now, so the real clock (which the pages use) shows it green."""
    return file_dispute(tree, types, now=timezone.now())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def intake_post(types, **extra):
    data = {
        "type": types["neighbours"].pk,
        "summary": "隔壁邻居在楼道堆放杂物，影响通行。",
        "claim": "清理楼道",
        "people_involved": 2,
        "applicant_name": "王五",
        "applicant_phone": "13700137000",
        "applicant_id": APPLICANT_ID,
        "respondent_kind": "person",
        "respondent_name": "赵六",
        "respondent_phone": RESPONDENT_PHONE,
        "consent": "on",
    }
    data.update(extra)
    return data


def test_a_resident_files_without_logging_in_and_gets_a_tracking_page(tree, types, mediation):
    response = Client().post(reverse("disputes:apply", args=["410105001001"]), intake_post(types))
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert response["Location"].startswith(reverse("disputes:track", args=[dispute.tracking_code]))
    assert dispute.source == "qr" and dispute.grid.code == "410105001001"


def test_the_intake_form_is_protected_by_csrf(tree, types):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("disputes:apply", args=["410105001001"]), intake_post(types))
    assert response.status_code == 403
    assert not Dispute.objects.exists()


def test_a_bad_id_number_is_explained_on_the_form(tree, types):
    response = Client().post(
        reverse("disputes:apply", args=["410105001001"]), intake_post(types, applicant_id="110105194912310021")
    )
    assert response.status_code == 200
    assert "身份证号码不正确" in response.content.decode()
    assert not Dispute.objects.exists()


def test_the_tracking_page_never_shows_the_respondents_phone_or_id(dispute, centre_a, mediation):
    to_mediating(dispute, centre_a, mediation["neighbour_expert"], now=dispute.entered_at)
    page = Client().get(reverse("disputes:track", args=[dispute.tracking_code])).content.decode()
    assert "已开展调解" in page
    for secret in (RESPONDENT_PHONE, RESPONDENT_ID, RESPONDENT_PHONE[-4:] + "", "李四", APPLICANT_ID):
        assert secret not in page


def test_a_mediator_of_another_township_gets_404_on_the_case_page(dispute, mediation):
    client = signed_in(mediation["other_township"].user)
    assert client.get(reverse("disputes:detail", args=[dispute.tracking_code])).status_code == 404


def test_the_case_page_masks_phones_and_ids(dispute, centre_a):
    page = signed_in(centre_a).get(reverse("disputes:detail", args=[dispute.tracking_code])).content.decode()
    assert RESPONDENT_PHONE not in page and RESPONDENT_ID not in page
    assert "139****5678" in page


def test_revealing_a_phone_is_logged(dispute, centre_a):
    from fengqiao.core.models import Action

    party = dispute.parties.get(role="respondent")
    page = signed_in(centre_a).post(
        reverse("disputes:detail", args=[dispute.tracking_code]), {"party": party.pk, "reason": "contact"}
    )
    assert RESPONDENT_PHONE in page.content.decode()
    assert Action.objects.for_object(dispute).filter(verb="reveal_pii").count() == 1


def test_the_queue_shows_the_case_with_its_colour(dispute, centre_a):
    page = signed_in(centre_a).get(reverse("disputes:queue")).content.decode()
    assert dispute.tracking_code in page and 'data-colour="green"' in page


def test_the_administrator_assigns_from_the_case_page(dispute, centre_a, mediation):
    client = signed_in(centre_a)
    client.post(reverse("disputes:act", args=[dispute.tracking_code, "register"]), {"risk": "blue"})
    page = client.get(reverse("disputes:detail", args=[dispute.tracking_code])).content.decode()
    assert "★ 孙调解" in page
    client.post(
        reverse("disputes:act", args=[dispute.tracking_code, "assign"]), {"mediator": mediation["neighbour_expert"].pk}
    )
    dispute.refresh_from_db()
    assert dispute.state == "assigned" and dispute.mediator == mediation["neighbour_expert"]


def test_the_agreement_downloads_as_pdf_and_docx_for_the_mediator(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, m, now=dispute.entered_at - dt.timedelta(hours=6))
    services.draft_agreement(actor=m.user, dispute=dispute, facts="事实", terms="条款", performance="即日")
    client = signed_in(m.user)
    pdf = client.get(reverse("disputes:agreement_file", args=[dispute.tracking_code, 1, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("disputes:agreement_file", args=[dispute.tracking_code, 1, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_the_poster_pdf_is_printable(tree, centre_a):
    response = signed_in(centre_a).get(reverse("disputes:poster", args=["410105001001"]) + "?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["disputes:library", "disputes:figures", "disputes:organisations", "disputes:new"])
def test_the_staff_pages_render(name, dispute, centre_a):
    assert signed_in(centre_a).get(reverse(name)).status_code == 200


def test_the_mediators_workspace_lists_their_cases(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute)
    services.assign(actor=centre_a, dispute=dispute, mediator=m)
    page = signed_in(m.user).get(reverse("disputes:mine")).content.decode()
    assert dispute.tracking_code in page and "未按时" not in page
