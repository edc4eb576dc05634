"""The IoT alarm webhook: a smoke or gas sensor posts JSON signed with its own secret (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fengqiao.core import ratelimit
from fengqiao.core.errors import DomainError
from fengqiao.events import services
from fengqiao.events.models import Device, Source


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": message}, status=status)


@csrf_exempt
@require_POST
def iot_alarm(request: HttpRequest, device_code: str) -> JsonResponse:
    """Header ``X-Fengqiao-Signature: sha256=<hex of HMAC(secret, body)>``; body ``{"alarm": "...", "id": "..."}``."""
    device = Device.objects.select_related("grid", "category").filter(code=device_code, active=True).first()
    if device is None:
        return _error(404, "unknown_device", _("设备未登记或已停用。"))
    given = request.headers.get("X-Fengqiao-Signature", "").removeprefix("sha256=")
    expected = hmac.new(device.secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(given, expected):
        return _error(401, "bad_signature", _("签名校验失败。"))
    if not ratelimit.hit(f"iot:{device.code}", "120/m"):  # a sensor stuck in a loop must not flood the queue
        return _error(429, "rate_limited", _("请求过于频繁，请稍后再试。"))
    try:
        payload = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return _error(400, "bad_json", _("请求体不是有效的 JSON。"))
    if not isinstance(payload, dict):
        return _error(400, "bad_json", _("请求体必须是 JSON 对象。"))
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
            idempotency_key=f"iot:{device.code}:{alarm_id}" if alarm_id else None,
            external_id=alarm_id,
        )
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message)
    return JsonResponse({"tracking_code": event.tracking_code, "state": event.state}, status=201)
