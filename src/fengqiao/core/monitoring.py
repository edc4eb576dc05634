"""``/metrics``: a few gauges in the Prometheus text format, for the operators' monitoring.

Counts only — never a name, phone or description. Answers to loopback, or to a request bearing
``FENGQIAO_METRICS_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse

from fengqiao.core import sla


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "FENGQIAO_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given:
        return hmac.compare_digest(token, given)
    return request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    from django.db.models import Q

    from fengqiao.events.models import Event
    from fengqiao.events.workflow import OPEN_STATES

    lines = [
        "# HELP fengqiao_events_open Open events by deadline colour.",
        "# TYPE fengqiao_events_open gauge",
    ]
    running = Q(state__in=OPEN_STATES, due_at__isnull=False)
    open_events = Event.objects.filter(state__in=OPEN_STATES).annotate(colour=sla.colour_expression(running=running))
    counts = {c.value: 0 for c in sla.Colour}
    for row in open_events.values("colour").annotate(n=Count("id")).order_by():
        counts[row["colour"]] = row["n"]
    lines += [f'fengqiao_events_open{{colour="{colour}"}} {n}' for colour, n in counts.items()]
    lines += [
        "# HELP fengqiao_events_total Events ever reported.",
        "# TYPE fengqiao_events_total counter",
        f"fengqiao_events_total {Event.objects.count()}",
    ]
    try:
        from fengqiao.disputes.models import Dispute

        lines += [
            "# HELP fengqiao_disputes_total Dispute cases ever entered.",
            "# TYPE fengqiao_disputes_total counter",
            f"fengqiao_disputes_total {Dispute.objects.count()}",
        ]
    except ImportError:  # the disputes app is optional for monitoring
        pass
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
