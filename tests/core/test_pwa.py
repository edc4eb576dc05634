"""The phone app's manifest and service worker: served from the site root, same origin, and versioned by content."""

from __future__ import annotations

import json

import pytest

from fengqiao.core import pwa

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/"
    assert "no-cache" in answer["Cache-Control"]
    assert "Content-Security-Policy" in answer  # the worker runs under the same policy as the pages


def test_the_service_worker_names_the_shell_the_queued_forms_and_a_version(client):
    text = client.get("/sw.js").content.decode()
    config = json.loads(text.split("\n", 1)[0].removeprefix("self.FQ = ").removesuffix(";"))
    assert {"/", "/events/report/", "/dispatch/", "/dispatch/work/"} <= set(config["pages"])
    assert r"^/dispatch/i/\d+/ack/$" in config["queued"] and "^/events/report/$" in config["queued"]
    assert "/static/js/pwa.js" in config["static"]
    assert len(config["version"]) == 12
    assert config["logout"] == "/logout/" and config["login"] == "/login/"
    # Every URL it fetches or matches is our own: nothing from another origin.
    assert all(u.startswith("/") for u in config["pages"] + config["static"])


def test_a_changed_static_file_changes_the_version(client, tmp_path, monkeypatch):
    before = json.loads(client.get("/sw.js").content.decode().split("\n", 1)[0][10:-1])["version"]
    files = pwa._files()
    extra = tmp_path / "changed.js"
    extra.write_text("// a new deploy")
    monkeypatch.setattr(pwa, "_files", lambda: [*files, extra])
    after = json.loads(client.get("/sw.js").content.decode().split("\n", 1)[0][10:-1])["version"]
    assert after != before


def test_the_service_worker_refuses_a_post(client):
    assert client.post("/sw.js").status_code == 405


def test_the_manifest_installs_the_app_with_two_png_icons(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    data = answer.json()
    assert data["start_url"] == "/" and data["scope"] == "/" and data["display"] == "standalone"
    assert data["name"] == "枫桥网格通"
    sizes = {icon["sizes"]: icon["src"] for icon in data["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        image = client.get(src)
        assert image.status_code == 200
        body = b"".join(image.streaming_content) if image.streaming else image.content
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(body[16:20], "big")
        assert f"{width}x{width}" == size


def test_signed_in_pages_load_the_app_script_and_the_sign_in_page_does_not(client, worker_a):
    assert b"js/pwa.js" not in client.get("/login/").content
    assert b'rel="manifest"' in client.get("/login/").content
    client.force_login(worker_a)
    page = client.get("/").content.decode()
    assert "js/pwa.js" in page and f'data-user="{worker_a.pk}"' in page


def test_a_prefetch_by_the_phone_app_leaves_the_flash_messages_for_the_next_page(client, worker_a):
    client.force_login(worker_a)
    # A write that ends with a message (a diary saved), then the app's background fetch, then the user's own page.
    client.post("/dispatch/work/", {"form": "diary", "diary-text": "今日巡查无异常"})
    prefetched = client.get("/", headers={"X-FQ-Prefetch": "1"}).content.decode()
    assert "今日民情日志已保存" not in prefetched
    assert "今日民情日志已保存" in client.get("/").content.decode()


def test_a_key_person_visit_written_offline_is_queued_but_nothing_else_of_the_record(client):
    # The visit form carries an idempotency key, so the outbox may resend it; unmasking and managing the record
    # are never replayed from the phone.
    import re

    config = json.loads(client.get("/sw.js").content.decode().split("\n", 1)[0][10:-1])
    queued = [re.compile(p) for p in config["queued"]]
    assert any(p.match("/people/key/42/visit/") for p in queued)
    for path in ("/people/key/42/reveal/", "/people/key/42/act/end/", "/people/key/new/42/"):
        assert not any(p.match(path) for p in queued), path
