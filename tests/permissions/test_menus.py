"""Menus, home cards and page buttons offer each role only what it may open: no link ends in 403."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Role
from tests.factories import make_department, make_user

# Where each role serves in the small test tree (workers in a grid, the centre at the district).
NODE = {
    Role.GRID_LEADER: "410105001001",
    Role.GRID_WORKER: "410105001001001",
    Role.PART_TIME_WORKER: "410105001001001",
    Role.INFORMANT: "410105001001001",
    Role.MEDIATOR: "410105001",
    Role.HANDLER: "410105",
}
SKIP = ("/admin/", "/static/", "/i18n/", "/jsi18n/", "/logout/")
# Pages a person may open by typing their address or following a bookmark: whatever they offer must work too.
PAGES = [
    "grids:index",
    "events:queue",
    "events:department",
    "events:mine",
    "events:report",
    "disputes:queue",
    "disputes:mine",
    "disputes:library",
    "disputes:figures",
    "disputes:organisations",
    "dispatch:inbox",
    "dispatch:send",
    "dispatch:sent",
    "dispatch:work",
    "dispatch:duty",
    "metrics:ranking",
    "metrics:efficiency",
    "metrics:reports",
    "dashboard:map",
    "dashboard:bigscreen",
]
LINK = re.compile(r"""<a\b[^>]*\bhref=["']([^"'#][^"']*)["']""")


def _links(html: str) -> list[str]:
    found = []
    for href in LINK.findall(html):
        url = unescape(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith(SKIP):
            continue
        found.append(url)
    return found


def _user(tree, role):
    node = tree[NODE.get(role, "410105")]
    staff = role in {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.DISPATCHER}
    user = make_user(f"u_{role}", password=None, role=role, node=node, is_staff=staff)
    if role == Role.HANDLER:
        membership = user.memberships.get()
        membership.department = make_department(node)
        membership.save()
    return user


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_link_a_role_is_offered_opens_for_that_role(client, tree, catalogue, role):
    client.force_login(_user(tree, role))
    home = client.get("/")
    assert home.status_code == 200
    seen: set[str] = set()
    frontier = [(url, "/") for url in _links(home.content.decode())]
    for name in PAGES:  # opened directly: a refusal here is fine, a refused link on an open page is not
        page = client.get(reverse(name))
        if page.status_code == 200:
            frontier += [(link, reverse(name)) for link in _links(page.content.decode())]
    refused = []
    # The links offered on those pages (menu, cards, buttons), and the links on the pages they open.
    for depth in range(2):
        following = []
        for url, source in frontier:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code == 403:
                refused.append(f"{url} (linked from {source})")
            elif depth == 0 and response.status_code == 200 and "html" in response.get("Content-Type", ""):
                following += [(link, url) for link in _links(response.content.decode())]
        frontier = following
    assert not refused, f"{role} is offered links that refuse it: {refused}"
