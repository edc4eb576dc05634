"""Stable error codes of residents' participation: the points ledger and the love supermarket."""

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
