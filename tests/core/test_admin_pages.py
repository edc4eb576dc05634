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
