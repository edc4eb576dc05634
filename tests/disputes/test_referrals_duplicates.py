"""Probable duplicates: flagged at intake against the earliest open or recent case of the same type, party and
community; shown with a link only to whoever may open that case; cleared by the centre, on the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings

from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.disputes import referrals, services
from fengqiao.disputes.models import Party
from tests.disputes.conftest import T0, file_dispute
from tests.factories import make_user

DAY = dt.timedelta(days=1)


def test_a_second_case_with_the_same_phone_type_and_community_is_flagged_to_the_earliest(tree, types):
    first = file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    third = file_dispute(tree, types, now=T0 + 2 * DAY)
    assert first.duplicate_of is None
    assert second.duplicate_of == first and third.duplicate_of == first


def test_the_same_id_number_with_another_phone_is_flagged(tree, types):
    first = file_dispute(tree, types)
    parties = [
        services.PartyData(role=Party.Role.APPLICANT, name="王五", phone="13700000000"),
        services.PartyData(role=Party.Role.RESPONDENT, name="李四", id_number=first.respondents()[0].id_number),
    ]
    assert file_dispute(tree, types, parties=parties, now=T0 + DAY).duplicate_of == first


def test_another_type_or_another_community_is_not_a_duplicate(tree, types):
    file_dispute(tree, types)
    assert file_dispute(tree, types, type=types["property"], now=T0 + DAY).duplicate_of is None
    elsewhere = file_dispute(tree, types, grid=tree["410105002001"], lon=113.6 + 0.012, lat=34.7 + 0.005)
    assert elsewhere.duplicate_of is None


@override_settings(FENGQIAO_DISPUTE_DUPLICATE_DAYS=30)
def test_an_old_concluded_case_is_not_a_duplicate_but_an_old_open_one_is(tree, types, centre_a):
    old = file_dispute(tree, types)
    services.withdraw(actor=centre_a, dispute=old, reason="和解", now=T0 + DAY)
    assert file_dispute(tree, types, now=T0 + 40 * DAY).duplicate_of is None
    open_old = file_dispute(tree, types, type=types["property"])
    assert file_dispute(tree, types, type=types["property"], now=T0 + 40 * DAY).duplicate_of == open_old


def _page(user, code):
    client = Client()
    client.force_login(user)
    return client.get(f"/disputes/{code}/").content.decode()


def test_the_page_links_the_original_for_whoever_may_open_it(tree, types, centre_a, mediation):
    first = file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    assert f'href="/disputes/{first.tracking_code}/"' in _page(centre_a, second.tracking_code)


def test_the_flag_never_shows_a_case_the_viewer_cannot_open(tree, types, centre_a, mediation):
    first = file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    m = mediation["generalist"]
    services.register(actor=centre_a, dispute=second)
    services.assign(actor=centre_a, dispute=second, mediator=m)
    # A mediator of another organisation, assigned this one case only, cannot open the original.
    outsider = make_user("med_outside", password=None)
    from fengqiao.disputes.models import Mediator

    post = Mediator.objects.create(user=outsider, organisation=mediation["property_org"])
    services.recall(actor=centre_a, dispute=second, reason="改派")
    services.assign(actor=centre_a, dispute=second, mediator=post)
    html = _page(outsider, second.tracking_code)
    assert "疑似重复（无权查看）" in html
    assert first.tracking_code not in html


def test_the_centre_clears_a_wrong_flag_on_the_record(tree, types, centre_a):
    file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    referrals.clear_duplicate(actor=centre_a, dispute=second, note="不同楼层，另一纠纷")
    second.refresh_from_db()
    assert second.duplicate_of is None
    row = Action.objects.get(verb="duplicate_cleared")
    assert row.actor == centre_a and "另一纠纷" in row.note


def test_only_the_centre_may_clear_a_flag(tree, types, mediation):
    file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    with pytest.raises(WorkflowError):
        referrals.clear_duplicate(actor=mediation["generalist"].user, dispute=second)
    second.refresh_from_db()
    assert second.duplicate_of is not None


def test_a_centre_of_another_street_cannot_clear_it(tree, types):
    file_dispute(tree, types)
    second = file_dispute(tree, types, now=T0 + DAY)
    from fengqiao.accounts.models import Role

    other = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    client = Client()
    client.force_login(other)
    assert client.post(f"/disputes/{second.tracking_code}/duplicate/clear/").status_code == 404
    second.refresh_from_db()
    assert second.duplicate_of is not None
