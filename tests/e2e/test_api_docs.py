"""The API documentation page renders in a real browser under the platform's CSP, with nothing from another origin."""

from __future__ import annotations

from tests.factories import make_user


def test_swagger_ui_renders_from_our_own_origin(page, live_server, login, tree):
    make_user("docs_reader", role="dispatcher", node=tree["410105"], is_staff=True)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None)
    login(page, live_server, "docs_reader", "correct-horse-9")
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI draws one block per operation once it has fetched and parsed the document.
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() > 10
    assert not foreign, foreign
    assert not problems, problems
