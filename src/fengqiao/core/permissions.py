"""Who may open a page, declared once on its view and read back by menus, home cards and buttons.

A view says who may open it with :func:`only_for`; the same check answers :func:`may_open`, so a menu item or a
button is offered exactly to those its view would let in, and never ends in a 403. A view without a declaration is
open to everyone signed in (its data is still scoped by its selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from fengqiao.core.actors import Caller, signed_in

Check = Callable[[Caller], bool]
View = TypeVar("View", bound=Callable[..., Any])

ATTRIBUTE = "fengqiao_may_open"


def holds(*roles: str) -> Check:
    """A check: the caller is signed in and holds one of ``roles`` (a superuser counts as the administrator)."""
    allowed = frozenset(roles)

    def check(user: Caller) -> bool:
        return signed_in(user) and user.has_role(*allowed)

    check.roles = allowed  # type: ignore[attr-defined]
    return check


def only_for(check: Check, message: Any) -> Callable[[View], View]:
    """Refuse the view (403 with ``message``) to callers ``check`` rejects, and declare it for :func:`may_open`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        setattr(guarded, ATTRIBUTE, check)
        return cast(View, guarded)

    return decorate


def declared(view: Callable[..., Any], check: Check) -> None:
    """Declare the check of a view that enforces it itself (a third-party view wrapped elsewhere)."""
    setattr(view, ATTRIBUTE, check)


def may_open(user: Caller, target: str, *args: Any) -> bool:
    """Whether ``user`` may open ``target``: a URL name (with its ``args``) or a path, as its view decides."""
    try:
        path = reverse(target, args=args) if ":" in target or not target.startswith("/") else target
        match = resolve(urlsplit(path).path)
    except (NoReverseMatch, Resolver404):
        return False
    check: Check | None = getattr(match.func, ATTRIBUTE, None)
    return check is None or check(user)
