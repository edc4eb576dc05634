"""The home page greets each person in Chinese: their role by its Chinese name, never its code."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from tests.core.test_admin_chinese import english_words
from tests.factories import make_user


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_home_page_names_the_role_in_chinese(client, tree, role):
    user = make_user(f"u{len(role)}", password=None, role=role, node=tree["410105"], full_name="赵敏")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert str(Role(role).label) in html
    # The language switcher names English in English, as language pickers do.
    assert english_words(html, {user.username, "English"}) == set()
    assert role.upper() not in html


def test_a_person_without_a_full_name_is_greeted_without_their_login_in_capitals(client, tree):
    user = make_user("dispatcher", password=None, role=Role.DISPATCHER, node=tree["410105"])
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "DISPATCHER" not in html
    assert "综治中心调度员" in html
