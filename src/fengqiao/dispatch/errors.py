"""Stable error codes of dispatch: instructions, notifications, patrols, visits and diaries."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class DispatchErrorCode(ErrorCode):
    NOT_SENDER = "not_sender", "Only dispatchers, leaders and administrators may send instructions."
    TITLE_REQUIRED = "title_required", "An instruction needs a title."
    NODES_REQUIRED = "nodes_required", "An instruction needs at least one grid or area to go to."
    UNKNOWN_NODE = "unknown_node", "A grid code in the instruction's scope names no grid."
    BAD_ROLE = "bad_role", "A role in the instruction's audience is unknown."
    BAD_KIND = "bad_kind", "The instruction kind is unknown."
    BAD_PRIORITY = "bad_priority", "The instruction priority is unknown."
    DEADLINE_PAST = "deadline_past", "An instruction's deadline must be in the future."
    NOT_ADDRESSEE = "not_addressee", "The instruction is not addressed to the caller."
    REPORT_REQUIRED = "report_required", "Completing an instruction needs a report."
    ALREADY_COMPLETED = "already_completed", "The caller has already reported on this instruction."
    REMIND_TOO_SOON = "remind_too_soon", "A reminder was sent less than five minutes ago."
    NOT_RECIPIENT = "not_recipient", "The notification belongs to someone else."
    NO_GRID = "no_grid", "The caller serves no grid, so cannot log patrols, visits or diaries."
    BAD_POINT = "bad_point", "A track point is not a valid position."
    PATROL_OPEN = "patrol_open", "The caller already has a patrol under way."
    NOT_OWN_PATROL = "not_own_patrol", "The patrol belongs to someone else."
    PATROL_ENDED = "patrol_ended", "The patrol has already ended."
    NO_POINTS = "no_points", "No track points were sent."
    TOO_MANY_POINTS = "too_many_points", "More track points than one call may carry."
    ADDRESS_REQUIRED = "address_required", "A visit needs an address."
    VISIT_PERSON_UNKNOWN = (
        "visit_person_unknown",
        "A visit names a person of the base data who is unknown, erased or outside the worker's grids.",
    )
    TEXT_REQUIRED = "text_required", "A diary entry needs text."
    FUTURE_DAY = "future_day", "A diary entry cannot be for a future day."
    SCREENING_GRID = "screening_grid", "A screening record names a grid the worker does not serve."
    ZERO_REPORT_REQUIRED = "zero_report_required", "A screening that found nothing must be ticked as a zero report."
    ZERO_REPORT_CONFLICT = "zero_report_conflict", "A screening that found disputes cannot also be a zero report."
    BAD_PERIOD = "bad_period", "The screening period is missing, reversed or longer than a year."
    FUTURE_PERIOD = "future_period", "A screening period cannot start in the future."
    SCREENING_EXISTS = "screening_exists", "The worker already recorded a screening for this grid and period."
    NOT_SCREENING = "not_screening", "The instruction is not a screening campaign."
