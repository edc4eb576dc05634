"""Settings of dispute mediation, read with defaults so a deployment can change them without code.

``FENGQIAO_DISPUTE_TIERS``: the escalation ladder, lowest first, as ``(code, name, level)`` where level is
``"community"`` (村/社区) or ``"street"`` (乡镇/街道). The default is Huanglou's five tiers (五级递进调解).
``FENGQIAO_DISPUTE_GROUP_THRESHOLD``: people involved from which a case is a group dispute (群体性纠纷).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

COMMUNITY = "community"
STREET = "street"

DEFAULT_TIERS: list[tuple[str, str | Promise, str]] = [
    ("elders", gettext_lazy("五老乡贤拉呱调"), COMMUNITY),
    ("police", gettext_lazy("警务助理跟上调"), COMMUNITY),
    ("lawyer", gettext_lazy("律师介入调"), STREET),
    ("hearing", gettext_lazy("听证调"), STREET),
    ("joint", gettext_lazy("部门联席调"), STREET),
]
DEFAULT_GROUP_THRESHOLD = 5


@dataclass(frozen=True)
class Tier:
    index: int
    code: str
    name: str
    level: str


def tiers() -> list[Tier]:
    """The ladder with its names in the active language (names from settings are used as they are)."""
    rows = getattr(settings, "FENGQIAO_DISPUTE_TIERS", None) or DEFAULT_TIERS
    return [Tier(i, code, str(name), level) for i, (code, name, level) in enumerate(rows)]


def tier(index: int) -> Tier:
    rows = tiers()
    return rows[min(max(index, 0), len(rows) - 1)]


def township_tier() -> Tier:
    """Where red-class cases start: the first tier held at township (street) level."""
    rows = tiers()
    return next((t for t in rows if t.level == STREET), rows[-1])


def group_threshold() -> int:
    return int(getattr(settings, "FENGQIAO_DISPUTE_GROUP_THRESHOLD", DEFAULT_GROUP_THRESHOLD))
