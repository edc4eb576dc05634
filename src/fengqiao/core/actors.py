"""Who acts, as core sees them: the few attributes core reads of a user, without importing the accounts app.

``fengqiao.accounts.models.User`` satisfies :class:`Actor` structurally (core imports no app, see
tests/core/test_layers.py). A request's user may also be Django's ``AnonymousUser``; :data:`Caller` names everything a
core function may be handed, and :func:`signed_in` narrows it to an :class:`Actor`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs


class Place(Protocol):
    """A node of the grid tree, as far as jurisdiction goes: its materialised path."""

    @property
    def path(self) -> str: ...


class Post(Protocol):
    """One active membership: a role held at a node."""

    @property
    def role(self) -> str: ...

    @property
    def node(self) -> Place: ...


class Actor(Protocol):
    """A signed-in user."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_staff(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def display_name(self) -> str: ...

    @property
    def active_memberships(self) -> Sequence[Post]: ...

    def get_username(self) -> str: ...

    def jurisdiction_paths(self) -> frozenset[str] | None: ...

    def roles(self) -> set[str]: ...

    def has_role(self, *roles: str) -> bool: ...


# What a core function may be handed for "who": a signed-in user, a request's anonymous user, or nobody (a command).
Caller: TypeAlias = "Actor | AnonymousUser | None"


def signed_in(caller: Caller) -> TypeIs[Actor]:
    """Whether ``caller`` is a signed-in user (narrowing it to :class:`Actor` for the type checker)."""
    return caller is not None and bool(getattr(caller, "is_authenticated", False))
