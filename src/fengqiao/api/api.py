"""The native JSON API (django-ninja); its OpenAPI document at /api/v1/openapi.json is the contract.

Routes stay thin: parse, call one selector or service, return a schema. Domain errors become JSON answers
with a status and a message in the user's language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from fengqiao.accounts.api import router as accounts_router
from fengqiao.api.docs import docs, docs_only
from fengqiao.core.errors import CoreErrorCode, DomainError, error_body
from fengqiao.dashboard.api import router as dashboard_router
from fengqiao.dispatch.api import router as dispatch_router
from fengqiao.disputes.api import router as disputes_router
from fengqiao.events.api import router as events_router
from fengqiao.grids.api import router as grids_router
from fengqiao.metrics.api import router as metrics_router
from fengqiao.people.api import router as people_router

api = NinjaAPI(
    title="fengqiao API",
    version="1",
    description=(
        "网格化治理 · 矛盾纠纷多元化解 — native API.\n\n"
        "Besides the responses listed per operation, every operation may answer 400 (a body that is not JSON), "
        "401 (not signed in, or a wrong X-API-Key), 403 (a step the caller may not take on something they can see, "
        "or a signed-in session posting without its CSRF token), 405 (a method the path does not have), 422 (input "
        "that does not match the schema) and 429 (rate limit, look-ups by code included). An object outside the "
        "caller's reach answers 404, exactly like one that does not exist. Every refusal carries a JSON body with "
        "`detail` (a message in the user's language) and `code` (stable, listed in docs/error-codes.md)."
    ),
    urls_namespace="api",
    auth=django_auth,
    # Served from our own origin and behind sign-in (see api/docs.py).
    docs=docs,
    docs_decorator=docs_only,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    from django.utils.translation import gettext as _

    return api.create_response(request, error_body(CoreErrorCode.UNAUTHENTICATED, _("请先登录。")), status=401)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    from django.utils.translation import gettext as _

    return api.create_response(
        request,
        {**error_body(CoreErrorCode.INVALID, _("请求参数无效。")), "errors": exc.errors},
        status=422,
    )


api.add_router("/grids", grids_router)
api.add_router("/accounts", accounts_router)
api.add_router("/events", events_router)
api.add_router("/disputes", disputes_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/metrics", metrics_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/people", people_router)
