"""``/metrics``: a few gauges in the Prometheus text format, for the operators' monitoring.

Counts only — never a name, phone or description. Answers to loopback, or to a request bearing
``FENGQIAO_METRICS_TOKEN`` as a bearer token. Apps register their gauges in ``AppConfig.ready()`` (core knows no app);
each gauge is a function returning its lines, written in the order the apps registered them.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse

GAUGES: dict[str, Callable[[], Iterable[str]]] = {}


def register(name: str, lines: Callable[[], Iterable[str]]) -> None:
    """Add (or replace) a gauge: ``lines()`` returns its ``# HELP``, ``# TYPE`` and sample lines."""
    GAUGES[name] = lines


def sample(name: str, kind: str, help_text: str, values: Mapping[str, float] | float) -> list[str]:
    """One metric in the text format: ``# HELP``, ``# TYPE`` and its samples (``values`` keyed by a label value,
    written as ``name{label="value"}``: pass ``{'colour="red"': 3}``, or a single number)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    if isinstance(values, Mapping):
        lines += [f"{name}{{{label}}} {value}" for label, value in values.items()]
    else:
        lines.append(f"{name} {values}")
    return lines


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "FENGQIAO_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given:
        return hmac.compare_digest(token, given)
    return request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    lines: list[str] = []
    for gauge in GAUGES.values():
        lines += gauge()
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
