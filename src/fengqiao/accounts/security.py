"""Sign-in security (等保 2.0 level 3, identity authentication): password rules and age, the per-address failure
throttle, the last-login notice, the absolute session lifetime and the time-based second factor (RFC 6238)."""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.accounts.models import User
from fengqiao.core import audit, ratelimit

SIGNED_IN_AT = "fq_signed_in_at"
REFRESHED_AT = "fq_refreshed_at"  # when the idle deadline was last pushed back
PENDING = "fq_second_factor"  # {"user": pk, "backend": str, "at": epoch, "next": url, "tries": n}
PENDING_SECONDS = 300
MAX_CODE_TRIES = 5
TOTP_STEP = 30


# Passwords ---------------------------------------------------------------------------------------------------------


class PasswordComplexityValidator:
    """At least N characters (FENGQIAO_PASSWORD_MIN_LENGTH), three of four kinds, and not the username inside."""

    def __init__(self, min_length: int | None = None) -> None:
        self._min_length = min_length

    @property
    def min_length(self) -> int:
        return int(self._min_length or settings.FENGQIAO_PASSWORD_MIN_LENGTH)

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(_("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}, code="password_too_short")
            )
        kinds = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if kinds < 3:
            errors.append(
                ValidationError(_("密码须包含小写字母、大写字母、数字、符号中的至少三种。"), code="password_too_simple")
            )
        username = str(getattr(user, "username", "") or "").strip().lower()
        if len(username) >= 3 and username in password.lower():
            errors.append(ValidationError(_("密码中不能包含用户名。"), code="password_contains_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("至少 %(n)d 个字符，包含小写字母、大写字母、数字、符号中的至少三种，且不含用户名。") % {
            "n": self.min_length
        }


def password_expired(user: Any) -> bool:
    days = int(getattr(settings, "FENGQIAO_PASSWORD_MAX_AGE_DAYS", 90) or 0)
    changed = getattr(user, "password_changed_at", None)
    if days <= 0 or changed is None:
        return False
    return bool(changed < timezone.now() - timedelta(days=days))


# Failures per client address ----------------------------------------------------------------------------------------


def _failure_key(request: HttpRequest) -> str:
    return f"login-fail:{ratelimit.client_ip(request)}"


def address_over_failure_limit(request: HttpRequest) -> bool:
    """True when this address has failed more sign-ins than FENGQIAO_RATE_LOGIN_FAILURES allows in this window."""
    if not settings.FENGQIAO_RATE_LIMITS:
        return False
    limit, period = ratelimit.parse_rate(settings.FENGQIAO_RATE_LOGIN_FAILURES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count FROM core_ratecounter WHERE key = %s AND bucket = %s",
            [_failure_key(request)[:200], int(time.time() // period)],
        )
        row = cursor.fetchone()
    return bool(row and int(row[0]) >= limit)


def note_failure(request: HttpRequest | None, username: str) -> None:
    """A failed sign-in: counted against the address, and against the account for its owner's next notice."""
    if request is not None:
        ratelimit.hit(_failure_key(request), settings.FENGQIAO_RATE_LOGIN_FAILURES)
    if username:
        User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)


# Completing a sign-in -----------------------------------------------------------------------------------------------


def complete_sign_in(request: HttpRequest, user: User) -> None:
    """Log the user in, tell them about the previous sign-in once, remember this one's address, audit it."""
    previous_at, previous_ip, failures = user.last_login, user.last_login_ip, user.failed_logins
    address = ratelimit.client_ip(request)
    with transaction.atomic():
        login(request, user, backend=getattr(user, "backend", None))
        User.objects.filter(pk=user.pk).update(last_login_ip=address, failed_logins=0)
        user.last_login_ip, user.failed_logins = address, 0
        audit.record(actor=user, verb="sign_in", target=user, data={"address": address})
    if previous_at is not None:
        when = date_format(timezone.localtime(previous_at), "Y-m-d H:i")
        notice = _("上次登录：%(when)s 来自 %(address)s") % {"when": when, "address": previous_ip or _("未知地址")}
        if failures:
            notice += " " + ngettext(
                "此后有 %(n)d 次失败的登录尝试，如非本人操作请及时修改密码。",
                "此后有 %(n)d 次失败的登录尝试，如非本人操作请及时修改密码。",
                failures,
            ) % {"n": failures}
            messages.warning(request, notice)
        else:
            messages.info(request, notice)


def stamp_session(request: HttpRequest) -> None:
    request.session[SIGNED_IN_AT] = time.time()


def keep_session_alive(request: HttpRequest) -> None:
    """Push the idle deadline back (a changed session is saved with a fresh expiry), at most once in
    ``FENGQIAO_SESSION_REFRESH_SECONDS`` and never less often than four times in the idle time."""
    every = min(float(getattr(settings, "FENGQIAO_SESSION_REFRESH_SECONDS", 60)), settings.SESSION_COOKIE_AGE / 4)
    now = time.time()
    last = request.session.get(REFRESHED_AT)
    if last is None or now - float(last) >= every:
        request.session[REFRESHED_AT] = now


def session_too_old(request: HttpRequest) -> bool:
    hours = float(getattr(settings, "FENGQIAO_SESSION_MAX_HOURS", 12) or 0)
    started = request.session.get(SIGNED_IN_AT)
    if started is None:
        stamp_session(request)  # a session from before the rule: its lifetime starts now
        return False
    return hours > 0 and time.time() - float(started) > hours * 3600


# Second factor -----------------------------------------------------------------------------------------------------


def second_factor_required(user: User) -> bool:
    """Enrolled users always; users holding a role in FENGQIAO_TOTP_REQUIRED_ROLES (superusers count as admin)."""
    if user.totp_confirmed_at is not None:
        return True
    roles = list(getattr(settings, "FENGQIAO_TOTP_REQUIRED_ROLES", []) or [])
    return bool(roles) and user.has_role(*roles)


def begin_second_factor(request: HttpRequest, user: User, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "at": time.time(),
        "next": next_url,
        "tries": 0,
    }


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session within the last five minutes, if any."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend") or settings.AUTHENTICATION_BACKENDS[-1]  # type: ignore[attr-defined]
    return user


def count_code_try(request: HttpRequest) -> bool:
    """Count one wrong code; False (and the password step to redo) once MAX_CODE_TRIES are spent."""
    pending = request.session.get(PENDING) or {}
    pending["tries"] = int(pending.get("tries", 0)) + 1
    if pending["tries"] >= MAX_CODE_TRIES:
        request.session.pop(PENDING, None)
        return False
    request.session[PENDING] = pending
    return True


def enrolment_secret(user: User) -> str:
    """The secret being enrolled: made once and kept (encrypted) until confirmed, so a reload shows the same code."""
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def enrolment_qr(user: User) -> str:
    issuer = str(getattr(settings, "FENGQIAO_TOTP_ISSUER", "") or _("枫桥"))
    uri = pyotp.TOTP(enrolment_secret(user)).provisioning_uri(name=user.username, issuer_name=issuer)
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def verify_code(user: User, code: str) -> bool:
    """A right code from the current, previous or next 30-second window, never one already used (single use)."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if len(code) != 6 or not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time()
    for offset in (-1, 0, 1):
        moment = now + offset * TOTP_STEP
        if hmac.compare_digest(totp.at(moment), code):
            step = int(moment // TOTP_STEP)
            # The conditional update makes a replay, even a concurrent one, lose.
            return bool(User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step))
    return False


def confirm_enrolment(user: User) -> None:
    if user.totp_confirmed_at is None:
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        audit.record(actor=user, verb="totp_enrolled", target=user)
