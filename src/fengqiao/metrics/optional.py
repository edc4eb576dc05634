"""Optional sources of figures: disputes and dispatch are counted only where their models are installed."""

from __future__ import annotations

from typing import Any


def dispute_model() -> Any | None:
    """The Dispute model if the disputes app provides one with the fields the counters need, else None."""
    try:
        from fengqiao.disputes.models import Dispute
    except ImportError:
        return None
    names = {f.name for f in Dispute._meta.get_fields()}
    if not {"grid_path", "entered_at", "concluded_at", "state"} <= names:
        return None
    return Dispute


def dispute_resolved_states() -> tuple[str, ...]:
    """The states of a successfully mediated case, as the disputes workflow declares them; none without disputes."""
    try:
        from fengqiao.disputes.workflow import RESOLVED_STATES
    except ImportError:
        return ()
    return tuple(RESOLVED_STATES)


def dispatch_models() -> dict[str, Any] | None:
    """The dispatch models the counters read (receipts, instructions, patrols, visits, diaries), if installed."""
    try:
        from fengqiao.dispatch.models import AcknowledgementsDue, Diary, Instruction, Patrol, Receipt, Visit
    except ImportError:
        return None
    return {
        "receipt": Receipt,
        "instruction": Instruction,
        "due": AcknowledgementsDue,
        "patrol": Patrol,
        "visit": Visit,
        "diary": Diary,
    }


def group_patrol_model() -> Any | None:
    """participation.Task (volunteer tasks and group patrol slots) if the participation app provides it, else None."""
    try:
        from fengqiao.participation.models import Task
    except ImportError:
        return None
    return Task
