"""The grid worker's phone app (PWA): the web app manifest and the service worker, both served from the site root.

The service worker's scope must cover every page, so it is served at ``/sw.js`` rather than under ``/static/``. Its
code is the static file ``js/sw.js``; this view puts a small configuration in front of it (the pages to keep for
offline use, the forms that may be queued, the words it shows) and a version drawn from the bytes of everything it
caches, so a deploy that changes any of them installs a new worker and new caches. Core names other apps' pages only
by URL name: it imports none of them.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# Pages a worker opens in the field, fetched into the cache as soon as the app is installed (those the user may not
# open are skipped). Other pages under these patterns are kept once visited.
SHELL_PAGES = ("home", "events:report", "events:mine", "dispatch:inbox", "dispatch:work", "dispatch:screening")
KEPT_PATTERNS = (r"^/dispatch/i/\d+/$",)
# Forms that may be written offline: posted to these pages, they are queued when the network fails.
QUEUED_FORMS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("events:report", ()),
    ("dispatch:work", ()),
    ("dispatch:acknowledge", (0,)),
    ("dispatch:screening", ()),
    ("people:key_visit", (0,)),  # resent with its idempotency key, recorded once
    ("events:spot", ()),  # 即报即办 with its two photos, resent with its idempotency key
)
# JSON writes the pages' scripts may queue (patrol points).
QUEUED_API = (r"^/api/v1/dispatch/patrols/\d+/points$",)
# Static files every phone page needs; the icon font is fetched by the stylesheet.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "css/fengqiao.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/fengqiao.js",
    "js/report.js",
    "js/pwa.js",
    "dispatch/work.js",
    "dispatch/live.js",
    "icons/fengqiao-192.png",
    "icons/fengqiao-512.png",
)
SW_SOURCE = "js/sw.js"


def _url(name: str, args: tuple[Any, ...] = ()) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _pattern(name: str, args: tuple[Any, ...]) -> str | None:
    url = _url(name, args)
    if url is None:
        return None
    pattern = re.escape(url)
    if args:  # the placeholder id stands for any id
        pattern = pattern.replace(re.escape(f"/{args[0]}/"), r"/\d+/")
    return f"^{pattern}$"


def _files() -> list[Path]:
    paths = []
    for name in (SW_SOURCE, *SHELL_STATIC):
        found = finders.find(name)
        if isinstance(found, str):
            paths.append(Path(found))
    return paths


def _config() -> dict[str, Any]:
    return {
        "pages": [u for u in (_url(n) for n in SHELL_PAGES) if u],
        "kept": list(KEPT_PATTERNS),
        "queued": [p for p in (_pattern(n, a) for n, a in QUEUED_FORMS) if p] + list(QUEUED_API),
        "static": [static(name) for name in SHELL_STATIC],
        "staticPrefix": static(""),
        "catalogue": _url("javascript-catalog"),
        "login": _url("login"),
        "logout": _url("logout"),
        "words": {
            "offlineTitle": _("当前离线"),
            "offlineText": _("网络不可用，这个页面还没有保存到手机上。联网后再打开；已填写的上报会在联网后自动发送。"),
            "back": _("返回首页"),
            "report": _("事件上报"),
            "visit": _("入户走访"),
            "diary": _("民情日志"),
            "acknowledge": _("签收指令"),
            "points": _("巡查轨迹"),
            "other": _("待发送表单"),
            "refused": _("服务器未接受，请重新填写。"),
        },
    }


@lru_cache(maxsize=16)
def _worker(language: str, stamps: tuple[tuple[str, int, int], ...]) -> str:
    config = _config()
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode())
    for path in _files():
        digest.update(path.read_bytes())
    config["version"] = digest.hexdigest()[:12]
    source = Path(str(finders.find(SW_SOURCE))).read_text(encoding="utf-8")
    head = f"self.FQ = {json.dumps(config, ensure_ascii=False)};\n"
    return head + source


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: public like any script (it holds no data); the pages it caches are fetched with the user's own
    session and dropped at sign-out."""
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in _files())
    response = HttpResponse(_worker(get_language() or "", stamps), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on each visit; no cache in between may hide it.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """``/manifest.webmanifest``: lets a phone install the platform to its home screen as an app."""
    data = {
        "name": _("枫桥网格通"),
        "short_name": _("网格通"),
        "description": _("网格员巡查、走访、上报和接收指令，信号不好时也能填写，联网后自动发送。"),
        "lang": get_language() or "zh-hans",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#123b6d",
        "icons": [
            {"src": static("icons/fengqiao-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/fengqiao-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
