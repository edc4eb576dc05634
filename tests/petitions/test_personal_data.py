"""The petitioner's personal data: encrypted at rest, masked on pages and in the audit trail, unmasked only with a
logged reason, and listed on the person's page through core.links."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from fengqiao.core import links, pii
from fengqiao.core.models import Action
from tests.petitions.conftest import ID_A

pytestmark = pytest.mark.django_db


def test_the_petitioners_data_is_encrypted_and_found_by_hash(register, centre_a):
    p = register(centre_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT petitioner_id_number, petitioner_phone FROM petitions_petition WHERE id = %s", [p.pk])
        stored = cursor.fetchone()
    assert ID_A not in stored[0] and "13800138000" not in stored[1]
    assert p.id_index == pii.blind_index(ID_A)


def test_the_page_shows_masked_data_and_a_reveal_is_logged(register, office_a):
    p = register(office_a)
    client = Client()
    client.force_login(office_a)
    page = client.get(f"/petitions/{p.tracking_code}/").content.decode()
    assert ID_A not in page and "13800138000" not in page and "王秀英" not in page
    assert p.id_masked in page
    shown = client.post(f"/petitions/{p.tracking_code}/", {"reason": "contact", "note": ""}).content.decode()
    assert ID_A in shown and "13800138000" in shown
    row = Action.objects.for_object(p).get(verb="reveal_pii")
    assert row.actor == office_a and row.data["reason"] == "contact"
    assert "petitioner_id_number" in row.data["fields"]


def test_a_reveal_without_a_reason_shows_nothing_and_logs_nothing(register, office_a):
    p = register(office_a)
    client = Client()
    client.force_login(office_a)
    page = client.post(f"/petitions/{p.tracking_code}/", {"reason": ""}).content.decode()
    assert ID_A not in page
    assert not Action.objects.for_object(p).filter(verb="reveal_pii").exists()


def test_a_leader_reads_the_case_but_may_not_unmask(register, office_a, leader_a):
    p = register(office_a)
    client = Client()
    client.force_login(leader_a)
    assert 'id="reveal"' not in client.get(f"/petitions/{p.tracking_code}/").content.decode()
    assert client.post(f"/petitions/{p.tracking_code}/", {"reason": "contact"}).status_code == 403
    assert not Action.objects.for_object(p).filter(verb="reveal_pii").exists()


def test_the_audit_trail_carries_only_masked_values(register, office_a):
    from fengqiao.petitions import services

    p = register(office_a)
    services.not_accept(actor=office_a, petition=p, reason="王秀英 13800138000 所提事项已经诉讼")
    note = Action.objects.for_object(p).get(verb="not_accept").note
    assert "王秀英" not in note and "13800138000" not in note


def test_the_person_page_provider_lists_the_petition_for_who_may_see_it(register, office_a, centre_b):
    p = register(office_a)
    index = pii.blind_index(ID_A)
    assert [c.url for c in links.cases_of_person(index, office_a) if "petitions" in c.url] == [
        f"/petitions/{p.tracking_code}/"
    ]
    assert not [c for c in links.cases_of_person(index, centre_b) if "petitions" in c.url]
    assert links.open_cases(index) >= 1
