"""Repeat (重复信访) and group (集体访) flags, set on registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.petitions.conftest import GRID_B

pytestmark = pytest.mark.django_db


def test_five_petitioners_make_a_group_petition_four_do_not(register, centre_a):
    assert register(centre_a, petitioners=5).is_group is True
    assert register(centre_a, petitioners=4).is_group is False


def test_the_same_id_number_on_the_same_category_within_a_year_is_a_repeat(register, centre_a):
    today = timezone.localdate()
    first = register(centre_a, received_on=today - dt.timedelta(days=200), phone="")
    second = register(centre_a, received_on=today, phone="")
    assert first.is_repeat is False
    assert second.is_repeat is True and second.repeat_of == first


def test_the_same_phone_without_an_id_number_is_a_repeat(register, centre_a):
    first = register(centre_a, id_number="")
    second = register(centre_a, id_number="", name="王某")
    assert second.is_repeat and second.repeat_of == first


def test_another_category_or_more_than_twelve_months_is_not_a_repeat(register, centre_a):
    today = timezone.localdate()
    register(centre_a, received_on=today - dt.timedelta(days=400))
    assert register(centre_a, received_on=today).is_repeat is False
    assert register(centre_a, category="labour").is_repeat is False


def test_a_repeat_links_to_the_earlier_petition_only_for_who_may_open_it(register, centre_a, centre_b, leader_a):
    from django.test import Client

    from fengqiao.accounts.models import Membership, Role

    earlier = register(centre_b, grid=GRID_B)  # street B's petition
    later = register(centre_a)  # same petitioner in street A
    assert later.is_repeat and later.repeat_of == earlier
    client = Client()
    client.force_login(leader_a)
    page = client.get(f"/petitions/{later.tracking_code}/").content.decode()
    assert "repeat-flag" in page and earlier.tracking_code not in page
    Membership.objects.create(user=leader_a, node=earlier.grid.parent.parent, role=Role.LEADER)
    leader_a.__dict__.pop("active_memberships", None)
    client.force_login(leader_a)
    page = client.get(f"/petitions/{later.tracking_code}/").content.decode()
    assert f"/petitions/{earlier.tracking_code}/" in page
