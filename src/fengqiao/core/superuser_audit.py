"""Every request a superuser makes to the admin goes into the audit trail.

The superuser exists to install the platform (等保 2.0 level 3: 三员分立 leaves day-to-day work to the system, security
and audit administrators), so each use of it is recorded where the audit administrator reads it: verb
``superuser_use``, the method, the path (never the query string or the body, which may carry personal data) and the
answer's status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.audit import record

VERB = "superuser_use"


class SuperuserAudit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def prefix(self) -> str:
        if self._prefix is None:
            try:
                self._prefix = reverse("admin:index")
            except NoReverseMatch:
                self._prefix = "/admin/"
        return self._prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user: Caller = getattr(request, "user", None)
        # The user is the audited row's target too, so it must be a model instance (accounts.User is).
        if signed_in(user) and user.is_superuser and isinstance(user, Model) and request.path.startswith(self.prefix()):
            record(
                actor=user,
                verb=VERB,
                target=user,
                note=f"{request.method} {request.path}"[:500],
                data={"method": request.method, "path": request.path[:500], "status": response.status_code},
                grid_path="",
            )
        return response
