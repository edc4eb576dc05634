"""Every model has an admin page that opens, in Chinese, for the administrator."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

OURS = ("core", "accounts", "grids", "events", "disputes", "dispatch", "metrics", "dashboard")


def test_every_model_of_the_platform_is_in_the_admin():
    missing = [m._meta.label for m in apps.get_models() if m._meta.app_label in OURS and m not in admin.site._registry]
    assert not missing, f"models without an admin: {missing}"


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in OURS], ids=lambda m: m._meta.label
)
def test_the_admin_list_opens(client, superuser, catalogue, model):
    client.force_login(superuser)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = client.get(url)
    assert response.status_code == 200, url
    assert "管理" in response.content.decode() or "枫桥" in response.content.decode()


# 三员分立: the admin's index offers each of the three administrators their own work and nothing else.
THEIR_WORK = {
    "admin": {
        "accounts.User",
        "accounts.Membership",
        "accounts.Department",
        "grids.GridNode",
        "events.Category",
        "disputes.DisputeType",
        "disputes.Organisation",
        "disputes.Mediator",
        "disputes.Referrer",
        "people.KeyCategory",
        "people.Gate",
        "dispatch.DutyRule",
        "metrics.Indicator",
    },
    "security_admin": {
        "accounts.User",
        "accounts.Membership",
        "accounts.Department",
        "grids.GridNode",
        "events.Category",
        "events.ApiClient",
        "disputes.DisputeType",
        "disputes.Organisation",
        "disputes.Mediator",
        "disputes.Referrer",
        "people.KeyCategory",
        "people.Gate",
        "dispatch.DutyRule",
        "metrics.Indicator",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
    },
    "audit_admin": {"core.Action", "core.AuditAnchor"},
}


@pytest.mark.parametrize("role", sorted(THEIR_WORK))
def test_the_admin_index_offers_each_administrator_only_their_work(client, tree, role):
    from tests.factories import make_user

    client.force_login(make_user(f"x_{role}", password=None, role=role, node=tree["410105"], is_staff=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    offered = {f"{app['app_label']}.{m['object_name']}" for app in response.context["app_list"] for m in app["models"]}
    assert offered == THEIR_WORK[role]
