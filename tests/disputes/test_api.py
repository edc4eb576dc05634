"""The native API: scoped reads, the suggestion, assignment, and the public tracking read."""

from __future__ import annotations

import io

from django.test import Client

from fengqiao.disputes.importer import HEADERS, import_roster
from fengqiao.disputes.models import Mediator, Organisation
from tests.disputes.conftest import RESPONDENT_PHONE


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_public_tracking_needs_no_login_and_shows_no_personal_data(dispute):
    response = Client().get(f"/api/v1/disputes/track/{dispute.tracking_code}")
    assert response.status_code == 200
    assert response.json()["stages"][0]["label"] == "纠纷已提交"
    assert RESPONDENT_PHONE not in response.content.decode() and "李四" not in response.content.decode()


def test_a_mediator_of_another_township_gets_404_from_the_api(dispute, mediation):
    response = signed_in(mediation["other_township"].user).get(f"/api/v1/disputes/{dispute.tracking_code}")
    assert response.status_code == 404


def test_the_centre_reads_the_suggestion_and_assigns_through_the_api(dispute, centre_a, mediation):
    from fengqiao.disputes import services

    services.register(actor=centre_a, dispute=dispute)
    client = signed_in(centre_a)
    first = client.get(f"/api/v1/disputes/{dispute.tracking_code}/suggestions").json()[0]
    assert first["mediator_id"] == mediation["neighbour_expert"].pk
    response = client.post(
        f"/api/v1/disputes/{dispute.tracking_code}/assign",
        {"mediator_id": first["mediator_id"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "assigned"


def test_assigning_twice_is_a_conflict(dispute, centre_a, mediation):
    client = signed_in(centre_a)
    response = client.post(
        f"/api/v1/disputes/{dispute.tracking_code}/assign",
        {"mediator_id": mediation["neighbour_expert"].pk},
        content_type="application/json",
    )
    assert response.status_code == 409


def _roster(rows):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_the_roster_import_creates_organisations_and_mediators(tree, types, dispatcher):
    file = _roster(
        [
            [
                "金水区交通事故调解委员会",
                "行业性专业性调解组织",
                "交通事故",
                "410105",
                "jt1",
                "马调解",
                "13600136000",
                "调解员",
                "交通事故纠纷",
                "否",
            ],
            [
                "金水区交通事故调解委员会",
                "industry",
                "traffic",
                "410105",
                "jt2",
                "牛调解",
                "",
                "律师",
                "traffic、other",
                "是",
            ],
        ]
    )
    result = import_roster(actor=dispatcher, file=file)
    assert (result.organisations, result.mediators) == (1, 2)
    assert Mediator.objects.get(user__username="jt2").is_expert


def test_a_roster_with_a_bad_row_imports_nothing_and_names_the_row(tree, types, dispatcher):
    from fengqiao.disputes.validation import IntakeError

    file = _roster(
        [
            ["甲社区调委会", "village", "", "410105001001", "c1", "甲", "", "", "邻里纠纷", ""],
            ["乙社区调委会", "village", "", "999", "c2", "乙", "", "", "", ""],
        ]
    )
    try:
        import_roster(actor=dispatcher, file=file)
    except IntakeError as exc:
        assert "第 3 行" in exc.message
    else:
        raise AssertionError("expected the import to be refused")
    assert not Organisation.objects.exists()
