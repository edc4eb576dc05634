"""现场验收 by the grid's worker: the centre assigns a handled hazard's acceptance to a worker of its grid, who confirms
at the place with a photo; the phone's position is checked against the grid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action, Attachment
from fengqiao.events import acceptance, services
from fengqiao.events.models import Event, Source
from tests.events.conftest import POINT_A, POINT_B
from tests.events.test_services import photo


@pytest.fixture
def hazard(worker_a, dispatcher, gas):
    event = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="楼道燃气管道老化",
        category=gas,
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    services.register_event(actor=dispatcher, event=event)
    return services.handle_in_grid(actor=worker_a, event=event, result="已关阀并通知燃气公司更换")


def verbs(event):
    return [a.verb for a in Action.objects.for_object(event).order_by("at", "id")]


def test_the_assigned_worker_accepts_on_site_with_a_photo(hazard, dispatcher, worker_a):
    acceptance.assign_acceptance(actor=dispatcher, event=hazard, worker=worker_a)
    acceptance.accept_on_site(
        actor=worker_a, event=hazard, acceptance="已更换，复查无泄漏", photos=[photo()], lon=POINT_A[0], lat=POINT_A[1]
    )
    hazard.refresh_from_db()
    assert hazard.state == "verified" and hazard.acceptance == "已更换，复查无泄漏"
    assert verbs(hazard)[-2:] == ["acceptance.assign", "accept_on_site"]
    assert Action.objects.for_object(hazard).get(verb="accept_on_site").actor_id == worker_a.pk
    assert Attachment.objects.filter(object_id=str(hazard.pk), purpose="acceptance").count() == 1


def test_a_position_away_from_the_grid_is_refused_and_nothing_written(hazard, dispatcher, worker_a):
    acceptance.assign_acceptance(actor=dispatcher, event=hazard, worker=worker_a)
    for lon, lat, code in ((POINT_B[0] + 0.02, POINT_B[1], "acceptance_too_far"), (None, None, "position_required")):
        with pytest.raises(DomainError) as err:
            acceptance.accept_on_site(
                actor=worker_a, event=hazard, acceptance="好了", photos=[photo()], lon=lon, lat=lat
            )
        assert err.value.code == code
    with pytest.raises(DomainError) as err:
        acceptance.accept_on_site(
            actor=worker_a, event=hazard, acceptance="好了", photos=[], lon=POINT_A[0], lat=POINT_A[1]
        )
    assert err.value.code == "acceptance_photo_required"
    hazard.refresh_from_db()
    assert hazard.state == "handled" and verbs(hazard)[-1] == "acceptance.assign"


def test_only_the_assigned_worker_may_accept(hazard, dispatcher, worker_a, worker_b, tree):
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    colleague = make_user("colleague", role=Role.GRID_WORKER, node=tree["410105001001001"], password=None)
    acceptance.assign_acceptance(actor=dispatcher, event=hazard, worker=worker_a)
    for other in (colleague, worker_b, dispatcher):
        with pytest.raises(WorkflowError):
            acceptance.accept_on_site(
                actor=other, event=hazard, acceptance="好了", photos=[photo()], lon=POINT_A[0], lat=POINT_A[1]
            )
    assert Event.objects.get(pk=hazard.pk).state == "handled"


def test_the_acceptance_goes_only_to_a_worker_of_the_grid_and_only_by_the_centre(
    hazard, dispatcher, worker_a, worker_b
):
    with pytest.raises(WorkflowError) as err:
        acceptance.assign_acceptance(actor=dispatcher, event=hazard, worker=worker_b)
    assert err.value.code == "worker_not_of_grid"
    with pytest.raises(WorkflowError):
        acceptance.assign_acceptance(actor=worker_a, event=hazard, worker=worker_a)
    assert Event.objects.get(pk=hazard.pk).acceptance_worker_id is None


def test_an_ordinary_event_gets_no_on_site_acceptance(event, dispatcher, worker_a):
    services.register_event(actor=dispatcher, event=event)
    services.handle_in_grid(actor=worker_a, event=event, result="已清理")
    with pytest.raises(WorkflowError) as err:
        acceptance.assign_acceptance(actor=dispatcher, event=event, worker=worker_a)
    assert err.value.code == "not_a_hazard"


def test_through_the_pages(client, hazard, dispatcher, worker_a):
    client.force_login(dispatcher)
    url = reverse("events:detail", args=[hazard.tracking_code])
    assert 'id="assign-acceptance"' in client.get(url).content.decode()
    client.post(reverse("events:act", args=[hazard.tracking_code, "assign_acceptance"]), {"worker": worker_a.pk})
    client.force_login(worker_a)
    assert 'id="accept-on-site"' in client.get(url).content.decode()
    client.post(
        reverse("events:act", args=[hazard.tracking_code, "accept_on_site"]),
        {"acceptance": "复查合格", "photos": photo(), "lon": POINT_A[0], "lat": POINT_A[1]},
    )
    assert Event.objects.get(pk=hazard.pk).state == "verified"
