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
    PETITION_DUTY_OUTSIDE = (
        "petition_duty_outside",
        "The centre is missing, not a centre, or outside the caller's area.",
    )
    PETITION_DUTY_LEADER = "petition_duty_leader", "The duty leader must be a leader posted at the centre or above."
    PETITION_DUTY_DATE = "petition_duty_date", "A duty day must be today or later, within the rota's horizon."
    PETITION_NO_DUTY_LEADER = "petition_no_duty_leader", "Nobody is on duty today at a centre covering the case."
    SUPERVISION_INVALID = "supervision_invalid", "A supervision order needs a unit of the area, a person and a finding."
    SUPERVISION_OUTCOME_SET = "supervision_outcome_set", "The outcome is decided once; only a correction may change it."
    SUPERVISION_OUTCOME_INVALID = (
        "supervision_outcome_invalid",
        "An outcome needs a leader, a declared value and a reason.",
    )
    RISK_INVALID = "risk_invalid", "A risk assessment needs a matter, a deciding unit of the area and a centre node."
    RISK_CONDITION_INVALID = "risk_condition_invalid", "A condition needs a measure, an owner and a due date."
    RISK_HIGH_GRADE = "risk_high_grade", "A high-risk matter may not be decided; postpone it or reassess."
    RISK_CONDITIONS_OPEN = "risk_conditions_open", "The decision waits until every condition is met."
