"""Sign-in to 等保 2.0 level 3: redirects, lockout, passwords, sessions, last-login notice, second factor."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.security import PasswordComplexityValidator
from tests.factories import make_user

PASSWORD = "correct-horse-9"
EVIL = ["//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)", "\\\\evil.example"]


@pytest.fixture
def person(db):
    return make_user("zhangsan", full_name="张三")


@pytest.fixture
def admin_user(tree):
    return make_user("sysadmin", role=Role.ADMIN, node=tree["410105"], is_staff=True)


def sign_in(client, username="zhangsan", password=PASSWORD, address="10.0.0.1", path="/login/", **data):
    return client.post(path, {"username": username, "password": password, **data}, REMOTE_ADDR=address)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# 1. Open redirects -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", EVIL)
def test_login_never_sends_the_user_to_another_site(client, person, target):
    response = sign_in(client, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_logout_never_sends_the_user_to_another_site(client, person, target):
    client.force_login(person)
    response = client.post("/logout/", {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


def test_login_follows_a_next_page_on_this_site(client, person):
    assert sign_in(client, next="/events/")["Location"] == "/events/"


@pytest.mark.parametrize("target", EVIL)
def test_a_dispute_action_never_redirects_to_another_site(target):
    from django.test import RequestFactory

    from fengqiao.core.redirects import safe_next

    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


# 2. The admin's sign-in is the same door -------------------------------------------------------------------------


def test_admin_login_is_throttled_with_the_same_counter_as_login(client, settings, person):
    settings.FENGQIAO_RATE_LOGIN = "3/m"
    for path in ("/login/", "/admin/login/", "/login/"):
        sign_in(client, "nobody", "x", path=path)
    response = sign_in(client, "nobody", "x", path="/admin/login/")
    assert response.status_code == 429


def test_admin_login_obeys_the_lockout(client, settings, admin_user):
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sysadmin", "wrong", path="/admin/login/")
    response = sign_in(client, "sysadmin", PASSWORD, path="/admin/login/?next=/admin/")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_admin_login_signs_a_staff_member_into_the_admin(client, settings, admin_user):
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "sysadmin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_asks_for_the_second_factor(client, admin_user):
    response = sign_in(client, "sysadmin", path="/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_worker_at_the_admin_login_is_not_bounced_in_a_loop(client, person):
    client.force_login(person)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 200
    assert "无权访问" in response.content.decode()


def test_admin_login_with_an_expired_password_goes_to_the_change_page(client, settings, admin_user):
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []
    User.objects.filter(pk=admin_user.pk).update(password_changed_at=timezone.now() - timedelta(days=400))
    sign_in(client, "sysadmin", path="/admin/login/")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/password/")


# 3. Lockout by (username, address) plus a per-address throttle ---------------------------------------------------


def test_an_attacker_locks_only_their_own_address_out(client, settings, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="guess", address="203.0.113.66")
    assert sign_in(client, address="203.0.113.66").status_code == 429
    response = sign_in(client, address="10.0.0.1")
    assert response.status_code == 302 and response["Location"] == "/"


def test_failures_from_one_address_across_many_names_are_throttled(client, settings, person):
    settings.FENGQIAO_RATE_LOGIN_FAILURES = "3/h"
    for i in range(3):
        sign_in(client, f"user{i}", "guess", address="203.0.113.7")
    response = sign_in(client, address="203.0.113.7")
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode() or "失败次数过多" in response.content.decode()
    assert sign_in(client, address="10.0.0.1").status_code == 302


def test_lockout_is_configured_per_username_and_address():
    from django.conf import settings

    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_COOLOFF_TIME


# 4. Password complexity and expiry -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Short1!", "alllowercaseletters", "lowercase12345", "UPPERlowerletters", "zhangsanXY12!"],
)
def test_weak_passwords_are_refused(person, password):
    with pytest.raises(ValidationError):
        PasswordComplexityValidator().validate(password, person)


@pytest.mark.parametrize("password", ["Fengqiao2026", "bridge-river-42", "Qiao!Feng!Qiao"])
def test_strong_passwords_pass(person, password):
    PasswordComplexityValidator().validate(password, person)


def test_the_minimum_length_follows_the_setting(settings, person):
    settings.FENGQIAO_PASSWORD_MIN_LENGTH = 16
    with pytest.raises(ValidationError) as caught:
        PasswordComplexityValidator().validate("Fengqiao2026ab", person)
    assert "16" in caught.value.messages[0]


def test_messages_are_chinese(person):
    with pytest.raises(ValidationError) as caught:
        PasswordComplexityValidator().validate("abc", person)
    assert any("密码" in m for m in caught.value.messages)


def test_the_validator_is_installed_beside_djangos():
    from django.conf import settings

    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert {"PasswordComplexityValidator", "CommonPasswordValidator", "UserAttributeSimilarityValidator"} <= set(names)


def test_setting_a_password_records_when(person):
    User.objects.filter(pk=person.pk).update(password_changed_at=timezone.now() - timedelta(days=100))
    person.refresh_from_db()
    person.set_password("Another-Pass-42")
    person.save()
    person.refresh_from_db()
    assert timezone.now() - person.password_changed_at < timedelta(minutes=1)


def expire(user):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))


def test_an_expired_password_sends_the_user_to_change_it_and_nowhere_else(client, person):
    expire(person)
    response = sign_in(client)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/account/password/")
    assert client.get("/events/").status_code == 302
    assert client.get("/account/password/").status_code == 200


def test_the_api_answers_403_with_a_message_while_the_password_is_expired(client, person):
    expire(person)
    client.force_login(person)
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "password_expired" and "密码" in body["detail"]


def test_changing_the_password_lifts_the_block(client, person):
    expire(person)
    client.force_login(person)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Bridge-River-42", "new_password2": "Bridge-River-42"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    person.refresh_from_db()
    assert person.check_password("Bridge-River-42")


def test_a_weak_new_password_is_refused_on_the_change_page(client, person):
    expire(person)
    client.force_login(person)
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    )
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_the_same_password_again_is_refused(client, person):
    expire(person)
    client.force_login(person)
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "相同" in response.content.decode()


def test_expiry_can_be_switched_off(client, settings, person):
    settings.FENGQIAO_PASSWORD_MAX_AGE_DAYS = 0
    expire(person)
    client.force_login(person)
    assert client.get("/").status_code == 200


def test_api_key_clients_are_unaffected_by_expiry(client, person):
    expire(person)
    # No session: the API answers as for anyone not signed in, never with the expiry block.
    assert client.get("/api/v1/accounts/me").json().get("code") != "password_expired"


# 5. Session lifetime ---------------------------------------------------------------------------------------------


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(client, settings, person):
    settings.FENGQIAO_SESSION_MAX_HOURS = 12
    client.force_login(person)
    assert client.get("/").status_code == 200
    session = client.session
    session["fq_signed_in_at"] = time.time() - 13 * 3600
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302


def test_the_api_answers_401_after_the_absolute_lifetime(client, person):
    client.force_login(person)
    session = client.session
    session["fq_signed_in_at"] = time.time() - 13 * 3600
    session.save()
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_the_session_cookie_can_end_with_the_browser(client, settings, person):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = sign_in(client)
    assert response.cookies["sessionid"]["expires"] == "" and response.cookies["sessionid"]["max-age"] == ""


def test_the_session_cookie_can_outlive_the_browser(client, settings, person):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    response = sign_in(client)
    assert int(response.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE


# 6. Last-login notice --------------------------------------------------------------------------------------------


def test_the_first_sign_in_records_the_address_and_shows_no_notice(client, person):
    response = sign_in(client, address="10.1.2.3")
    person.refresh_from_db()
    assert person.last_login_ip == "10.1.2.3"
    assert not any("上次登录" in t for t in texts(response))


def test_the_next_sign_in_tells_when_and_where_the_last_one_was_and_the_failures_since(client, person):
    sign_in(client, address="10.1.2.3")
    client.logout()
    sign_in(client, password="wrong", address="10.9.9.9")
    sign_in(client, password="wrong", address="10.9.9.9")
    sign_in(client, address="10.4.5.6")
    page = client.get("/")
    notice = " ".join(texts(page))
    assert "上次登录" in page.content.decode()
    assert "上次登录" in notice and "10.1.2.3" in notice
    assert "2" in notice and "失败" in notice
    person.refresh_from_db()
    assert person.last_login_ip == "10.4.5.6" and person.failed_logins == 0
    # Shown once.
    assert not any("上次登录" in t for t in texts(client.get("/")))


# 7. Second factor ------------------------------------------------------------------------------------------------


@pytest.fixture
def leader(tree):
    return make_user("leader1", role=Role.LEADER, node=tree["410105"])


def test_a_leader_must_enrol_before_getting_in(client, leader):
    response = sign_in(client, "leader1")
    assert response["Location"].startswith("/login/verify/")
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get("/login/verify/").content.decode()
    assert "data:image/svg+xml" in page
    leader.refresh_from_db()
    assert leader.totp_secret and leader.totp_confirmed_at is None


def test_the_secret_is_encrypted_at_rest(client, leader):
    sign_in(client, "leader1")
    client.get("/login/verify/")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [leader.pk])
        (stored,) = cursor.fetchone()
    leader.refresh_from_db()
    assert stored and leader.totp_secret not in stored


def enrol(client, user):
    sign_in(client, user.username)
    client.get("/login/verify/")
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret)


def test_enrolling_with_a_right_code_signs_in(client, leader):
    totp = enrol(client, leader)
    response = client.post("/login/verify/", {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    leader.refresh_from_db()
    assert leader.totp_confirmed_at is not None


def test_a_wrong_code_is_refused(client, leader):
    enrol(client, leader)
    response = client.post("/login/verify/", {"code": "000000"})
    assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_code_cannot_be_used_twice(client, leader):
    totp = enrol(client, leader)
    code = totp.now()
    client.post("/login/verify/", {"code": code})
    client.logout()
    sign_in(client, "leader1")
    response = client.post("/login/verify/", {"code": code})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_code_attempts_are_limited(client, leader):
    totp = enrol(client, leader)
    for _ in range(5):
        client.post("/login/verify/", {"code": "000000"})
    response = client.post("/login/verify/", {"code": totp.now()})
    assert response.status_code in (302, 429)
    assert client.get("/").status_code == 302


def test_the_verify_page_without_a_password_step_goes_back_to_login(client, leader):
    response = client.get("/login/verify/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/login/verify/", {"code": "123456"})["Location"].startswith("/login/")


def test_a_superuser_needs_the_second_factor(client, superuser):
    assert sign_in(client, "root")["Location"].startswith("/login/verify/")


def test_a_worker_signs_in_with_a_password_only(client, worker_a):
    assert sign_in(client, "worker_a")["Location"] == "/"


def test_no_roles_configured_means_no_second_factor(client, settings, leader):
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []
    assert sign_in(client, "leader1")["Location"] == "/"


def test_an_enrolled_user_is_asked_for_the_code_even_when_not_required(client, settings, leader):
    totp = enrol(client, leader)
    client.post("/login/verify/", {"code": totp.now()})
    client.logout()
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []
    assert sign_in(client, "leader1")["Location"].startswith("/login/verify/")


def test_the_second_factor_keeps_the_next_page_and_refuses_foreign_ones(client, leader):
    totp = enrol(client, leader)
    client.logout()
    sign_in(client, "leader1", next="/events/")
    assert client.post("/login/verify/", {"code": totp.now()})["Location"] == "/events/"


def test_the_default_roles_are_the_administrators_and_leaders():
    from fengqiao import settings as base

    assert set(base.FENGQIAO_TOTP_REQUIRED_ROLES) >= {"admin", "security_admin", "audit_admin", "leader"}


def test_the_demo_password_meets_the_password_rule(db):
    from django.contrib.auth.password_validation import validate_password

    from fengqiao.demo.generator import DEMO_LOGINS, DEMO_PASSWORD

    for username, _, _ in DEMO_LOGINS:
        validate_password(DEMO_PASSWORD, User(username=username))


def test_an_empty_role_list_from_the_environment_turns_the_mandate_off(monkeypatch):
    import runpy

    from fengqiao import settings as base

    monkeypatch.setenv("FENGQIAO_TOTP_REQUIRED_ROLES", "")
    assert runpy.run_path(base.__file__)["FENGQIAO_TOTP_REQUIRED_ROLES"] == []
    monkeypatch.delenv("FENGQIAO_TOTP_REQUIRED_ROLES")
    assert "admin" in runpy.run_path(base.__file__)["FENGQIAO_TOTP_REQUIRED_ROLES"]


def test_make_run_serves_the_demo_without_a_mandatory_second_factor_unless_configured():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    serve = next(line for line in makefile.splitlines() if "fengqiao serve" in line)
    assert 'FENGQIAO_TOTP_REQUIRED_ROLES="${FENGQIAO_TOTP_REQUIRED_ROLES-}"' in serve.replace("$$", "$")


def test_a_request_without_an_address_gives_no_address_for_the_lockout_record():
    from django.http import HttpRequest

    from fengqiao.core.ratelimit import client_address

    assert client_address(HttpRequest()) is None
    bare = HttpRequest()
    bare.META["REMOTE_ADDR"] = "203.0.113.9"
    assert client_address(bare) == "203.0.113.9"


@pytest.mark.django_db
def test_a_failed_sign_in_without_an_address_is_recorded_not_crashed(client):
    # A request with no usable address (a proxy header missing); PostgreSQL stores axes' addresses as inet.
    make_user("nobody-home", password="Right-pass-2026")
    response = client.post("/login/", {"username": "nobody-home", "password": "wrong"}, REMOTE_ADDR="")
    assert response.status_code == 200
    assert "正确" in response.content.decode()
