"""Signing in: argon2 hashes, lockout after repeated failures, sessions that expire."""

from __future__ import annotations

import pytest
from django.conf import settings

from fengqiao.accounts.models import User


@pytest.fixture
def person(db):
    return User.objects.create_user(username="zhangsan", password="correct-horse-9", full_name="张三")


def test_passwords_are_hashed_with_argon2(person):
    assert person.password.startswith("argon2")


def test_production_hashes_with_argon2_at_its_full_cost():
    """The suite hashes at the smallest argon2 cost for speed (tests/settings.py); a deployment must not."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils.module_loading import import_string

    from fengqiao import settings as production

    first = import_string(production.PASSWORD_HASHERS[0])
    assert first is Argon2PasswordHasher
    assert (first.time_cost, first.memory_cost, first.parallelism) >= (2, 102400, 8)


def test_a_correct_password_signs_in(client, person):
    response = client.post("/login/", {"username": "zhangsan", "password": "correct-horse-9"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, person):
    response = client.post("/login/", {"username": "zhangsan", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()


def test_repeated_failures_lock_the_account(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "zhangsan", "password": "wrong"})
    response = client.post("/login/", {"username": "zhangsan", "password": "correct-horse-9"})
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still not signed in


def test_sessions_expire_after_idle_time():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_each_role_gets_a_home_page(client, worker_a, dispatcher):
    client.force_login(worker_a)
    page = client.get("/").content.decode()
    assert "专职网格员" in page
    client.force_login(dispatcher)
    assert "综治中心调度员" in client.get("/").content.decode()
