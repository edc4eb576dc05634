"""The security administrator registers an estate's gate controller in the admin and gets its API key once; the
key opens the gate API; a gate outside the administrator's area is refused and nothing is written."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.people import rentals
from fengqiao.people.models import Gate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(tree):
    return make_user("sec_a", role=Role.SECURITY_ADMIN, node=tree["410105001"], password=None, is_staff=True)


def _add(client, grid):
    return client.post(
        reverse("admin:people_gate_add"),
        {"name": "东门道闸", "grid": grid.pk, "webhook_url": "", "active": "on"},
    )


def test_a_new_gate_gets_its_key_once_and_the_key_opens_the_gate_api(client, tree, security):
    client.force_login(security)
    response = _add(client, tree["410105001001"])
    assert response.status_code == 302
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    key = re.search(r"<code>([^<]+)</code>", shown)
    assert key is not None
    gate = Gate.objects.get()
    assert rentals.gate_for_key(key[1]) == gate
    assert key[1] not in gate.key_index  # kept as a digest only


def test_reissuing_the_key_retires_the_old_one(client, tree, security):
    gate, old = rentals.register_gate(actor=security, grid=tree["410105001001"], name="东门")
    client.force_login(security)
    response = client.post(
        reverse("admin:people_gate_change", args=[gate.pk]),
        {"name": "东门", "grid": gate.grid_id, "webhook_url": "", "active": "on", "issue_api_key": "on"},
    )
    assert response.status_code == 302
    new = re.search(r"<code>([^<]+)</code>", " ".join(str(m) for m in get_messages(response.wsgi_request)))
    assert new is not None and rentals.gate_for_key(new[1]) == gate
    assert rentals.gate_for_key(old) is None


def test_a_gate_outside_the_administrators_area_is_refused_and_nothing_written(client, tree, security):
    client.force_login(security)
    response = _add(client, tree["410105002001"])
    assert response.status_code in (200, 403)  # the form refuses the grid, or the key service refuses the area
    assert not Gate.objects.exists()


def test_a_system_administrator_sees_gates_but_cannot_add_one(client, tree):
    admin_user = make_user("sys_a", role=Role.ADMIN, node=tree["410105001"], password=None, is_staff=True)
    client.force_login(admin_user)
    assert client.get(reverse("admin:people_gate_changelist")).status_code == 200
    assert _add(client, tree["410105001001"]).status_code == 403
    assert not Gate.objects.exists()
