"""Stable error codes of the base data (人地事物组织) and its personal-information duties."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class PeopleErrorCode(ErrorCode):
    # Bad ID numbers and credit codes are core's (CoreErrorCode.BAD_ID_NUMBER, BAD_CREDIT_CODE): intake shares them.
    NAME_REQUIRED = "name_required", "A name is required."
    NOT_EDITABLE = "not_editable", "The caller may read this grid's base data but not change it."
    ROOM_EXISTS = "room_exists", "The building already has a room with that unit and number."
    CODE_EXISTS = "code_exists", "The code is already used by another building or room."
    NOT_A_GRID = "not_a_grid", "Base data belongs in a grid or micro-grid, not a higher level."
    ERASED = "erased", "The person's record was erased and can no longer be changed."
    OPEN_CASE = "open_case", "The person is named in an open case, so the record cannot be erased yet."
    REASON_REQUIRED = "pii_reason_required", "Exporting or erasing personal information needs a stated reason."
    BAD_YEAR = "bad_year", "A year or number is out of range."
    # Importing persons from a spreadsheet (people.importer).
    IMPORT_BAD_FILE = "import_bad_file", "The persons file is not a readable .xlsx workbook."
    IMPORT_BAD_HEADER = "import_bad_header", "The persons file's header row is not the template's."
    IMPORT_BAD_ROWS = "import_bad_rows", "The persons file has bad rows; nothing was imported."
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows", "The persons file has more rows than one import takes."
    IMPORT_EMPTY = "import_empty", "The persons file has no rows."
    # Rentals, tenants and gates (people.rentals).
    ROOM_NOT_RENTED = "room_not_rented", "The room is not registered as let, or its letting has ended."
    ROOM_ALREADY_LET = "room_already_let", "The room already has an open letting."
    RENTAL_FULL = "rental_full", "The letting already has as many verified tenants as it may house."
    CONSENT_REQUIRED = "consent_required", "The person did not agree to the stated use of their data."
    BAD_MOVE_IN = "bad_move_in", "The move-in date is too far in the past or the future."
    NOT_FIELD_WORKER = "not_field_worker", "Only the grid's own workers may take this step."
    BAD_GROUP_LINK = "bad_group_link", "The micro-grid group link is not an https address."
