"""The list's filters, and the pages' labels (no raw state codes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_repeat_group_state_and_colour(register, centre_a):
    plain = register(centre_a, id_number="", phone="13900000001", category="civil")
    group = register(centre_a, id_number="", phone="13900000002", petitioners=8, category="labour")
    first = register(centre_a)
    repeat = register(centre_a, name="王秀英")
    late = register(
        centre_a,
        id_number="",
        phone="13900000003",
        category="rural",
        now=timezone.now() - dt.timedelta(days=20),
    )
    client = Client()
    client.force_login(centre_a)

    def codes(query):
        page = client.get(f"/petitions/?{query}").content.decode()
        return {p.tracking_code for p in (plain, group, first, repeat, late) if p.tracking_code in page}

    assert codes("repeat=on") == {repeat.tracking_code}
    assert codes("group=on") == {group.tracking_code}
    assert codes("colour=red") == {late.tracking_code}
    assert codes("state=registered") == {p.tracking_code for p in (plain, group, first, repeat, late)}
    assert codes("state=accepted") == set()


def test_pages_show_labels_not_codes(register, centre_a):
    p = register(centre_a)
    client = Client()
    client.force_login(centre_a)
    page = client.get(f"/petitions/{p.tracking_code}/").content.decode()
    assert "已登记" in page and "征地拆迁" in page and "走访" in page
    assert ">registered<" not in page and ">land<" not in page


def test_the_petition_page_in_english_says_registered_and_handle_by(register, centre_a):
    """登记 and 办理 are both a button or section and a field: the page takes the field's words."""
    from django.conf import settings

    petition = register(centre_a)
    type(petition).objects.filter(pk=petition.pk).update(handle_due_at=timezone.now() + dt.timedelta(days=60))
    client = Client()
    client.force_login(centre_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/petitions/{petition.tracking_code}/").content.decode()
    assert ">Registered</dt>" in page
    assert "Handle by" in page
    assert ">Record<" not in page
