"""Least privilege for disputes: a department handler reaches no cases (disputes go to mediators, not
departments); a mediator reaches the cases assigned to them or to their organisation, not the whole street."""

from __future__ import annotations

from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.disputes import selectors, services
from tests.factories import make_user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_department_handler_of_the_street_sees_no_dispute(dispute, tree):
    police = Department.objects.create(node=tree["410105001"], name="甲街道派出所", code="A-POL", kind="police")
    handler = make_user("d_handler")
    Membership.objects.create(user=handler, node=tree["410105001"], role=Role.HANDLER, department=police)
    assert not selectors.visible_disputes(actor=handler).exists()
    client = _client(handler)
    assert client.get(f"/disputes/{dispute.tracking_code}/").status_code == 404
    assert client.get(f"/api/v1/disputes/{dispute.tracking_code}").status_code == 404
    assert client.get("/api/v1/disputes/").json() == []
    assert selectors.figures(actor=handler).total.entered == 0


def test_a_mediator_sees_only_the_cases_of_their_own_and_their_organisation(dispute, centre_a, mediation):
    expert, colleague, township = (
        mediation["neighbour_expert"],
        mediation["generalist"],
        mediation["township_mediator"],
    )
    # Filed, not yet assigned: no mediator reaches it, though all serve in its street.
    for m in (expert, colleague, township):
        assert not selectors.visible_disputes(actor=m.user).exists()
    assert _client(expert.user).get(f"/disputes/{dispute.tracking_code}/").status_code == 404
    services.register(actor=centre_a, dispute=dispute)
    services.assign(actor=centre_a, dispute=dispute, mediator=expert)
    assert list(selectors.visible_disputes(actor=expert.user)) == [dispute]
    assert list(selectors.visible_disputes(actor=colleague.user)) == [dispute]  # the same village committee
    assert not selectors.visible_disputes(actor=township.user).exists()  # another organisation
    assert _client(expert.user).get(f"/disputes/{dispute.tracking_code}/").status_code == 200


def test_the_centre_and_the_leader_still_see_every_case_of_the_street(dispute, centre_a, mediation):
    assert list(selectors.visible_disputes(actor=centre_a)) == [dispute]
    assert list(selectors.visible_disputes(actor=mediation["leader"])) == [dispute]
