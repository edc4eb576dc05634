"""What each role gets from each endpoint, inside its jurisdiction (street A) and outside it (street B).

One token per role, in the order of ``world.ROLES``:
anonymous, worker, gridleader, informant, handler, mediator, dispatcher, leader, admin.
A token is the HTTP status, or ``L`` for a redirect to the login page. 403/404/401/``L`` are refusals; a 302 is an
action accepted by the page (its domain rules, tested with the services, may still refuse it with a message);
409/422/400 are the API refusing the (deliberately empty) input after letting the caller in.
Endpoints with no object in their URL have only ``in``.
An object the caller may not see (outside the jurisdiction, or beyond the role's reach: a handler sees the events
routed to their department, a mediator the cases of their own and their organisation's) answers 404, exactly like a
missing one; 403 is kept for an object the caller can see but may not act on in that way.
"""

EXPECTED: dict[str, dict[str, str]] = {
    "GET /api/v1/accounts/me": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/dashboard/map": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/dispatch/inbox": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/dispatch/instructions/{pk}": {
        "in": "401 200 200 200 200 200 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/dispatch/instructions/{pk}/tracking": {
        "in": "401 403 403 403 403 403 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/dispatch/notifications": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/dispatch/unread": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/disputes/": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/disputes/track/{code}": {
        "in": "200 200 200 200 200 200 200 200 200",
        "out": "200 200 200 200 200 200 200 200 200",
    },
    "GET /api/v1/disputes/{code}": {
        "in": "401 404 404 404 404 404 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/disputes/{code}/suggestions": {
        "in": "401 404 404 404 404 404 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/events": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/events/categories": {"in": "200 200 200 200 200 200 200 200 200"},
    "GET /api/v1/events/{code}": {
        "in": "401 200 200 404 200 404 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/events/{code}/timeline": {
        "in": "401 200 200 404 200 404 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/grids/locate": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/grids/roots": {"in": "401 200 200 200 200 200 200 200 200"},
    "GET /api/v1/grids/{code}": {
        "in": "401 200 200 404 200 200 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/grids/{code}/children": {
        "in": "401 200 200 404 200 200 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/grids/{code}/geojson": {
        "in": "401 200 200 404 200 200 200 200 200",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "GET /api/v1/metrics/ranking": {"in": "401 200 200 200 200 200 200 200 200"},
    "POST /api/v1/dispatch/diary": {"in": "401 422 422 422 422 422 422 422 422"},
    "POST /api/v1/dispatch/instructions": {"in": "401 422 422 422 422 422 422 422 422"},
    "POST /api/v1/dispatch/instructions/{pk}/ack": {
        "in": "401 200 200 200 200 200 403 200 403",
        "out": "401 404 404 404 404 404 404 404 403",
    },
    "POST /api/v1/dispatch/instructions/{pk}/complete": {
        "in": "401 422 422 422 422 422 422 422 422",
        "out": "401 422 422 422 422 422 422 422 422",
    },
    "POST /api/v1/dispatch/instructions/{pk}/remind": {
        "in": "401 403 403 403 403 403 200 400 400",
        "out": "401 404 404 404 404 404 404 404 200",
    },
    "POST /api/v1/dispatch/notifications/{pk}/read": {"in": "401 404 404 404 404 404 404 404 404"},
    "POST /api/v1/dispatch/patrols": {"in": "401 201 201 201 201 201 201 201 403"},
    "POST /api/v1/dispatch/patrols/{pk}/end": {"in": "401 404 404 404 404 404 404 404 404"},
    "POST /api/v1/dispatch/patrols/{pk}/points": {"in": "401 422 422 422 422 422 422 422 422"},
    "POST /api/v1/dispatch/visits": {"in": "401 422 422 422 422 422 422 422 422"},
    "POST /api/v1/disputes/{code}/accept": {
        "in": "401 404 404 404 404 404 409 409 409",
        "out": "401 404 404 404 404 404 404 404 409",
    },
    "POST /api/v1/disputes/{code}/assign": {
        "in": "401 422 422 422 422 422 422 422 422",
        "out": "401 422 422 422 422 422 422 422 422",
    },
    "POST /api/v1/disputes/{code}/decline": {
        "in": "401 404 404 404 404 404 409 409 409",
        "out": "401 404 404 404 404 404 404 404 409",
    },
    "POST /api/v1/events": {"in": "401 422 422 422 422 422 422 422 422"},
    "POST /api/v1/events/suggest": {"in": "422 422 422 422 422 422 422 422 422"},
    "POST /api/v1/events/{code}/actions/{name}": {
        "in": "401 409 409 404 200 404 409 409 409",
        "out": "401 404 404 404 404 404 404 404 409",
    },
    "dashboard:bigscreen": {"in": "L 200 200 200 200 200 200 200 200"},
    "dashboard:feed": {"in": "L 200 200 200 200 200 200 200 200"},
    "dashboard:map": {"in": "L 200 200 200 200 200 200 200 200"},
    "dispatch:acknowledge": {"in": "L 302 302 302 302 302 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "dispatch:complete": {"in": "L 302 302 302 302 302 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "dispatch:detail": {"in": "L 200 200 200 200 200 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "dispatch:duty": {"in": "L 302 200 302 302 302 200 200 200"},
    "people:key_list": {"in": "L 403 200 403 403 403 200 403 403"},
    "people:key_mine": {"in": "L 200 200 403 403 403 403 403 403"},
    "people:key_new": {"in": "L 403 404 403 403 403 404 403 403"},
    "people:key_detail": {"in": "L 404 404 403 403 403 404 403 403"},
    "people:key_visit": {"in": "L 404 404 404 404 404 404 404 404"},
    "people:key_reveal": {"in": "L 404 404 404 404 404 404 404 404"},
    "people:key_act": {"in": "L 404 404 404 404 404 404 404 404"},
    "dispatch:inbox": {"in": "L 200 200 200 200 200 200 200 200"},
    "dispatch:notification": {"in": "L 404 404 404 404 404 404 404 404"},
    "dispatch:patrol_end": {"in": "L 404 404 404 404 404 404 404 404"},
    "dispatch:patrol_start": {"in": "L 302 302 302 302 302 302 302 302"},
    "dispatch:read_all": {"in": "L 302 302 302 302 302 302 302 302"},
    "dispatch:remind": {"in": "L 302 302 302 302 302 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "dispatch:send": {"in": "L 302 302 302 302 302 200 200 200"},
    "dispatch:sent": {"in": "L 200 200 200 200 200 200 200 200"},
    "dispatch:stream": {"in": "401 200 200 200 200 200 200 200 200"},
    "dispatch:track": {"in": "L 403 403 403 403 403 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "dispatch:work": {"in": "L 200 200 200 200 200 200 200 200"},
    "disputes:act": {"in": "L 404 404 404 404 404 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "disputes:route": {"in": "L 404 404 404 404 404 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "disputes:agreement_file": {"in": "L 404 404 404 404 404 404 403 404", "out": "L 404 404 404 404 404 404 404 404"},
    "disputes:agreement_signed": {
        "in": "L 404 404 404 404 404 404 403 404",
        "out": "L 404 404 404 404 404 404 404 404",
    },
    "disputes:apply": {"in": "200 200 200 200 200 200 200 200 200", "out": "200 200 200 200 200 200 200 200 200"},
    "disputes:detail": {"in": "L 404 404 404 404 404 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "disputes:figures": {"in": "L 200 200 200 200 200 200 200 200"},
    "disputes:library": {"in": "L 200 200 200 200 200 200 200 200"},
    "disputes:mine": {"in": "L 200 200 200 200 200 200 200 200"},
    "disputes:new": {"in": "L 403 403 403 403 403 200 403 200"},
    "disputes:organisations": {"in": "L 200 200 200 200 200 200 200 200"},
    "disputes:poster": {"in": "L 404 404 404 200 200 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "disputes:queue": {"in": "L 200 200 200 200 302 200 200 200"},
    "disputes:referral_file": {"in": "L 404 404 404 404 404 404 403 404", "out": "L 404 404 404 404 404 404 404 404"},
    "disputes:track": {"in": "200 200 200 200 200 200 200 200 200", "out": "200 200 200 200 200 200 200 200 200"},
    "disputes:track_lookup": {"in": "200 200 200 200 200 200 200 200 200"},
    "events:act": {"in": "L 302 302 404 302 404 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "events:decide_extension": {"in": "L 302 302 404 302 302 302 302 302", "out": "L 404 404 404 404 404 404 404 302"},
    "events:department": {"in": "L 200 200 200 200 200 200 200 200"},
    "events:detail": {"in": "L 200 200 404 200 404 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "events:hotline": {"in": "L 403 403 403 403 403 200 403 200"},
    "events:iot": {"in": "404 404 404 404 404 404 404 404 404"},
    "events:mine": {"in": "L 200 200 200 200 200 200 200 200"},
    "events:poster": {"in": "L 200 200 404 200 200 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "events:public_report": {"in": "200 200 200 200 200 200 200 200 200", "out": "200 200 200 200 200 200 200 200 200"},
    "events:queue": {"in": "L 200 200 200 200 200 200 200 200"},
    "events:report": {"in": "L 200 200 200 200 200 200 200 200"},
    "events:track": {"in": "200 200 200 200 200 200 200 200 200", "out": "200 200 200 200 200 200 200 200 200"},
    "events:track_lookup": {"in": "200 200 200 200 200 200 200 200 200"},
    "grids:detail": {"in": "L 200 200 404 200 200 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "grids:index": {"in": "L 302 302 302 302 302 302 302 302"},
    "grids:map": {"in": "L 200 200 404 200 200 200 200 200", "out": "L 404 404 404 404 404 404 404 200"},
    "health": {"in": "200 200 200 200 200 200 200 200 200"},
    "metrics": {"in": "200 200 200 200 200 200 200 200 200"},
    "home": {"in": "L 200 200 200 200 200 200 200 200"},
    "javascript-catalog": {"in": "200 200 200 200 200 200 200 200 200"},
    "login": {"in": "200 302 302 302 302 302 302 302 302"},
    # The worker app's manifest and service worker hold no data: the same script for everybody (it caches only the
    # signed-in user's own pages, and drops them at sign-out).
    "manifest": {"in": "200 200 200 200 200 200 200 200 200"},
    "service_worker": {"in": "200 200 200 200 200 200 200 200 200"},
    # Staff land on the admin; a signed-in non-staff user sees the form instead of a redirect loop.
    "admin_login": {"in": "200 200 200 200 200 200 302 302 302"},
    # The second step exists only half-way through a sign-in.
    "login_verify": {"in": "L L L L L L L L L"},
    "password_change": {"in": "L 200 200 200 200 200 200 200 200"},
    "logout": {"in": "L L L L L L L L L"},
    "metrics:efficiency": {"in": "L 403 403 403 403 403 200 200 200"},
    "metrics:export_events": {"in": "L 403 403 403 403 403 200 200 200"},
    # Uploaded files: exactly who may open the case (dispute evidence here, an event's photo for the thumbnail).
    "attachment_file": {"in": "404 404 404 404 404 404 200 200 200", "out": "404 404 404 404 404 404 404 404 200"},
    "attachment_thumb": {"in": "404 200 200 404 200 404 200 200 200", "out": "404 404 404 404 404 404 404 404 200"},
    "metrics:ranking": {"in": "L 403 403 403 403 403 200 200 200"},
    "metrics:report_download": {"in": "L 403 403 403 403 403 404 404 404"},
    "metrics:report_generate": {"in": "L 403 403 403 403 403 404 404 404"},
    "metrics:reports": {"in": "L 403 403 403 403 403 200 200 200"},
    "open311-request": {"in": "200 200 200 200 200 200 200 200 200", "out": "200 200 200 200 200 200 200 200 200"},
    "open311-requests": {"in": "200 200 200 200 200 200 200 200 200"},
    "open311-service": {"in": "200 200 200 200 200 200 200 200 200"},
    "open311-services": {"in": "200 200 200 200 200 200 200 200 200"},
    "set_language": {"in": "302 302 302 302 302 302 302 302 302"},
}
