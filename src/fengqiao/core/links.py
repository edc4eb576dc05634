"""The cases (事) linked to a person, across apps that may not import each other.

The base data (people) knows a person by the keyed hash of their ID number (``id_index``); the apps that keep cases
(disputes: parties' ID numbers) register a provider here in their ``AppConfig.ready()``. The person page lists what
the providers return for the viewer (each provider scopes to the actor, as its own selectors do), and the erasure of
a person asks every provider whether an open case still names them. Neither side imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fengqiao.core.actors import Caller


@dataclass(frozen=True)
class CaseLink:
    """One case the viewer may open: what it is, where it is, and whether it is still open."""

    label: str
    url: str
    open: bool = True


@dataclass(frozen=True)
class Provider:
    # (id_index, actor) -> the cases naming that person which the actor may see
    cases: Callable[[str, Caller], list[CaseLink]]
    # id_index -> how many open cases name that person, whoever may see them (for erasure and retention)
    open_count: Callable[[str], int]


_PROVIDERS: dict[str, Provider] = {}


def register(name: str, *, cases: Callable[[str, Caller], list[CaseLink]], open_count: Callable[[str], int]) -> None:
    """Declare the provider answering for one kind of case (e.g. ``disputes``)."""
    _PROVIDERS[name] = Provider(cases=cases, open_count=open_count)


def cases_of_person(id_index: str, actor: Caller) -> list[CaseLink]:
    """Every registered case naming the person that ``actor`` may see; nothing for a person without an ID hash."""
    if not id_index:
        return []
    found: list[CaseLink] = []
    for provider in _PROVIDERS.values():
        found.extend(provider.cases(id_index, actor))
    return found


def open_cases(id_index: str) -> int:
    """How many open cases in any registered app still name the person (unscoped: a duty check, not a view)."""
    if not id_index:
        return 0
    return sum(provider.open_count(id_index) for provider in _PROVIDERS.values())


def providers() -> list[str]:
    return sorted(_PROVIDERS)


def _reset_for_tests(saved: dict[str, Any] | None = None) -> dict[str, Provider]:
    """Swap the registry (tests register a fake provider and put the real ones back)."""
    before = dict(_PROVIDERS)
    if saved is not None:
        _PROVIDERS.clear()
        _PROVIDERS.update(saved)
    return before


# A person of the base data named by another app's record (a household visit names whom it visited): the base data
# registers one resolver; the naming app stores the reference and asks the resolver, never the people app itself.


@dataclass(frozen=True)
class PersonRef:
    """A person the actor may see, as another app may show them: masked, never the identifiers."""

    ref: str  # the stable reference stored by the naming app ("P" and the record's number)
    label: str  # the masked name
    grid_path: str
    url: str
    address: str = ""  # where they live now (building, unit, room), when known


_PERSON_RESOLVER: list[Callable[[str, Caller], PersonRef | None]] = []


def register_person_resolver(resolve: Callable[[str, Caller], PersonRef | None]) -> None:
    """Declare how a person reference is resolved for a viewer (the base data does, in its ``ready()``)."""
    _PERSON_RESOLVER[:] = [resolve]


def resolve_person(ref: str, actor: Caller) -> PersonRef | None:
    """The person ``ref`` names if ``actor`` may see them; ``None`` for an unknown, erased or out-of-reach one alike."""
    ref = (ref or "").strip()
    if not ref or not _PERSON_RESOLVER:
        return None
    return _PERSON_RESOLVER[0](ref, actor)
