"""The main menu on a narrow desktop: a role with many sections must still see its name and the sign-out button."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Fengqiao2026!nav"


def test_the_name_and_sign_out_stay_inside_the_window_on_a_narrow_desktop(live_server, page, login, tree):
    user = make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001"], password=PASSWORD)
    user.is_staff = True  # one more menu entry (后台)
    user.save(update_fields=["is_staff"])
    login(page, live_server, "centre_a", PASSWORD)
    for width in (1200, 1280, 1366):
        page.set_viewport_size({"width": width, "height": 700})
        page.goto(f"{live_server.url}/events/")
        sign_out = page.get_by_role("button", name="退出").bounding_box()
        name = page.locator("#fq-user").bounding_box()
        assert sign_out is not None and name is not None
        assert sign_out["x"] + sign_out["width"] <= width and name["x"] >= 0, width
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
