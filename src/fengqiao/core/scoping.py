"""Jurisdiction scoping: the one place that decides what an actor may see.

A jurisdiction is a set of subtrees of the grid tree. Every node stores its materialised ``path``
(``4101/410105/410105001/``), and everything that lives in a grid stores the path of its grid, so "everything under
this street" is one indexed prefix match. Selectors call :func:`scope`; no view writes its own filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import OutsideJurisdiction

M = TypeVar("M", bound=Model)

ALL = None  # jurisdiction_paths() returns None for the whole territory (platform administrators)


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor, so filters stay short."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def paths_of(actor: Caller) -> list[str] | None:
    """The actor's subtrees as minimal path prefixes; None means everything; [] means nothing."""
    if not signed_in(actor):
        return []
    paths = actor.jurisdiction_paths()
    if paths is ALL:
        return None
    return minimal_paths(paths)


def ancestor_paths(path: str) -> list[str]:
    """``4101/410105/`` -> ``["4101/", "4101/410105/"]``: the nodes whose subtree contains ``path``, top first."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{c}/" for c in parts[: i + 1]) for i in range(len(parts))]


def path_q(paths: Iterable[str], field: str) -> Q:
    query = Q(pk__in=[])
    for prefix in paths:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def scope(queryset: QuerySet[M], actor: Caller, *, field: str | None = None) -> QuerySet[M]:
    """Restrict any queryset of things that live in grids to the actor's subtrees.

    ``field`` names the path column; models declare it as ``jurisdiction_path_field``.
    """
    field = field or str(getattr(queryset.model, "jurisdiction_path_field", "grid_path"))
    paths = paths_of(actor)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    return queryset.filter(path_q(paths, field))


RoleReach = Callable[[Any], Q] | None


def reach(actor: Caller, *, field: str, by_role: Mapping[str, RoleReach]) -> Q | None:
    """What the actor reaches through each of their active memberships, as one filter (least privilege).

    A membership reaches its node's subtree, unless its role is named in ``by_role``: then it reaches what that
    role's function returns for the membership (``None`` for the role: nothing). The reaches of all memberships are
    united. ``None`` means everything (platform administrators); an anonymous actor reaches nothing. Selectors of
    cases (events, disputes) call this instead of :func:`scope`, so a department handler posted to a district sees
    the events routed to the department, not the district's.
    """
    if not signed_in(actor):
        return Q(pk__in=[])
    if actor.jurisdiction_paths() is ALL:
        return None
    query = Q(pk__in=[])
    subtrees: list[str] = []
    for membership in actor.active_memberships:
        if membership.role in by_role:
            reach_of = by_role[membership.role]
            if reach_of is not None:
                query |= reach_of(membership)
        else:
            subtrees.append(membership.node.path)
    return query | path_q(minimal_paths(subtrees), field)


def scope_by_role(
    queryset: QuerySet[M], actor: Caller, *, by_role: Mapping[str, RoleReach], field: str | None = None
) -> QuerySet[M]:
    """:func:`scope` with role-aware reach: see :func:`reach`."""
    field = field or str(getattr(queryset.model, "jurisdiction_path_field", "grid_path"))
    query = reach(actor, field=field, by_role=by_role)
    return queryset if query is None else queryset.filter(query)


def covers(actor: Caller, path: str) -> bool:
    """Whether the actor's jurisdiction contains the node (or thing) at ``path``."""
    paths = paths_of(actor)
    if paths is None:
        return True
    return any(path.startswith(prefix) for prefix in paths)


def require(actor: Caller, path: str) -> None:
    """Raise :class:`OutsideJurisdiction` unless the actor's jurisdiction covers ``path``."""
    if not covers(actor, path):
        raise OutsideJurisdiction()


def get_scoped(queryset: QuerySet[M], actor: Caller, **lookup: Any) -> M:
    """Fetch one object the actor may see; a foreign object is refused exactly like a missing one.

    Both raise ``DoesNotExist`` (404): answering 403 for a foreign object would tell a caller which codes exist
    (an existence oracle). :class:`OutsideJurisdiction` is for acting on something the actor can see.
    """
    obj = scope(queryset, actor).filter(**lookup).first()
    if obj is None:
        raise queryset.model.DoesNotExist()  # type: ignore[attr-defined]
    return obj
