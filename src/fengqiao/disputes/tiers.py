"""Settings of dispute mediation, read with defaults so a deployment can change them without code.

``FENGQIAO_DISPUTE_LADDERS``: the escalation ladders (调解层级体系), ``{code: {"name": ..., "tiers": [...]}}``, each
tier ``(code, name, level, kinds)`` lowest first, where level is ``"community"`` (村/社区), ``"street"``
(乡镇/街道) or ``"county"`` (县/区) and kinds are the ``MediatorKind`` values a tier accepts as mediator. A dispute
type names its ladder (``DisputeType.ladder``); a case keeps the ladder it was entered with (``Dispute.ladder``).
``FENGQIAO_DISPUTE_DEFAULT_LADDER``: the ladder of types that name none (default Huanglou's five tiers, 五级递进调解).
``FENGQIAO_DISPUTE_GROUP_THRESHOLD``: people involved from which a case is a group dispute (群体性纠纷).
A system check (``disputes.E010``–``E014``) refuses unknown ladders, levels and kinds at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

COMMUNITY = "community"
STREET = "street"
COUNTY = "county"
LEVELS = (COMMUNITY, STREET, COUNTY)

# Mediator kinds by value (disputes.models.MediatorKind), spelled here so settings stay plain data.
PEOPLE, ELDER, POLICE, LAWYER, JUDGE, JUSTICE, INDUSTRY, OFFICIAL = (
    "people",
    "elder",
    "police",
    "lawyer",
    "judge",
    "justice",
    "industry",
    "official",
)

TierRow = tuple[str, "str | Promise", str, Sequence[str]]

DEFAULT_LADDER = "huanglou"
DEFAULT_LADDERS: dict[str, dict[str, Any]] = {
    "huanglou": {
        "name": gettext_lazy("五级递进调解"),
        "tiers": [
            ("elders", gettext_lazy("五老乡贤拉呱调"), COMMUNITY, (ELDER, PEOPLE)),
            ("police", gettext_lazy("警务助理跟上调"), COMMUNITY, (POLICE,)),
            ("lawyer", gettext_lazy("律师介入调"), STREET, (LAWYER,)),
            ("hearing", gettext_lazy("听证调"), STREET, (PEOPLE, JUSTICE, LAWYER)),
            ("joint", gettext_lazy("部门联席调"), STREET, (OFFICIAL, JUSTICE, JUDGE)),
        ],
    },
    "industry": {
        "name": gettext_lazy("行业性专业性调解"),
        "tiers": [
            ("industry", gettext_lazy("行业调解组织调"), STREET, (INDUSTRY,)),
            ("justice", gettext_lazy("司法所联合调"), STREET, (JUSTICE,)),
            ("court", gettext_lazy("诉前委派/法官指导调"), COUNTY, (JUDGE,)),
        ],
    },
    "family": {
        "name": gettext_lazy("婚姻家庭纠纷调解"),
        "tiers": [
            ("elders", gettext_lazy("亲邻乡贤劝和调"), COMMUNITY, (ELDER, PEOPLE)),
            ("people", gettext_lazy("婚姻家庭调解委员会调"), STREET, (PEOPLE,)),
            ("justice", gettext_lazy("司法所联合调"), STREET, (JUSTICE,)),
        ],
    },
}
DEFAULT_GROUP_THRESHOLD = 5


@dataclass(frozen=True)
class Tier:
    index: int
    code: str
    name: str
    level: str
    kinds: tuple[str, ...] = ()
    ladder: str = DEFAULT_LADDER

    @property
    def kind_names(self) -> str:
        """The kinds this tier accepts, in the active language, joined for a message."""
        from fengqiao.disputes.models import MediatorKind

        return "、".join(str(MediatorKind(k).label) for k in self.kinds if k in MediatorKind.values)

    def accepts(self, kind: str) -> bool:
        return kind in self.kinds


@dataclass(frozen=True)
class Ladder:
    code: str
    name: str
    tiers: tuple[Tier, ...]


def _configured() -> dict[str, dict[str, Any]]:
    return getattr(settings, "FENGQIAO_DISPUTE_LADDERS", None) or DEFAULT_LADDERS


def default_ladder() -> str:
    return str(getattr(settings, "FENGQIAO_DISPUTE_DEFAULT_LADDER", "") or DEFAULT_LADDER)


def ladder_code(code: str = "") -> str:
    """The ladder a code names; empty or unknown (a ladder removed from settings): the default."""
    return code if code and code in _configured() else default_ladder()


def _ladder(code: str = "") -> Ladder:
    code = ladder_code(code)
    spec = _configured()[code]
    rows = [
        Tier(i, row[0], str(row[1]), row[2], tuple(row[3]) if len(row) > 3 else (), code)
        for i, row in enumerate(spec["tiers"])
    ]
    return Ladder(code, str(spec.get("name", code)), tuple(rows))


def ladder(code: str = "") -> Ladder:
    """One ladder with its names in the active language (names from settings are used as they are)."""
    return _ladder(code)


def ladders() -> list[Ladder]:
    return [ladder(code) for code in _configured()]


def ladder_choices() -> list[tuple[str, str]]:
    """For the dispute type's form: each ladder by name (the empty choice means the default)."""
    return [("", str(gettext_lazy("（全县默认层级）")))] + [(lad.code, lad.name) for lad in ladders()]


