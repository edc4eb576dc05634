"""The IoT alarm webhook: a smoke or gas sensor posts JSON signed with its own secret (HMAC-SHA256).

The signature covers a timestamp and a nonce as well as the body, so a captured request cannot be sent again: a
timestamp more than ``WINDOW_SECONDS`` away from the server's clock is refused, and so is a nonce the device has
already used while its timestamp could still pass (nonces are kept a little longer than the window, then pruned).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fengqiao.core import ratelimit
from fengqiao.core.errors import CoreErrorCode, DomainError, ErrorCode, error_response
from fengqiao.events import services
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import Device, DeviceNonce, Source

WINDOW_SECONDS = 300
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# A nonce is kept this long: past it, its timestamp is refused as stale anyway.
KEEP_NONCES = dt.timedelta(seconds=2 * WINDOW_SECONDS + 60)
# Old nonces are pruned at most this often per process: under an alarm storm a DELETE per request is a round trip
# (and a transaction) that finds nothing. Pruning only bounds the table; the unique constraint refuses replays.
PRUNE_EVERY = dt.timedelta(seconds=60)
_pruned: dict[str, dt.datetime] = {}


def _error(status: int, code: ErrorCode, message: str) -> JsonResponse:
    return error_response(code, message, status=status)


def _first_use(device: Device, nonce: str) -> bool:
    """Record the nonce; False if this device used it within the window. Old nonces are pruned as we go (at most
    once every ``PRUNE_EVERY`` per process)."""
    now = timezone.now()
    last = _pruned.get("at")
    if last is None or not last <= now < last + PRUNE_EVERY:  # a clock set back prunes too
        _pruned["at"] = now
        DeviceNonce.objects.filter(seen_at__lt=now - KEEP_NONCES).delete()
    try:
        with transaction.atomic():
            DeviceNonce.objects.create(device=device, nonce=nonce, seen_at=now)
    except IntegrityError:
        return False
    return True


@csrf_exempt
@require_POST
def iot_alarm(request: HttpRequest, device_code: str) -> JsonResponse:
    """Headers ``X-Fengqiao-Timestamp`` (Unix seconds), ``X-Fengqiao-Nonce`` (16–64 of ``A-Za-z0-9_-``, new for
    every request) and ``X-Fengqiao-Signature: sha256=<hex of HMAC(secret, "timestamp.nonce.body")>``;
    body ``{"alarm": "...", "id": "..."}``."""
    device = Device.objects.select_related("grid", "category").filter(code=device_code, active=True).first()
    if device is None:
        return _error(404, EventErrorCode.UNKNOWN_DEVICE, _("设备未登记或已停用。"))
    stamp = request.headers.get("X-Fengqiao-Timestamp", "")
    nonce = request.headers.get("X-Fengqiao-Nonce", "")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12 or not NONCE_RE.match(nonce):
        return _error(
            401,
            EventErrorCode.BAD_SIGNATURE,
            _("缺少或无效的时间戳、随机数（X-Fengqiao-Timestamp、X-Fengqiao-Nonce）。"),
        )
    given = request.headers.get("X-Fengqiao-Signature", "").removeprefix("sha256=")
    message = f"{stamp}.{nonce}.".encode() + request.body
    expected = hmac.new(device.secret.encode(), message, hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(given, expected):
        return _error(401, EventErrorCode.BAD_SIGNATURE, _("签名校验失败。"))
    if abs(time.time() - int(stamp)) > WINDOW_SECONDS:
        return _error(401, EventErrorCode.STALE_REQUEST, _("请求时间戳与服务器时间相差超过 5 分钟，请校准设备时钟。"))
    if not ratelimit.hit(f"iot:{device.code}", "120/m"):  # a sensor stuck in a loop must not flood the queue
        return _error(429, CoreErrorCode.RATE_LIMITED, _("请求过于频繁，请稍后再试。"))
    if not _first_use(device, nonce):
        return _error(409, EventErrorCode.REPLAYED, _("该请求已处理过（随机数重复），不再受理。"))
    try:
        payload = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return _error(400, EventErrorCode.BAD_JSON, _("请求体不是有效的 JSON。"))
    if not isinstance(payload, dict):
        return _error(400, EventErrorCode.BAD_JSON, _("请求体必须是 JSON 对象。"))
    alarm = str(payload.get("alarm") or _("设备告警"))[:500]
    alarm_id = str(payload.get("id") or "")[:60]
    try:
        event = services.report_event(
            actor=None,
            source=Source.IOT,
            description=f"{device.name}：{alarm}",
            category=device.category,
            lon=device.lon,
            lat=device.lat,
            grid=device.grid,
            address=device.address,
            idempotency_key=alarm_id or None,
            caller=f"device:{device.pk}",
            external_id=alarm_id,
        )
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message)
    return JsonResponse({"tracking_code": event.tracking_code, "state": event.state}, status=201)
