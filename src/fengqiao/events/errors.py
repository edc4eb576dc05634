"""Stable error codes of the event closed loop (intake, routing, handling, rating, the IoT webhook)."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class EventErrorCode(ErrorCode):
    OUTSIDE_GRIDS = "outside_grids", "The reported position lies in no grid."
    DESCRIPTION_REQUIRED = "description_required", "The report needs a description of at least two characters."
    DESCRIPTION_TOO_LONG = "description_too_long", "The description is over the length limit."
    BAD_CATEGORY = "bad_category", "The category does not exist or is not a leaf category."
    BAD_GRID = "bad_grid", "The grid code names no grid."
    BAD_MERGE_TARGET = "bad_merge_target", "An event can only be merged into another open event."
    DEPARTMENT_REQUIRED = "department_required", "Routing needs a lead department."
    DEPARTMENT_OUTSIDE_AREA = "department_outside_area", "The department does not serve the event's area."
    SKIP_NOT_ALLOWED = "skip_not_allowed", "The event's category may not skip a tier when escalated."
    ACCEPTANCE_REQUIRED = "acceptance_required", "Verifying a safety-hazard event needs an on-site acceptance note."
    BAD_STARS = "bad_stars", "A rating must be 1 to 5 stars."
    ALREADY_RATED = "already_rated", "The event has already been rated."
    COMMENT_TOO_LONG = "comment_too_long", "The rating comment is over the length limit."
    NOT_OPEN = "not_open", "Only an open event can be supervised."
    BAD_HOURS = "bad_hours", "An extension must be 1 to 720 hours."
    REASON_REQUIRED = "reason_required", "An extension request needs a reason."
    PENDING_EXISTS = "pending_exists", "An extension request is already waiting for a decision."
    ALREADY_DECIDED = "already_decided", "The extension request has already been decided."
    UNKNOWN_ACTION = "unknown_action", "The API has no such event action."
    BAD_API_KEY = "bad_api_key", "The X-API-Key is wrong or revoked."
    UNKNOWN_DEVICE = "unknown_device", "The IoT device is not registered or is disabled."
    BAD_SIGNATURE = "bad_signature", "The IoT request's signature, timestamp or nonce is missing or wrong."
    STALE_REQUEST = "stale_request", "The IoT request's timestamp is more than five minutes off the server clock."
    REPLAYED = "replayed", "The IoT request reuses a nonce and is not accepted again."
    BAD_JSON = "bad_json", "The IoT request body is not a JSON object."
    ALREADY_SUMMONED = "already_summoned", "Every department named has already been called to this event."
    ATTENDEE_TOO_LONG = "attendee_too_long", "The names of who comes are over the length limit."
    BAD_ARRIVAL = "bad_arrival", "The arrival time is not a date and time."
    SPOT_PHOTOS_REQUIRED = "spot_photos_required", "Solving on the spot needs a photo before and a photo after."
