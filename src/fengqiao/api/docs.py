"""The API documentation page: Swagger UI from django-ninja's own static copy (no CDN), for signed-in staff only.

The OpenAPI document describes every route of the platform; it is the integrators' and the centre's reference, not
something to hand to anyone on the network. Anonymous callers are sent to sign in; signed-in users without a staff
role are refused. Open311 clients do not need it: Open311 has its own discovery (services.json).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy as _
from ninja.openapi.docs import Swagger

from fengqiao.accounts.models import Role
from fengqiao.core.permissions import holds, only_for

DOCS_READERS = holds(Role.ADMIN, Role.SECURITY_ADMIN, Role.DISPATCHER, Role.LEADER)

# validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io, which the CSP blocks.
docs = Swagger(settings={"validatorUrl": None})


def docs_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the docs page and the OpenAPI document: sign in first, then a staff role."""
    return login_required(only_for(DOCS_READERS, _("只有管理员、调度员和领导可以查看接口文档。"))(view))
