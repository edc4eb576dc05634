"""The statutory clocks on a controlled clock: 15 days to acknowledge, 60 to handle, moved by an extension."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from fengqiao.core import deadlines
from fengqiao.petitions import services
from fengqiao.petitions.clocks import PETITION_CLOCKS
from fengqiao.petitions.models import Petition

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def colour(p, now):
    row = PETITION_CLOCKS.annotate(Petition.objects.filter(pk=p.pk), now).get()
    return row.colour, row.flag


def test_the_acknowledge_clock_turns_orange_near_the_end_and_red_when_missed(register, office_a, t0):
    p = register(office_a, now=t0)
    assert p.ack_due_at == t0 + 15 * DAY
    assert colour(p, t0 + DAY) == ("green", "")
    assert colour(p, t0 + 12 * DAY) == ("orange", "ack_nearly_due")
    assert colour(p, t0 + 16 * DAY) == ("red", "ack_missed")


def test_accepting_stops_the_acknowledge_clock_and_starts_sixty_days(register, office_a, t0):
    p = register(office_a, now=t0)
    accepted = t0 + 5 * DAY
    services.accept(actor=office_a, petition=p, now=accepted)
    assert p.ack_due_at is None and p.handle_due_at == accepted + 60 * DAY
    assert colour(p, accepted + 10 * DAY) == ("green", "")
    assert colour(p, accepted + 50 * DAY) == ("orange", "handle_nearly_due")
    assert colour(p, accepted + 61 * DAY) == ("red", "handle_missed")


def test_an_approved_extension_moves_the_due_date(register, office_a, leader_a, t0):
    p = register(office_a, now=t0)
    services.accept(actor=office_a, petition=p, now=t0)
    services.request_extension(actor=office_a, petition=p, days=30, reason="涉及多部门，需联合调查")
    assert p.handle_due_at == t0 + 60 * DAY  # asking alone moves nothing
    services.approve_extension(actor=leader_a, petition=p)
    assert p.handle_due_at == t0 + 90 * DAY
    assert colour(p, t0 + 61 * DAY) == ("green", "")
    assert colour(p, t0 + 91 * DAY) == ("red", "handle_missed")


def test_the_red_tells_the_leaders_above_and_the_orange_only_the_office(register, office_a, centre_a, leader_a, t0):
    from fengqiao.dispatch.models import Notification

    p = register(office_a, now=t0)
    deadlines.send_warnings(now=t0 + 12 * DAY)
    told = set(Notification.objects.filter(url__contains=p.tracking_code).values_list("recipient__username", flat=True))
    assert told == {"office_a", "centre_a"}
    deadlines.send_warnings(now=t0 + 16 * DAY)
    red = Notification.objects.filter(url__contains=p.tracking_code, kind="deadline_red")
    assert set(red.values_list("recipient__username", flat=True)) == {"office_a", "centre_a", "leader_a"}


@override_settings(FENGQIAO_PETITION_CLOCKS={"acknowledge": "10d", "handle": "30d", "max_extension": "15d"})
def test_the_durations_are_settings(register, office_a, t0):
    p = register(office_a, now=t0)
    assert p.ack_due_at == t0 + 10 * DAY
    services.accept(actor=office_a, petition=p, now=t0)
    assert p.handle_due_at == t0 + 30 * DAY
    with pytest.raises(Exception, match="15"):
        services.request_extension(actor=office_a, petition=p, days=16, reason="x")
