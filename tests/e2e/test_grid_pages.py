"""In a real browser: a dispatcher signs in and sees the grid map; a grid worker is refused another grid."""

from __future__ import annotations

from tests.factories import make_user


def test_a_dispatcher_signs_in_and_sees_the_grid_map(page, live_server, login, tree):
    make_user("disp", role="dispatcher", node=tree["410105"], full_name="王芳")
    login(page, live_server, "disp", "correct-horse-9")
    assert "王芳" in page.content()
    page.goto(f"{live_server.url}/grids/")
    page.wait_for_selector("#grid-map[data-ready='1']", timeout=15000)
    assert page.get_attribute("#grid-map", "data-regions") == "2"  # the district's two streets
    assert page.locator("text=甲街道").first.is_visible()
    # Clicking into a street drills down to its own map.
    page.locator("a", has_text="甲街道").first.click()
    page.wait_for_url("**/grids/410105001/")
    page.wait_for_selector("#grid-map[data-ready='1']", timeout=15000)
    assert page.get_attribute("#grid-map", "data-regions") == "1"


def test_a_grid_worker_cannot_open_another_grids_page(page, live_server, login, tree):
    make_user("wa", role="grid_worker", node=tree["410105001001001"], full_name="张伟")
    login(page, live_server, "wa", "correct-horse-9")
    own = page.goto(f"{live_server.url}/grids/410105001001001/")
    assert own is not None and own.status == 200
    foreign = page.goto(f"{live_server.url}/grids/410105002001001/")
    # Another grid answers exactly like one that does not exist.
    assert foreign is not None and foreign.status == 404
    assert "页面不存在" in page.content()


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(page, live_server, tree):
    make_user("wb", role="grid_worker", node=tree["410105002001001"])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "wb")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" in page.url
    assert page.locator(".alert-danger").count() >= 1
