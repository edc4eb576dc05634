"""Security basics: rate limits on public intake and login, a content security policy, deploy checks."""

from __future__ import annotations

import pytest

from fengqiao.core import ratelimit


@pytest.fixture
def strict(settings):
    settings.FENGQIAO_RATE_PUBLIC_REPORT = "3/m"
    settings.FENGQIAO_RATE_LOGIN = "3/m"
    return settings


def test_the_public_report_page_answers_429_past_its_limit(client, tree, strict, catalogue):
    codes = [
        client.post("/events/r/410105001001001/", {"description": "垃圾堆积", "reporter_phone": "123"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [200, 200, 200]  # refused for the bad phone, but counted
    assert codes[3] == 429


def test_login_attempts_from_one_address_are_limited(client, db, strict):
    codes = [client.post("/login/", {"username": f"u{i}", "password": "x"}).status_code for i in range(4)]
    assert codes[-1] == 429
    assert "请求过于频繁" in client.post("/login/", {"username": "z", "password": "x"}).content.decode()


def test_reading_pages_is_not_limited_by_posts(client, db, strict):
    for _ in range(5):
        client.post("/login/", {"username": "a", "password": "b"})
    assert client.get("/login/").status_code == 200


def test_counters_are_kept_per_key(db):
    assert all(ratelimit.hit("k1", "2/m") for _ in range(2))
    assert not ratelimit.hit("k1", "2/m")
    assert ratelimit.hit("k2", "2/m")


def test_pages_carry_a_content_security_policy(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_deploy_checks_pass_with_production_settings(tmp_path):
    """`check --deploy` is clean when the environment says production (HTTPS, a real secret key)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
        "SECRET_KEY": "x7#Qm!2vLr@9pZk$4tWc^8nYb&1hJd*6sFg(3eUa)5oXi_0yRq+",
        "FENGQIAO_DATA_KEYS": "1:Vb3kP9wQ2zL7xR5mN8tY4cH6jD1fG0sA",
        "FENGQIAO_HTTPS": "1",
        "FENGQIAO_SSL_REDIRECT": "1",
        "FENGQIAO_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process, never in production
    result = subprocess.run(
        [sys.executable, "-m", "fengqiao", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nul_characters_are_refused_with_a_message_before_reaching_the_database(client, db):
    open311 = client.get("/open311/v2/requests.json", {"service_request_id": "E1\x00"})
    assert open311.status_code == 400 and "空字符" in open311.json()[0]["description"]
    api = client.post("/api/v1/events/suggest", '{"text": "路灯\\u0000不亮"}', content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "null_character"
    form = client.post("/login/", {"username": "a\x00", "password": "b"})
    assert form.status_code == 400


def test_no_template_carries_inline_script_or_handlers():
    """The content security policy allows only our own script files; inline code would silently not run."""
    import re
    from pathlib import Path

    import fengqiao

    offenders = []
    for template in Path(fengqiao.__file__).parent.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son(click|change|submit|load)=", text):
            offenders.append(str(template))
    assert not offenders, offenders
