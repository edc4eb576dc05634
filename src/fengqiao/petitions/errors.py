"""Stable error codes of petitions (信访), joint petition meetings and their follow-up orders."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class PetitionErrorCode(ErrorCode):
    PETITION_GRID_OUTSIDE = "petition_grid_outside", "The grid named is missing or outside the caller's area."
    PETITION_BAD_FORM = "petition_bad_form", "The form of petition is not one of the declared forms."
    PETITION_BAD_CATEGORY = "petition_bad_category", "The matter category is not one of the declared categories."
    PETITION_NAME_REQUIRED = "petition_name_required", "A petition needs the petitioner's name."
    PETITION_MATTER_REQUIRED = "petition_matter_required", "A petition needs the matter written out."
    PETITION_BAD_COUNT = "petition_bad_count", "The number of petitioners is not a whole number from 1 to 10000."
    PETITION_BAD_DATE = "petition_bad_date", "The received date is missing or in the future."
    PETITION_LINK_NOT_FOUND = (
        "petition_link_not_found",
        "A linked event or dispute code is unknown in the caller's area.",
    )
    PETITION_BAD_EXTENSION = "petition_bad_extension", "An extension must be 1 to the maximum days, with a reason."
    PETITION_REVIEW_EXPIRED = "petition_review_expired", "A review may be requested only within 30 days of the opinion."
    PETITION_MEETING_OUTSIDE = "petition_meeting_outside", "The meeting's node is missing or outside the caller's area."
    PETITION_MEETING_LEVEL = "petition_meeting_level", "A joint meeting sits at a county, street or community node."
    PETITION_AGENDA_REQUIRED = "petition_agenda_required", "An agenda item needs a petition or a text."
    PETITION_ORDER_INVALID = (
        "petition_order_invalid",
        "A follow-up order needs a department of the area and a due date.",
    )
    PETITION_CASE_INVALID = "petition_case_invalid", "A leader's case needs a leader of the area, a plan and deadlines."
