"""In a real browser: a dispatcher finds a community by typing in the recipient tree's filter, ticks it, ticks a
whole street with one button, and sends; the page's script runs under the content security policy."""

from __future__ import annotations

from fengqiao.dispatch.models import Instruction
from tests.factories import make_user


def test_a_dispatcher_filters_the_tree_ticks_nodes_and_sends(page, live_server, login, tree):
    make_user("disp", role="dispatcher", node=tree["410105"], full_name="王芳")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "disp", "correct-horse-9")
    page.goto(f"{live_server.url}/dispatch/send/")

    street_a, community_b = tree["410105001"], tree["410105002001"]
    item = "li[data-fq-node='{}']".format
    # Folded at first: the district is open, the streets are shut.
    assert not page.locator(item(community_b.pk)).is_visible()
    page.fill("[data-fq-tree-filter]", "乙社")
    assert page.locator(item(community_b.pk)).is_visible()  # its street unfolds to show it
    assert page.locator(item(tree["410105002"].pk)).is_visible()
    assert not page.locator(item(street_a.pk)).is_visible()
    page.check(f"input[name=nodes][value='{community_b.pk}']")
    assert page.locator("[data-fq-tree-count]").inner_text() == "已选 1 个网格"

    page.fill("[data-fq-tree-filter]", "无此网格")
    assert page.locator("[data-fq-tree-empty]").is_visible()
    page.fill("[data-fq-tree-filter]", "")
    assert page.locator(item(street_a.pk)).is_visible()

    # One press ticks the street and its community.
    page.locator(f"{item(street_a.pk)} [data-fq-tree-all]").first.click()
    assert page.locator("[data-fq-tree-count]").inner_text() == "已选 3 个网格"
    assert page.is_checked(f"input[name=nodes][value='{tree['410105001001'].pk}']")

    page.fill("#id_title", "排查燃气隐患")
    page.click("#send-instruction")
    page.wait_for_url("**/track/")
    instruction = Instruction.objects.get()
    # The street already covers its community: each addressee is reached once.
    assert set(instruction.targets.values_list("node_id", flat=True)) == {street_a.pk, community_b.pk}
    assert refused == []
