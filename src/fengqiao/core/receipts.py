"""Receipt secrets: what only the person who filed a report holds, beside the tracking code anyone may be told.

A tracking code is read out over the phone, printed on agreements and referral letters, and handed to Open311
clients: it shows progress and nothing more. Acting on a case from a public page (rating an event, withdrawing a
dispute) needs the secret shown once on the submission receipt. Only a keyed hash of it is stored, so neither a
database dump nor a printed document can carry it. The secret is 128 random bits, so an unkeyed digest suffices,
and no key rotation or change of index key can strand a resident's link.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fengqiao.core import crypto, ratelimit
from fengqiao.core.errors import CoreErrorCode

DEFAULT_RATE = "10/h"  # wrong secrets per client address


def digest(secret: str) -> str:
    """The digest stored for a secret (SM3 or SHA-256 by the crypto setting, named in the value)."""
    return crypto.fingerprint(_normal(secret), purpose="receipt")


def _normal(secret: str) -> str:
    return "".join(secret.split()).lower()


def issue() -> tuple[str, str]:
    """A new secret (128 random bits as hex, so case and spaces do not matter) and the digest to store."""
    secret = secrets.token_hex(16)
    return secret, digest(secret)


def matches(stored: str, given: str | None) -> bool:
    """Constant-time; a case with no stored digest matches nothing."""
    if not stored or not given or len(given) > 200:
        return False
    return crypto.fingerprint_matches(stored, _normal(given), purpose="receipt")


def allowed_to_try(request: HttpRequest) -> bool:
    """False once this client has spent its wrong guesses; checked before a secret is compared."""
    rate = getattr(settings, "FENGQIAO_RATE_SECRET", DEFAULT_RATE)
    if not settings.FENGQIAO_RATE_LIMITS:
        return True
    limit, period = ratelimit.parse_rate(rate)
    return _misses(request, period) < limit


def count_miss(request: HttpRequest) -> None:
    rate = getattr(settings, "FENGQIAO_RATE_SECRET", DEFAULT_RATE)
    ratelimit.hit(f"receipt-miss:{ratelimit.client_ip(request)}", rate)


def _misses(request: HttpRequest, period: int) -> int:
    # Peek at the counter ``count_miss`` keeps: a right secret costs nothing, a wrong one counts.
    bucket = int(time.time() // period)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count FROM core_ratecounter WHERE key = %s AND bucket = %s",
            [f"receipt-miss:{ratelimit.client_ip(request)}"[:200], bucket],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def verify(request: HttpRequest, stored: str, given: str | None) -> bool:
    """Whether ``given`` is the secret; a wrong one counts against the client, and a client over its budget is
    refused (``RateLimited``) before any comparison, so guessing stays slow even with the right value."""
    if not given:
        return False
    if not allowed_to_try(request):
        raise ratelimit.RateLimited(_("尝试次数过多，请稍后再试。"), code=CoreErrorCode.RATE_LIMITED)
    if matches(stored, given):
        return True
    count_miss(request)
    return False
