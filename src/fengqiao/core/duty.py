"""Duty (履职) that apps other than dispatch owe: a registry of sources, each saying what a worker owed and did in
time over a period.

Dispatch's duty rules count patrols, visits and diaries per window; some duty has its own deadlines instead (a key
person's visit falls due on its own clock). Dispatch may not import those apps, so they register a
:class:`DutySource` here and the duty page (``dispatch.selectors.compliance``) and the duty figure read every
registered source beside the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tally:
    """What was owed over a period and how much of it was done in time."""

    due: int = 0
    done: int = 0


@dataclass(frozen=True)
class DutySource:
    """One kind of duty with its own deadlines.

    ``by_worker(user_ids, since, until)`` and ``by_path(paths, since, until)`` return a :class:`Tally` per user and
    per node path; ``roles`` are the posts that owe it; ``days`` is how far back the duty page looks.
    """

    name: str
    label: Any
    roles: frozenset[str]
    by_worker: Callable[[Sequence[int], dt.datetime, dt.datetime], Mapping[int, Tally]]
    by_path: Callable[[Sequence[str], dt.datetime, dt.datetime], Mapping[str, Tally]]
    days: int = 30


SOURCES: dict[str, DutySource] = {}


def register(source: DutySource) -> DutySource:
    SOURCES[source.name] = source
    return source


def sources() -> list[DutySource]:
    return list(SOURCES.values())