def ladder_field(**kwargs: Any) -> Any:
    """The form field for ``DisputeType.ladder``: a choice of the configured ladders (the admin uses it)."""
    from django import forms

    kwargs.pop("max_length", None)
    kwargs.pop("empty_value", None)
    return forms.ChoiceField(choices=ladder_choices, required=False, **kwargs)


def tiers(ladder: str = "") -> list[Tier]:
    """The tiers of a ladder (default: the county's default ladder), lowest first."""
    return list(_ladder(ladder).tiers)


def tier(index: int, ladder: str = "") -> Tier:
    rows = tiers(ladder)
    return rows[min(max(index, 0), len(rows) - 1)]


def township_tier(ladder: str = "") -> Tier:
    """Where red-class cases start: the first tier held at township (street) level or above."""
    rows = tiers(ladder)
    return next((t for t in rows if t.level in (STREET, COUNTY)), rows[-1])


def group_threshold() -> int:
    return int(getattr(settings, "FENGQIAO_DISPUTE_GROUP_THRESHOLD", DEFAULT_GROUP_THRESHOLD))


@checks.register()
def check_ladders(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every ladder in settings is well formed and names only known levels and mediator kinds."""
    from fengqiao.disputes.models import MediatorKind

    errors: list[checks.CheckMessage] = []
    configured = _configured()
    if not isinstance(configured, dict) or not configured:
        return [checks.Error("FENGQIAO_DISPUTE_LADDERS must be a non-empty dict of ladders.", id="disputes.E010")]
    if default_ladder() not in configured:
        errors.append(
            checks.Error(
                f"FENGQIAO_DISPUTE_DEFAULT_LADDER {default_ladder()!r} is not a ladder in FENGQIAO_DISPUTE_LADDERS.",
                id="disputes.E011",
            )
        )
    for code, spec in configured.items():
        rows = spec.get("tiers") if isinstance(spec, dict) else None
        if not isinstance(code, str) or not code or len(code) > 20 or not rows:
            errors.append(
                checks.Error(
                    f"Ladder {code!r} needs a code of at most 20 characters and at least one tier.", id="disputes.E012"
                )
            )
            continue
        for row in rows:
            if len(row) != 4 or not row[0] or not row[1]:
                errors.append(
                    checks.Error(
                        f"Ladder {code!r}: tier {row!r} must be (code, name, level, kinds).", id="disputes.E012"
                    )
                )
                continue
            if row[2] not in LEVELS:
                errors.append(
                    checks.Error(
                        f"Ladder {code!r}, tier {row[0]!r}: unknown level {row[2]!r} (one of {', '.join(LEVELS)}).",
                        id="disputes.E013",
                    )
                )
            unknown = [k for k in row[3] if k not in MediatorKind.values] if not isinstance(row[3], str) else [row[3]]
            if unknown or not row[3]:
                errors.append(
                    checks.Error(
                        f"Ladder {code!r}, tier {row[0]!r}: mediator kinds {unknown or '[]'} are not MediatorKind "
                        "values (at least one needed).",
                        id="disputes.E014",
                    )
                )
    return errors


def require_kind(dispute: Any, mediator: Any, *, tier_index: int | None = None) -> None:
    """Refuse a mediator whose kind the case's current tier does not take (a lawyer tier takes lawyers ...)."""
    from django.utils.translation import gettext

    from fengqiao.core.errors import DomainError
    from fengqiao.disputes.errors import DisputeErrorCode
    from fengqiao.disputes.models import MediatorKind

    current = tier(dispute.tier if tier_index is None else tier_index, dispute.ladder)
    if current.accepts(mediator.kind):
        return
    kind = MediatorKind(mediator.kind).label if mediator.kind in MediatorKind.values else mediator.kind
    raise DomainError(
        gettext("当前调解层级“%(tier)s”只能由%(kinds)s承办，%(m)s（%(kind)s）不符合。")
        % {"tier": current.name, "kinds": current.kind_names, "m": mediator.user, "kind": kind},
        code=DisputeErrorCode.MEDIATOR_WRONG_KIND,
    )
