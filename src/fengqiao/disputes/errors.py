"""Stable error codes of the dispute ledger (intake, screening, mediation, agreements, the roster import)."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class DisputeErrorCode(ErrorCode):
    TOO_SHORT = "too_short", "A text field is shorter than its minimum."
    TOO_LONG = "too_long", "A text field is over its length limit."
    BAD_AMOUNT = "bad_amount", "The amount in dispute is not a number or out of range."
    BAD_PARTY = "bad_party", "A party's role or kind is not valid."
    PARTY_NAME_REQUIRED = "party_name_required", "A party needs a name."
    PARTY_NAME_TOO_LONG = "party_name_too_long", "A party's name is over the length limit."
    APPLICANT_REQUIRED = "applicant_required", "A dispute needs at least one applicant."
    RESPONDENT_REQUIRED = "respondent_required", "A dispute needs at least one respondent."
    BAD_ID_NUMBER = "bad_id_number", "A resident identity card number is not valid."
    BAD_CREDIT_CODE = "bad_credit_code", "A unified social credit code is not valid."
    TYPE_REQUIRED = "type_required", "A dispute type must be chosen."
    BAD_RISK = "bad_risk", "The risk level is not one of the declared levels."
    RISK_REASON_REQUIRED = "risk_reason_required", "A red risk assessment needs a reason."
    BAD_PEOPLE = "bad_people", "The number of people involved is not a whole number from 1 to 100000."
    MEDIATOR_REQUIRED = "mediator_required", "Assignment needs a mediator."
    MEDIATOR_NOT_FOUND = "mediator_not_found", "No such mediator."
    MEDIATOR_OUTSIDE = "mediator_outside", "The mediator does not serve the dispute's area."
    SESSION_IN_FUTURE = "session_in_future", "A mediation session cannot be recorded for a future time."
    PLACE_REQUIRED = "place_required", "A session needs a place unless it was held online."
    UPDATE_EMPTY = "update_empty", "A progress update needs text or evidence."
    REFERRAL_REQUIRED = "referral_required", "A referral needs the court or arbitration body."
    AGREEMENT_REQUIRED = "agreement_required", "Judicial confirmation needs a written mediation agreement."
    SCAN_REQUIRED = "scan_required", "Uploading a signed agreement needs a scan or photo."
    BAD_FILE = "bad_file", "The roster file is not a readable .xlsx workbook."
    BAD_HEADER = "bad_header", "The roster's header row is not the expected one."
    BAD_ROW = "bad_row", "A roster row is incomplete or names something unknown."
    BAD_ROWS = "bad_rows", "The roster has errors; nothing was imported."
    GRID_NOT_OWN = "grid_not_own", "A grid worker may file a dispute only in a grid they serve."
    PATROL_NOT_OWN = "patrol_not_own", "The patrol named with a field report is not the worker's own."
