"""The send page's recipient picker: a checkbox tree of the sender's own grid nodes, and forged choices refused."""

from __future__ import annotations

from html.parser import HTMLParser

from fengqiao.dispatch.models import Instruction
from fengqiao.grids.models import Level
from fengqiao.grids.selectors import visible_nodes

CLEAR_ERROR = "所选发送范围不存在或不在您的管辖范围内，请重新选择。"


class TreeParser(HTMLParser):
    """For each ``nodes`` checkbox, in page order: its value and the values of the tree items it is nested in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []  # (tag, node value of an <li> item)
        self.boxes: list[tuple[str, list[str]]] = []
        self.details_in_items = 0
        self.checked: set[str] = set()
        self.open_items: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input":
            if values.get("name") == "nodes" and values.get("type") == "checkbox":
                item = next((v for t, v in reversed(self.stack) if t == "li"), None)
                assert item == values["value"], "each checkbox sits in its own tree item"
                outer = [v for t, v in self.stack if t == "li" and v is not None][:-1]
                self.boxes.append((values["value"] or "", outer))
                if "checked" in values:
                    self.checked.add(values["value"] or "")
            return
        if tag == "details" and self.stack and self.stack[-1][0] == "li":
            self.details_in_items += 1
            if "open" in values and self.stack[-1][1]:
                self.open_items.add(self.stack[-1][1] or "")
        self.stack.append((tag, values.get("data-fq-node") if tag == "li" else None))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def tree_of(html: str) -> TreeParser:
    parser = TreeParser()
    parser.feed(html)
    return parser


def test_the_send_page_shows_the_senders_nodes_as_a_nested_checkbox_tree(client, tree, street_a_dispatcher):
    client.force_login(street_a_dispatcher)
    html = client.get("/dispatch/send/").content.decode()
    assert '<select name="nodes"' not in html
    parsed = tree_of(html)
    street, community = str(tree["410105001"].pk), str(tree["410105001001"].pk)
    # Exactly the form's nodes: the sender's jurisdiction down to communities, parents before children.
    allowed = visible_nodes(actor=street_a_dispatcher).filter(level__lte=Level.COMMUNITY).order_by("path")
    assert [value for value, _outer in parsed.boxes] == [str(n.pk) for n in allowed] == [street, community]
    assert dict(parsed.boxes) == {street: [], community: [street]}
    assert parsed.details_in_items >= 1  # a parent folds open and shut without script
    assert "已选 0 个网格" in html
    assert str(tree["410105002"].pk) not in dict(parsed.boxes)


def test_a_district_dispatcher_sees_both_streets_under_the_district(client, tree, dispatcher):
    client.force_login(dispatcher)
    parsed = tree_of(client.get("/dispatch/send/").content.decode())
    pk = {code: str(tree[code].pk) for code in ("410105", "410105001", "410105002", "410105001001", "410105002001")}
    assert dict(parsed.boxes) == {
        pk["410105"]: [],
        pk["410105001"]: [pk["410105"]],
        pk["410105001001"]: [pk["410105"], pk["410105001"]],
        pk["410105002"]: [pk["410105"]],
        pk["410105002001"]: [pk["410105"], pk["410105002"]],
    }


def test_the_tree_page_loads_its_script_from_our_own_static_files(client, tree, dispatcher):
    client.force_login(dispatcher)
    html = client.get("/dispatch/send/").content.decode()
    assert 'src="/static/dispatch/node_tree.js"' in html
    assert 'href="/static/dispatch/node_tree.css"' in html
    assert "<script>" not in html  # no inline script: the policy allows our own files only


def test_a_forged_post_naming_a_node_outside_the_jurisdiction_is_refused_and_sends_nothing(
    client, tree, street_a_dispatcher
):
    client.force_login(street_a_dispatcher)
    foreign = tree["410105002"]
    response = client.post(
        "/dispatch/send/", {"title": "清查隐患", "kind": "task", "priority": 2, "nodes": [foreign.pk]}
    )
    assert response.status_code == 200
    assert Instruction.objects.count() == 0
    errors = response.context["form"].errors["nodes"]
    assert errors == [CLEAR_ERROR]
    assert CLEAR_ERROR in response.content.decode()


def test_a_forged_node_beside_an_allowed_one_still_refuses_the_whole_instruction(client, tree, street_a_dispatcher):
    client.force_login(street_a_dispatcher)
    chosen = [tree["410105001001"].pk, tree["410105002001"].pk]
    response = client.post("/dispatch/send/", {"title": "清查隐患", "kind": "task", "priority": 2, "nodes": chosen})
    assert Instruction.objects.count() == 0
    assert response.context["form"].errors["nodes"] == [CLEAR_ERROR]


def test_a_forged_value_that_is_no_node_at_all_is_refused_without_echoing_it(client, tree, street_a_dispatcher):
    client.force_login(street_a_dispatcher)
    response = client.post(
        "/dispatch/send/", {"title": "清查隐患", "kind": "task", "priority": 2, "nodes": ["<b>x</b>"]}
    )
    assert Instruction.objects.count() == 0
    assert response.context["form"].errors["nodes"] == [CLEAR_ERROR]
    assert "<b>x</b>" not in response.content.decode()


def test_posting_chosen_nodes_creates_one_instruction_for_exactly_those_nodes(client, tree, dispatcher):
    client.force_login(dispatcher)
    chosen = [tree["410105001001"], tree["410105002001"]]
    response = client.post(
        "/dispatch/send/",
        {"title": "清查隐患", "kind": "task", "priority": 2, "nodes": [n.pk for n in chosen], "requires_ack": "on"},
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    assert set(instruction.targets.values_list("node_id", flat=True)) == {n.pk for n in chosen}


def test_a_refused_post_keeps_the_chosen_nodes_ticked_and_their_branch_open(client, tree, dispatcher):
    client.force_login(dispatcher)
    community = tree["410105002001"]
    html = client.post("/dispatch/send/", {"title": "", "nodes": [community.pk]}).content.decode()
    assert Instruction.objects.count() == 0
    parsed = tree_of(html)
    assert parsed.checked == {str(community.pk)}
    # The street above the ticked community is unfolded, so the choice is in sight.
    assert {str(tree["410105"].pk), str(tree["410105002"].pk)} <= parsed.open_items
    assert "已选 1 个网格" in html
