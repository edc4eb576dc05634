"""四事分办 by level: which centre owns an event, who may act on it, and 首接负责制 (the first receiver answers for it).

小事网格办、急事村(社区)办、大事乡镇党委办、难事县级层面协调办: an event's tier names the level that handles it
(``TIER_LEVEL``); the owning centre (责任中心) is the event's grid's ancestor at the centre level of that tier (a
grid-tier event is the community centre's: grids have staff, not centres). The owner is stored on the event
(``owner_node``) so the queue of each centre is one indexed filter; it moves when the tier moves (registration,
escalation) and, when a department returns a routing it had not signed, to the first receiver's centre.

A dispatcher may act on an event only from a post at the owning centre or above it on the same branch; a lower
centre sees it read-only, and a forged request is refused with ``tier_above_you``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, Role, User
from fengqiao.core import scoping
from fengqiao.core.errors import WorkflowError
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import Tier
from fengqiao.grids.models import GridNode, Level

# The level that handles each tier (四事分办).
TIER_LEVEL: dict[str, int] = {
    Tier.GRID: Level.GRID,
    Tier.COMMUNITY: Level.COMMUNITY,
    Tier.STREET: Level.STREET,
    Tier.COUNTY: Level.DISTRICT,
}
# The lowest level with a centre (综治中心): a grid-tier event is in the community centre's queue.
LOWEST_CENTRE = Level.COMMUNITY
CENTRE_ROLES = (Role.DISPATCHER, Role.ADMIN)


def centre_level(tier: str) -> int:
    """The level of the centre that owns an event of ``tier``."""
    return min(TIER_LEVEL.get(tier, Level.COMMUNITY), LOWEST_CENTRE)


def owning_centre(grid_path: str, tier: str) -> GridNode | None:
    """The grid's ancestor at the owning centre's level; where the tree skips that level, the nearest ancestor above
    it. None only for a grid with no ancestor at or above the level (a tree without its upper levels)."""
    return (
        GridNode.objects.filter(path__in=scoping.ancestor_paths(grid_path), level__lte=centre_level(tier))
        .order_by("-depth")
        .first()
    )


def owner_path(event: Any) -> str:
    """The owning centre's path; the event's own grid while no owner is recorded (the jurisdiction rule alone)."""
    node = event.owner_node if event.owner_node_id else None
    return node.path if node is not None else str(event.grid_path)


def centre_posts(actor: Any) -> list[Membership]:
    """The actor's active dispatcher and administrator posts."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return [m for m in actor.active_memberships if m.role in CENTRE_ROLES]


def may_act_at_level(actor: Any, event: Any) -> bool:
    """Whether one of the actor's centre posts sits at the owning centre or above it (a higher centre may always
    step in). Superusers stand above every centre."""
    if getattr(actor, "is_superuser", False):
        return True
    path = owner_path(event)
    return any(path.startswith(m.node.path) for m in centre_posts(actor))


def read_only_above(actor: Any, event: Any) -> bool:
    """A centre that covers the event but sits below its owning centre: it sees the event and may not act on it."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_superuser", False):
        return False
    posts = centre_posts(actor)
    covering = [m for m in posts if str(event.grid_path).startswith(m.node.path)]
    return bool(covering) and not may_act_at_level(actor, event)


class TierAboveYou(WorkflowError):
    """A step on an event the caller sees but whose tier belongs to a centre above theirs."""

    status = 403


def refuse_if_read_only(actor: Any, event: Any) -> None:
    """Raise ``tier_above_you`` for a centre below the owning one: the precise refusal a forged request gets."""
    if read_only_above(actor, event):
        raise TierAboveYou(_("该事件已上报至上级，由上级中心处置，本级只读。"), code=EventErrorCode.TIER_ABOVE_YOU)


def centre_dispatchers(node: GridNode | None) -> list[User]:
    """The active dispatchers posted at exactly this centre (those an escalation or a return is sent to)."""
    if node is None:
        return []
    rows = Membership.objects.filter(role=Role.DISPATCHER, active=True, node=node).select_related("user")
    return [m.user for m in rows]


def receiving_post(actor: Any, grid_path: str) -> GridNode | None:
    """The node of the post from which ``actor`` receives a matter in ``grid_path``: their nearest centre post over
    it, else their nearest post of any kind over it."""
    if not getattr(actor, "is_authenticated", False):
        return None
    over = [m for m in actor.active_memberships if grid_path.startswith(m.node.path)]
    centres = [m for m in over if m.role in CENTRE_ROLES]
    chosen = max(centres or over, key=lambda m: len(m.node.path), default=None)
    return chosen.node if chosen is not None else None


def owner_after_return(event: Any) -> GridNode | None:
    """Where a returned routing goes (首接负责制): the first receiver's centre when the first receiver took it at a
    centre that may act at the event's tier; otherwise the owning centre of the tier (兜底). Never nobody."""
    by_tier = owning_centre(event.grid_path, event.tier)
    node = event.first_receiver_node if event.first_receiver_node_id else None
    if node is None or event.first_receiver_id is None:
        return by_tier
    at_centre = Membership.objects.filter(
        user_id=event.first_receiver_id, node=node, role__in=CENTRE_ROLES, active=True
    ).exists()
    if at_centre and (by_tier is None or by_tier.path.startswith(node.path)):
        return node
    return by_tier


@dataclass
class Ownership:
    """What the event page shows: 处置层级 / 责任中心, and 首接责任人 or the 兜底中心 when nobody received it."""

    tier_label: str
    centre: str
    first_receiver: str
    first_post: str
    fallback: str


def ownership(event: Any) -> Ownership:
    centre = event.owner_node.name if event.owner_node_id and event.owner_node is not None else ""
    receiver = event.first_receiver if event.first_receiver_id else None
    post = event.first_receiver_node if event.first_receiver_node_id else None
    return Ownership(
        tier_label=str(event.get_tier_display()),
        centre=centre,
        first_receiver=receiver.display_name if receiver is not None else "",
        first_post=post.name if post is not None else "",
        fallback="" if receiver is not None else centre,
    )
