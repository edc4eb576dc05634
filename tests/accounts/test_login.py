"""Signing in: argon2 hashes, lockout after repeated failures, sessions that expire."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
    assert 0 < settings.FENGQIAO_SESSION_REFRESH_SECONDS <= 300


T0 = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)


def _session_writes(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"][:8])


@pytest.fixture
def short_idle(settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.FENGQIAO_SESSION_REFRESH_SECONDS = 60


def test_an_idle_session_ends_after_the_idle_time(client, person, short_idle):
    with time_machine.travel(T0, tick=False):
        client.force_login(person)
        assert client.get("/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(seconds=601), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_busy_session_outlives_the_idle_time(client, person, short_idle):
    with time_machine.travel(T0, tick=False):
        client.force_login(person)
        assert client.get("/").status_code == 200
    for seconds in (300, 590, 1100, 1650):
        with time_machine.travel(T0 + dt.timedelta(seconds=seconds), tick=False):
            assert client.get("/").status_code == 200, seconds


def test_requests_in_quick_succession_do_not_rewrite_the_session_each_time(client, person, short_idle):
    with time_machine.travel(T0, tick=False):
        client.force_login(person)
        client.get("/")
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False), CaptureQueriesContext(connection) as quick:
        assert client.get("/api/v1/accounts/me").status_code == 200
    assert _session_writes(quick) == 0
    with time_machine.travel(T0 + dt.timedelta(seconds=70), tick=False), CaptureQueriesContext(connection) as later:
        assert client.get("/api/v1/accounts/me").status_code == 200
    assert _session_writes(later) == 1
    # The idle clock was pushed back by that write: 600 s after it, not after sign-in.
    with time_machine.travel(T0 + dt.timedelta(seconds=650), tick=False):
        assert client.get("/api/v1/accounts/me").status_code == 200


def test_each_role_gets_a_home_page(client, worker_a, dispatcher):
    client.force_login(worker_a)
    page = client.get("/").content.decode()
    assert "专职网格员" in page
    client.force_login(dispatcher)
    assert "综治中心调度员" in client.get("/").content.decode()
