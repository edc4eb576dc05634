"""Stable error codes of deliberation (议事协商) and the public notice board (三务公开)."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class DeliberationErrorCode(ErrorCode):
    NOT_STAFF = "deliberation_not_staff", "Only the community's grid workers or its centre may take this step."
    NOT_CENTRE = "deliberation_not_centre", "Only the community's centre may take this step."
    GRIDS_OUTSIDE = "deliberation_grids_outside", "A grid named by the topic is not a grid of its community."
    GRIDS_REQUIRED = "deliberation_grids_required", "A topic must name at least one grid of its community."
    BAD_DATE = "deliberation_bad_date", "A promised or due date is in the past or too far ahead."
    TOO_FEW_OPTIONS = "deliberation_too_few_options", "A vote needs at least two different options."
    NOT_BOUND = "deliberation_not_bound", "The participant is not bound to a household by the grid staff."
    OUTSIDE_GRIDS = "deliberation_outside_grids", "The participant's household is not in the topic's grids."
    ALREADY_VOTED = "deliberation_already_voted", "The household has already voted on this topic."
    NOT_VOTING = "deliberation_not_voting", "The topic is not open for voting."
    ALREADY_RATED = "deliberation_already_rated", "The household has already rated this topic."
    NOT_RATING = "deliberation_not_rating", "The topic's result is not open for rating."
    BAD_SCORE = "deliberation_bad_score", "A rating is a whole number from 1 to 5."
    NO_VOTES = "deliberation_no_votes", "No household has voted, so nothing can be decided by the vote."
    TIE = "deliberation_tie", "The vote is tied: the centre must name which of the leading options is carried out."
    HOUSEHOLD_OUTSIDE = "deliberation_household_outside", "The household is not in the grids the staff serves."
    ALREADY_BOUND = "deliberation_already_bound", "The participant is already bound to a household."
    ALREADY_ATTENDED = "deliberation_already_attended", "The participant's attendance is already recorded."
    NOT_WITHDRAWABLE = "deliberation_not_withdrawable", "The notice has already been withdrawn."
    NO_SCHEME = "deliberation_no_scheme", "The community has not opened its residents' scheme (its public QR code)."
