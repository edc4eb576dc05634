"""Every page and API endpoint, with how to build its URL inside and outside street A."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.permissions.world import World

UrlFn = Callable[[World, str], str]


def _code(kind: str) -> Callable[[World, str], str]:
    return lambda w, side: w.obj(kind, side).tracking_code


def _pk(kind: str) -> Callable[[World, str], Any]:
    return lambda w, side: w.obj(kind, side).pk


def _grid(w: World, side: str) -> str:
    return w.obj("grid", side).code


def _community(w: World, side: str) -> str:
    return w.obj("community", side).code


@dataclass(frozen=True)
class Endpoint:
    path: str  # with {x} placeholders filled by `params`
    params: dict[str, Callable[[World, str], Any]]
    method: str = "GET"
    json: bool = False

    @property
    def scoped(self) -> bool:
        return bool(self.params)

    def url(self, world: World, side: str) -> str:
        return self.path.format(**{k: f(world, side) for k, f in self.params.items()})


def E(path: str, method: str = "GET", json: bool = False, **params: Callable[[World, str], Any]) -> Endpoint:
    return Endpoint(path=path, params=params, method=method, json=json)


EVENT = _code("event")
DISPUTE = _code("dispute")
INSTRUCTION = _pk("instruction")


def PARTY_TOKEN(w: World, side: str) -> str:
    return w.obj("party_token", side)


# Django URL names -> endpoint. (API operations are keyed "METHOD /api/v1/...".)
PAGES: dict[str, Endpoint] = {
    "home": E("/"),
    "health": E("/healthz"),
    "metrics": E("/metrics"),  # the test client comes from loopback; other addresses need the token
    "login": E("/login/"),
    "admin_login": E("/admin/login/"),
    "login_verify": E("/login/verify/"),
    "password_change": E("/account/password/"),
    "logout": E("/logout/", "POST"),
    "set_language": E("/i18n/setlang/", "POST"),
    "javascript-catalog": E("/jsi18n/"),
    "manifest": E("/manifest.webmanifest"),
    "service_worker": E("/sw.js"),
    "grids:index": E("/grids/"),
    "grids:detail": E("/grids/{g}/", g=_grid),
    "grids:map": E("/grids/{g}/map.json", g=_grid),
    "events:queue": E("/events/"),
    "events:department": E("/events/department/"),
    "events:mine": E("/events/mine/"),
    "events:report": E("/events/report/"),
    "events:hotline": E("/events/hotline/"),
    "events:public_report": E("/events/r/{g}/", g=_grid),
    "events:poster": E("/events/poster/{g}/", g=_grid),
    "events:track_lookup": E("/events/track/"),
    "events:track": E("/events/track/{c}/", c=EVENT),
    "events:iot": E("/events/iot/NOPE/", "POST"),
    "events:decide_extension": E("/events/extensions/{p}/decide/", "POST", p=_pk("extension")),
    "events:detail": E("/events/{c}/", c=EVENT),
    "events:act": E("/events/{c}/act/sign/", "POST", c=EVENT),
    "events:whistle": E("/events/{c}/whistle/", "POST", c=EVENT),
    "events:whistles": E("/events/whistles/"),
    "events:whistle_ranking": E("/events/whistles/ranking/"),
    "events:summons_step": E("/events/summons/{p}/sign/", "POST", p=_pk("summons")),
    "events:spot": E("/events/spot/"),
    "events:spot_checks": E("/events/spot/checks/"),
    "open311-services": E("/open311/v2/services.json"),
    "open311-service": E("/open311/v2/services/0404.json"),
    "open311-requests": E("/open311/v2/requests.json"),
    "open311-request": E("/open311/v2/requests/{c}.json", c=lambda w, side: w.obj("event", side).public_id),
    "disputes:queue": E("/disputes/"),
    "disputes:mine": E("/disputes/mine/"),
    "disputes:new": E("/disputes/new/"),
    "disputes:field_new": E("/disputes/field/new/"),
    "disputes:field_done": E("/disputes/field/done/NOPE/"),
    "disputes:library": E("/disputes/library/"),
    "disputes:figures": E("/disputes/figures/"),
    "disputes:organisations": E("/disputes/organisations/"),
    "disputes:poster": E("/disputes/poster/{g}/", g=_community),
    "disputes:apply": E("/disputes/apply/{g}/", g=_community),
    "disputes:track_lookup": E("/disputes/track/"),
    "disputes:track": E("/disputes/track/{c}/", c=DISPUTE),
    "disputes:detail": E("/disputes/{c}/", c=DISPUTE),
    "disputes:act": E("/disputes/{c}/act/register/", "POST", c=DISPUTE),
    "disputes:route": E("/disputes/{c}/route/take_charge/", "POST", c=DISPUTE),
    "disputes:agreement_file": E("/disputes/{c}/agreements/1.pdf", c=DISPUTE),
    "disputes:agreement_signed": E("/disputes/{c}/agreements/1/signed/", "POST", c=DISPUTE),
    "disputes:referral_file": E("/disputes/{c}/referral.pdf", c=DISPUTE),
    "disputes:feedback_file": E("/disputes/{c}/feedback.pdf", c=DISPUTE),
    "disputes:clear_duplicate": E("/disputes/{c}/duplicate/clear/", "POST", c=DISPUTE),
    "disputes:track_rate": E("/disputes/track/{c}/rate/", "POST", c=DISPUTE),
    "disputes:party_link": E("/disputes/{c}/parties/{p}/link/", "POST", c=DISPUTE, p=_pk("party")),
    "disputes:party_link_revoke": E("/disputes/{c}/parties/{p}/link/revoke/", "POST", c=DISPUTE, p=_pk("party")),
    "disputes:online_schedule": E("/disputes/{c}/online/schedule/", "POST", c=DISPUTE),
    "disputes:online_write_up": E("/disputes/{c}/online/999999/notes/", "POST", c=DISPUTE),
    # The party's pages need no account: the private link's token is the key (wrong tokens are rate limited).
    "disputes:party_home": E("/disputes/p/{t}/", t=PARTY_TOKEN),
    "disputes:party_join": E("/disputes/p/{t}/join/999999/", "POST", t=PARTY_TOKEN),
    "disputes:party_sign": E("/disputes/p/{t}/sign/agreement/1/", "POST", t=PARTY_TOKEN),
    "disputes:party_rate": E("/disputes/p/{t}/rate/", "POST", t=PARTY_TOKEN),
    "dispatch:inbox": E("/dispatch/"),
    "dispatch:stream": E("/dispatch/stream/"),
    "dispatch:send": E("/dispatch/send/"),
    "dispatch:sent": E("/dispatch/sent/"),
    "dispatch:detail": E("/dispatch/i/{p}/", p=INSTRUCTION),
    "dispatch:acknowledge": E("/dispatch/i/{p}/ack/", "POST", p=INSTRUCTION),
    "dispatch:complete": E("/dispatch/i/{p}/complete/", "POST", p=INSTRUCTION),
    "dispatch:track": E("/dispatch/i/{p}/track/", p=INSTRUCTION),
    "dispatch:remind": E("/dispatch/i/{p}/remind/", "POST", p=INSTRUCTION),
    "dispatch:notification": E("/dispatch/n/999999/"),
    "dispatch:read_all": E("/dispatch/n/read-all/", "POST"),
    "dispatch:work": E("/dispatch/work/"),
    "dispatch:patrol_start": E("/dispatch/patrol/start/", "POST"),
    "dispatch:patrol_end": E("/dispatch/patrol/999999/end/", "POST"),
    "dispatch:duty": E("/dispatch/duty/"),
    "people:key_list": E("/people/key/"),
    "people:key_mine": E("/people/key/mine/"),
    "people:key_new": E("/people/key/new/999999/"),
    "people:key_detail": E("/people/key/999999/"),
    "people:key_visit": E("/people/key/999999/visit/", "POST"),
    "people:key_reveal": E("/people/key/999999/reveal/", "POST"),
    "people:key_act": E("/people/key/999999/act/end/", "POST"),
    "dispatch:screening": E("/dispatch/screening/"),
    "dispatch:screenings": E("/dispatch/screenings/"),
    # Base data (人地事物组织): each object lives in street A's grid ("in") or street B's ("out").
    "people:index": E("/people/"),
    "people:find": E("/people/find/", "POST"),
    "people:pii_notice": E("/people/pii/"),
    "people:grid_profile": E("/people/grid/{g}/", g=_grid),
    "people:building_new": E("/people/grid/{g}/buildings/new/", g=_grid),
    "people:place_new": E("/people/grid/{g}/places/new/", g=_grid),
    "people:organisation_new": E("/people/grid/{g}/organisations/new/", g=_grid),
    "people:building": E("/people/buildings/{p}/", p=_pk("building")),
    "people:building_edit": E("/people/buildings/{p}/edit/", p=_pk("building")),
    "people:room_new": E("/people/buildings/{p}/rooms/new/", p=_pk("building")),
    "people:room": E("/people/rooms/{p}/", p=_pk("room")),
    "people:room_edit": E("/people/rooms/{p}/edit/", p=_pk("room")),
    "people:person_new": E("/people/rooms/{p}/persons/new/", p=_pk("room")),
    "people:residence_end": E("/people/residences/{p}/end/", "POST", p=_pk("residence")),
    "people:person": E("/people/persons/{p}/", p=_pk("person")),
    "people:person_edit": E("/people/persons/{p}/edit/", p=_pk("person")),
    "people:person_export": E("/people/persons/{p}/export/", "POST", p=_pk("person")),
    "people:person_erase": E("/people/persons/{p}/erase/", p=_pk("person")),
    "people:place_edit": E("/people/places/{p}/edit/", p=_pk("place")),
    "people:organisation_edit": E("/people/organisations/{p}/edit/", p=_pk("organisation")),
    "people:import": E("/people/import/"),
    "people:import_template": E("/people/import/template/"),
    "people:import_report": E("/people/import/errors/"),
    "people:export": E("/people/export/"),
    "people:export_persons": E("/people/export/download/", "POST"),
    "people:rental_list": E("/people/rentals/"),
    "people:rental_new": E("/people/rentals/new/"),
    "people:rental_card": E("/people/rentals/{p}/card/", p=_pk("rental")),
    "people:rental_end": E("/people/rentals/{p}/end/", "POST", p=_pk("rental")),
    "people:tenancy_queue": E("/people/tenancies/"),
    "people:tenancy_detail": E("/people/tenancies/{p}/", p=_pk("tenancy")),
    "people:tenancy_act": E("/people/tenancies/{p}/verify/", "POST", p=_pk("tenancy")),
    # The tenant's pages need no account: the room's printed code, and the receipt secret for the status page.
    "people:tenant_form": E("/people/q/{r}/", r=lambda w, side: w.obj("let_room", side).code),
    "people:tenant_status": E("/people/tenant/?k={s}", s=lambda w, side: w.obj("tenant_secret", side)),
    "metrics:ranking": E("/metrics/ranking/"),
    "metrics:efficiency": E("/metrics/efficiency/"),
    "metrics:reports": E("/metrics/reports/"),
    "metrics:report_generate": E("/metrics/reports/generate/", "POST"),
    "metrics:report_download": E("/metrics/reports/999999/xlsx/"),
    "metrics:export_events": E("/metrics/export/events.xlsx"),
    "attachment_file": E("/files/{p}/", p=_pk("evidence")),
    "attachment_thumb": E("/files/{p}/thumb/", p=_pk("event_photo")),
    "dashboard:map": E("/dashboard/"),
    "dashboard:bigscreen": E("/dashboard/bigscreen/"),
    "dashboard:feed": E("/dashboard/feed/"),
    "petitions:list": E("/petitions/"),
    "petitions:new": E("/petitions/new/"),
    "petitions:detail": E("/petitions/{c}/", c=_code("petition")),
    "petitions:act": E("/petitions/{c}/act/accept/", "POST", c=_code("petition")),
    "petitions:meetings": E("/petitions/meetings/"),
    "petitions:meeting_new": E("/petitions/meetings/new/"),
    "petitions:meeting_detail": E("/petitions/meetings/{p}/", p=_pk("petition_meeting")),
    "petitions:order_complete": E("/petitions/meetings/orders/{p}/complete/", "POST", p=_pk("petition_order")),
    "petitions:my_cases": E("/petitions/mine/"),
    "petitions:case_new": E("/petitions/cases/new/"),
    "petitions:case_detail": E("/petitions/cases/{p}/", p=_pk("leader_case")),
    "petitions:case_milestone_done": E(
        "/petitions/cases/{p}/milestones/{m}/done/",
        "POST",
        p=_pk("leader_case"),
        m=lambda w, side: w.obj("leader_case", side).milestones.get().pk,
    ),
    "petitions:case_resolve": E("/petitions/cases/{p}/resolve/", "POST", p=_pk("leader_case")),
    "petitions:duty": E("/petitions/duty/"),
    "petitions:supervision": E("/petitions/supervision/"),
    "petitions:supervision_new": E("/petitions/supervision/new/"),
    "petitions:supervision_assessment": E("/petitions/supervision/assessment/"),
    "petitions:supervision_detail": E("/petitions/supervision/{p}/", p=_pk("supervision_order")),
    "petitions:supervision_rectify": E("/petitions/supervision/{p}/rectify/", "POST", p=_pk("supervision_order")),
    "petitions:supervision_outcome": E("/petitions/supervision/{p}/outcome/", "POST", p=_pk("supervision_order")),
    "petitions:risk": E("/petitions/risk/"),
    "petitions:risk_new": E("/petitions/risk/new/"),
    "petitions:risk_detail": E("/petitions/risk/{p}/", p=_pk("risk_assessment")),
    "petitions:risk_act": E("/petitions/risk/{p}/act/assess/", "POST", p=_pk("risk_assessment")),
    "petitions:risk_condition_add": E("/petitions/risk/{p}/conditions/", "POST", p=_pk("risk_assessment")),
    "petitions:risk_condition_done": E(
        "/petitions/risk/{p}/conditions/{c}/done/",
        "POST",
        p=_pk("risk_assessment"),
        c=lambda w, side: w.obj("risk_assessment", side).conditions.first().pk,
    ),
    # Residents' points: the community's QR token and the personal code need no account; the rest is staff's.
    "participation:index": E("/participation/"),
    "participation:register": E("/participation/c/{t}/", t=lambda w, side: w.obj("points_scheme", side).token),
    "participation:ranking": E("/participation/c/{t}/ranking/", t=lambda w, side: w.obj("points_scheme", side).token),
    "participation:me": E("/participation/me/?k={s}", s=lambda w, side: w.obj("points_code", side)),
    "participation:community": E("/participation/{c}/", c=_community),
    "participation:award": E("/participation/{c}/award/", "POST", c=_community),
    "participation:participant": E("/participation/{c}/p/{p}/", c=_community, p=_pk("points_participant")),
    "participation:reissue": E("/participation/{c}/p/{p}/reissue/", "POST", c=_community, p=_pk("points_participant")),
    "participation:reverse": E("/participation/entries/{p}/reverse/", "POST", p=_pk("points_entry")),
    "participation:shop": E("/participation/{c}/shop/", c=_community),
    "participation:manage": E("/participation/{c}/manage/", c=_community),
    "participation:me_task": E("/participation/me/task/", "POST"),
    "participation:tasks": E("/participation/{c}/tasks/", c=_community),
    "participation:task": E("/participation/{c}/tasks/{p}/", c=_community, p=_pk("points_task")),
    "participation:team": E("/participation/{c}/teams/{p}/", c=_community, p=_pk("points_team")),
    "participation:party": E("/participation/{c}/party/", c=_community),
    # Deliberation: the public pages open by the community's QR token (or the personal code); the rest is staff's.
    "deliberation:index": E("/deliberation/"),
    "deliberation:public": E("/deliberation/c/{t}/", t=lambda w, side: w.obj("points_scheme", side).token),
    "deliberation:public_topic": E(
        "/deliberation/c/{t}/t/{c}/",
        t=lambda w, side: w.obj("points_scheme", side).token,
        c=lambda w, side: w.obj("topic", side).code,
    ),
    "deliberation:board": E("/deliberation/c/{t}/board/", t=lambda w, side: w.obj("points_scheme", side).token),
    "deliberation:me": E("/deliberation/me/?k={s}", s=lambda w, side: w.obj("points_code", side)),
    "deliberation:topic": E("/deliberation/t/{c}/", c=lambda w, side: w.obj("topic", side).code),
    "deliberation:community": E("/deliberation/{c}/", c=_community),
    "deliberation:households": E("/deliberation/{c}/households/", c=_community),
    "deliberation:notices": E("/deliberation/{c}/notices/", c=_community),
}

API: dict[str, Endpoint] = {
    "GET /api/v1/accounts/me": E("/api/v1/accounts/me"),
    "GET /api/v1/grids/roots": E("/api/v1/grids/roots"),
    "GET /api/v1/grids/locate": E("/api/v1/grids/locate?lon=113.602&lat=34.708"),
    "GET /api/v1/grids/{code}": E("/api/v1/grids/{g}", g=_grid),
    "GET /api/v1/grids/{code}/children": E("/api/v1/grids/{g}/children", g=_grid),
    "GET /api/v1/grids/{code}/geojson": E("/api/v1/grids/{g}/geojson", g=_grid),
    "GET /api/v1/events/categories": E("/api/v1/events/categories"),
    "POST /api/v1/events/suggest": E("/api/v1/events/suggest", "POST", json=True),
    "POST /api/v1/events": E("/api/v1/events", "POST", json=True),
    "GET /api/v1/events": E("/api/v1/events"),
    "GET /api/v1/events/{code}": E("/api/v1/events/{c}", c=EVENT),
    "GET /api/v1/events/{code}/timeline": E("/api/v1/events/{c}/timeline", c=EVENT),
    "POST /api/v1/events/{code}/actions/{name}": E("/api/v1/events/{c}/actions/sign", "POST", json=True, c=EVENT),
    "GET /api/v1/disputes/": E("/api/v1/disputes/"),
    "GET /api/v1/disputes/track/{code}": E("/api/v1/disputes/track/{c}", c=DISPUTE),
    "GET /api/v1/disputes/{code}": E("/api/v1/disputes/{c}", c=DISPUTE),
    "GET /api/v1/disputes/{code}/suggestions": E("/api/v1/disputes/{c}/suggestions", c=DISPUTE),
    "POST /api/v1/disputes/{code}/assign": E("/api/v1/disputes/{c}/assign", "POST", json=True, c=DISPUTE),
    "POST /api/v1/disputes/{code}/accept": E("/api/v1/disputes/{c}/accept", "POST", json=True, c=DISPUTE),
    "POST /api/v1/disputes/{code}/decline": E("/api/v1/disputes/{c}/decline", "POST", json=True, c=DISPUTE),
    "GET /api/v1/dispatch/inbox": E("/api/v1/dispatch/inbox"),
    "GET /api/v1/dispatch/unread": E("/api/v1/dispatch/unread"),
    "POST /api/v1/dispatch/instructions": E("/api/v1/dispatch/instructions", "POST", json=True),
    "GET /api/v1/dispatch/instructions/{pk}": E("/api/v1/dispatch/instructions/{p}", p=INSTRUCTION),
    "POST /api/v1/dispatch/instructions/{pk}/ack": E(
        "/api/v1/dispatch/instructions/{p}/ack", "POST", json=True, p=INSTRUCTION
    ),
    "POST /api/v1/dispatch/instructions/{pk}/complete": E(
        "/api/v1/dispatch/instructions/{p}/complete", "POST", json=True, p=INSTRUCTION
    ),
    "GET /api/v1/dispatch/instructions/{pk}/tracking": E("/api/v1/dispatch/instructions/{p}/tracking", p=INSTRUCTION),
    "POST /api/v1/dispatch/instructions/{pk}/remind": E(
        "/api/v1/dispatch/instructions/{p}/remind", "POST", json=True, p=INSTRUCTION
    ),
    "GET /api/v1/dispatch/notifications": E("/api/v1/dispatch/notifications"),
    "POST /api/v1/dispatch/notifications/{pk}/read": E("/api/v1/dispatch/notifications/999999/read", "POST", json=True),
    "POST /api/v1/dispatch/patrols": E("/api/v1/dispatch/patrols", "POST", json=True),
    "POST /api/v1/dispatch/patrols/{pk}/points": E("/api/v1/dispatch/patrols/999999/points", "POST", json=True),
    "POST /api/v1/dispatch/patrols/{pk}/end": E("/api/v1/dispatch/patrols/999999/end", "POST", json=True),
    "POST /api/v1/dispatch/visits": E("/api/v1/dispatch/visits", "POST", json=True),
    "POST /api/v1/dispatch/diary": E("/api/v1/dispatch/diary", "POST", json=True),
    "GET /api/v1/metrics/ranking": E("/api/v1/metrics/ranking"),
    "GET /api/v1/dashboard/map": E("/api/v1/dashboard/map"),
    # Machine clients: a referring body's key, a gate's key (none is sent here).
    "POST /api/v1/disputes/handins": E("/api/v1/disputes/handins", "POST", json=True),
    "POST /api/v1/disputes/handins/{source_ref}/confirmation": E(
        "/api/v1/disputes/handins/NOPE/confirmation", "POST", json=True
    ),
    "POST /api/v1/people/gate/check": E("/api/v1/people/gate/check", "POST", json=True),
    "GET /api/v1/people/gate/revocations": E("/api/v1/people/gate/revocations"),
}
