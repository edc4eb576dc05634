"""Stable error codes of residents' participation: the points ledger, the love supermarket, teams, tasks and patrols
and the party members' reviews."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class ParticipationErrorCode(ErrorCode):
    NOT_COMMUNITY_STAFF = "points_not_staff", "Only the community's grid workers or its centre may take this step."
    PARTICIPANT_EXISTS = "points_participant_exists", "The phone number is already registered in this community."
    CONSENT_REQUIRED = "points_consent_required", "The resident did not agree to the stated use of their data."
    PERIOD_LIMIT = "points_period_limit", "The rule's limit for the current day, week or month is reached."
    ALREADY_REVERSED = "points_already_reversed", "The ledger entry has already been reversed."
    NOT_REVERSIBLE = "points_not_reversible", "Only an award can be reversed."
    INSUFFICIENT_POINTS = "points_insufficient", "The participant's balance does not cover the points asked for."
    OUT_OF_STOCK = "points_out_of_stock", "The love supermarket has too few of the item left."
    BAD_QUANTITY = "points_bad_quantity", "The quantity or points are out of range."
    TASK_FULL = "points_task_full", "Every place of the task or patrol slot is taken."
    ALREADY_CLAIMED = "points_already_claimed", "The participant has already claimed this task."
    TASK_STARTED = "points_task_started", "The task has started or was recorded: claims can no longer change."
    TASK_NOT_STARTED = "points_task_not_started", "A task is recorded only once it has started."
    ALREADY_RECORDED = "points_already_recorded", "The task or patrol has already been recorded."
    NOT_A_CLAIMANT = "points_not_a_claimant", "The attendance names someone who did not claim the task."
    NOT_A_PARTY_MEMBER = "points_not_party_member", "Only party members who reported to the community are reviewed."
    BAD_PERIOD = "points_bad_period", "The year or quarter is out of range."
