"""The permission matrix of the Django admin: every registered model admin × every role × list, change (GET and a
real POST body), add (GET and a real POST body) and delete (GET and POST), inside the actor's jurisdiction (street A)
and outside it (street B).

``CAPABILITIES`` says what each role may do with each model's rows in its own jurisdiction: ``v`` view, ``a`` add,
``c`` change, ``d`` delete, ``D`` the delete page opens but deleting is refused (it would cascade into rows nobody
deletes here, such as an instruction's targets), ``-`` nothing. From that the expected answer of every request
follows (:func:`expected`); a row outside the jurisdiction must answer exactly like a missing one. A newly registered
admin fails ``test_every_registered_admin_has_a_row`` until it has a row here.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Role
from tests.factories import make_user
from tests.permissions.admin_forms import form_body
from tests.permissions.world import World, build_world

ROLES = [
    "anonymous",
    "worker",
    "handler",
    "mediator",
    "dispatcher",
    "leader",
    "admin",
    "security_admin",
    "audit_admin",
    "superuser",
]

# What each role may do with a model's rows in its jurisdiction, in the order of ROLES.
# Workers, handlers and mediators are not staff: the admin sends them (and the anonymous) to its sign-in page.
# fmt: off
CAPABILITIES: dict[str, str] = {
    # model                                 anon wrk hnd med disp ldr adm sec  aud su
    "core.Attachment":                     "-    -   -   -   -    -   -   -    -   v",
    "core.RateCounter":                    "-    -   -   -   -    -   -   -    -   v",
    "core.DeadlineWarning":                "-    -   -   -   -    -   -   -    -   v",
    "core.Action":                         "-    -   -   -   -    -   -   -    v   v",
    "core.AuditAnchor":                    "-    -   -   -   -    -   -   -    v   v",
    "accounts.Department":                 "-    -   -   -   v    v   vac v    -   vacd",
    "accounts.Membership":                 "-    -   -   -   v    v   v   vacd -   vacd",
    "accounts.User":                       "-    -   -   -   v    v   vac v    -   vacd",
    "auth.Group":                          "-    -   -   -   -    -   -   -    -   vacd",
    "axes.AccessAttempt":                  "-    -   -   -   -    -   -   v    -   vcd",
    "axes.AccessLog":                      "-    -   -   -   -    -   -   v    -   vcd",
    "axes.AccessFailureLog":               "-    -   -   -   -    -   -   v    -   vcd",
    "django_tasks_database.DBTaskResult":  "-    -   -   -   -    -   -   -    -   v",
    "grids.GridNode":                      "-    -   -   -   v    v   vac v    -   vacd",
    "grids.GridVersion":                   "-    -   -   -   -    -   -   -    -   v",
    "events.Category":                     "-    -   -   -   v    v   vac v    -   vacd",
    "people.KeyCategory":                  "-    -   -   -   v    v   vac v    -   vacd",
    "people.Gate":                         "-    -   -   -   v    v   v   vac  -   vacd",
    "events.Event":                        "-    -   -   -   va   v   -   -    -   vad",
    "events.Supervision":                  "-    -   -   -   -    -   -   -    -   vacd",
    "events.Extension":                    "-    -   -   -   -    -   -   -    -   vacd",
    "events.Device":                       "-    -   -   -   vac  v   -   -    -   vacD",
    "events.DeviceNonce":                  "-    -   -   -   -    -   -   -    -   v",
    "events.Summons":                      "-    -   -   -   -    -   -   -    -   vacd",
    "events.ApiClient":                    "-    -   -   -   -    -   -   vc   -   vacd",
    "disputes.DisputeType":                "-    -   -   -   v    v   vac v    -   vacd",
    "disputes.Organisation":               "-    -   -   -   v    v   vac v    -   vacd",
    "disputes.Mediator":                   "-    -   -   -   v    v   vac v    -   vacd",
    "disputes.CaseStudy":                  "-    -   -   -   -    -   -   -    -   vacd",
    "disputes.Dispute":                    "-    -   -   -   -    -   -   -    -   v",
    "disputes.Party":                      "-    -   -   -   -    -   -   -    -   v",
    "disputes.Session":                    "-    -   -   -   -    -   -   -    -   v",
    "disputes.Update":                     "-    -   -   -   -    -   -   -    -   v",
    "disputes.Agreement":                  "-    -   -   -   -    -   -   -    -   v",
    "disputes.PanelSeat":                  "-    -   -   -   -    -   -   -    -   v",
    "disputes.LeaderNote":                 "-    -   -   -   -    -   -   -    -   v",
    "disputes.PartyLink":                  "-    -   -   -   -    -   -   -    -   v",
    "disputes.Attendance":                 "-    -   -   -   -    -   -   -    -   v",
    "disputes.Signature":                  "-    -   -   -   -    -   -   -    -   v",
    "disputes.Referrer":                   "-    -   -   -   v    v   v   vac  -   vacd",
    "disputes.Feedback":                   "-    -   -   -   -    -   -   -    -   v",
    "dispatch.Instruction":                "-    -   -   -   vc   v   -   -    -   vcD",
    "dispatch.Receipt":                    "-    -   -   -   vac  v   -   -    -   vacd",
    "dispatch.AcknowledgementsDue":        "-    -   -   -   -    -   -   -    -   v",
    "dispatch.Patrol":                     "-    -   -   -   vac  v   -   -    -   vacD",
    "dispatch.Visit":                      "-    -   -   -   vac  v   -   -    -   vacd",
    "dispatch.Diary":                      "-    -   -   -   vac  v   -   -    -   vacd",
    "dispatch.Screening":                  "-    -   -   -   vac  v   -   -    -   vacd",
    "dispatch.DutyRule":                   "-    -   -   -   v    v   vac v    -   vacd",
    "dispatch.Notification":               "-    -   -   -   -    -   -   -    -   v",
    "dispatch.InstructionTarget":          "-    -   -   -   -    -   -   -    -   v",
    "dispatch.PatrolPoint":                "-    -   -   -   -    -   -   -    -   v",
    "metrics.Indicator":                   "-    -   -   -   v    v   vac v    -   vacd",
    "metrics.DailyGridStat":               "-    -   -   -   -    -   -   -    -   v",
    "metrics.PendingDelta":                "-    -   -   -   -    -   -   -    -   v",
    "metrics.MonthlyReport":               "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Topic":                 "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Option":                "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Meeting":               "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Attendance":            "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Binding":               "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Vote":                  "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Progress":              "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Rating":                "-    -   -   -   -    -   -   -    -   v",
    "deliberation.Notice":                "-    -   -   -   -    -   -   -    -   v",
}
# fmt: on
NOT_STAFF = {"anonymous", "worker", "handler", "mediator"}
MISSING_ID = "987654321"
ACTIONS = ["list", "add", "add_post", "change", "change_post", "delete", "delete_post"]
PER_OBJECT = {"change", "change_post", "delete", "delete_post"}


def capabilities(label: str) -> dict[str, str]:
    return dict(zip(ROLES, CAPABILITIES[label].split(), strict=True))


def expected(caps: str, role: str, action: str, side: str) -> str:
    """The answer a role gets: L (sent to sign in), 403, M (answered like a missing row), or the page's status."""
    if role in NOT_STAFF:
        return "L"
    if action == "list":
        return "200" if "v" in caps else "403"
    if action == "add":
        return "200" if "a" in caps else "403"
    if action == "add_post":
        return "ok" if "a" in caps else "403"  # the form answers (re-shown with errors, or saved)
    need = {"change": "v", "change_post": "c", "delete": "d", "delete_post": "d"}[action]
    if "D" in caps and action.startswith("delete"):
        return "200" if action == "delete" else "403"
    if need not in caps:
        return "403"
    if side == "out" and role != "superuser":
        return "M"
    return {"change": "200", "change_post": "302", "delete": "200", "delete_post": "ok"}[action]


# --- the world: one row of every registered model inside street A and, where it has a place, outside it ------------


def _value(field: models.Field[Any, Any], side: str, w: World) -> Any:
    """A valid value for a required field, on the given side of the jurisdiction boundary."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey):
        related = field.remote_field.model
        label = related._meta.label
        if label == "grids.GridNode":
            return w.obj("grid", side)
        by_label = {"events.Event": "event", "disputes.Dispute": "dispute", "dispatch.Instruction": "instruction"}
        if label in by_label:
            return w.obj(by_label[label], side)
        if label == "accounts.User":
            return w.users["worker"] if side == "in" else w.users["out_worker"]
        if label in w.made:
            return w.made[label][side] or w.made[label]["in"]
        return related._default_manager.first()
    if isinstance(field, models.GenericIPAddressField):
        return "192.0.2.1"
    if field.name.endswith("path"):
        return w.obj("grid", side).path
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2026, 11, 1)
    if isinstance(field, (models.IntegerField, models.FloatField, models.DecimalField)):
        return 1
    if isinstance(field, models.BooleanField):
        return False
    return f"x-{side}"


def _make(model: type[models.Model], side: str, w: World) -> models.Model:
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.blank and not isinstance(field, models.ForeignKey):
            continue
        values[field.attname if not isinstance(field, models.ForeignKey) else field.name] = _value(field, side, w)
    return model._default_manager.create(**values)


def _place(model: type[models.Model]) -> str | None:
    admin_class = admin.site._registry[model]
    if model._meta.label == "disputes.Mediator":
        return "organisation__node_path"
    field = getattr(model, "jurisdiction_path_field", None)
    return field if field and hasattr(admin_class, "_in_scope") else None


# Rows that must be built in order (a mediator needs an organisation on each side).
ORDER = ["disputes.Organisation", "dispatch.Patrol"]


def build_admin_world() -> World:
    w = build_world()
    street_a = w.tree["410105001"]
    w.users["superuser"] = w.users["admin"]
    for role, code in (
        ("admin", Role.ADMIN),
        ("security_admin", Role.SECURITY_ADMIN),
        ("audit_admin", Role.AUDIT_ADMIN),
    ):
        w.users[role] = make_user(f"m_{role}", password=None, role=code, node=street_a, is_staff=True)
    w.users["out_worker"] = make_user("p_out_worker", password=None, role=Role.GRID_WORKER, node=w.obj("grid", "out"))
    w.made = {}  # type: ignore[attr-defined]
    a_path, b_path = street_a.path, w.tree["410105002"].path
    labels = sorted(CAPABILITIES, key=lambda label: (label not in ORDER, ORDER.index(label) if label in ORDER else 0))
    for label in labels:
        model = next(m for m in admin.site._registry if m._meta.label == label)
        place = _place(model)
        qs = model._default_manager.all()
        if label == "accounts.User":
            w.made[label] = {"in": w.users["worker"], "out": w.users["out_worker"]}
            continue
        if label == "grids.GridNode":
            # A grid inside the street: the street's own node has its parent outside the street administrators' reach.
            w.made[label] = {"in": w.obj("grid", "in"), "out": w.obj("grid", "out")}
            continue
        if label == "accounts.Membership":
            w.made[label] = {
                "in": w.users["worker"].memberships.get(),
                "out": w.users["out_worker"].memberships.get(),
            }
            continue
        if place:
            inside = qs.filter(**{f"{place}__startswith": a_path}).first() or _make(model, "in", w)
            outside = qs.filter(**{f"{place}__startswith": b_path}).first() or _make(model, "out", w)
            w.made[label] = {"in": inside, "out": outside}
        else:
            w.made[label] = {"in": qs.first() or _make(model, "in", w), "out": None}
    # Both patrols have a track, so deleting either cascades the same way (into rows nobody deletes here).
    point = w.made["dispatch.PatrolPoint"]["in"]
    for patrol in w.made["dispatch.Patrol"].values():
        if not patrol.points.exists():
            type(point).objects.create(patrol=patrol, lon=point.lon, lat=point.lat)
    # Likewise both devices have used a nonce.
    nonce = w.made["events.DeviceNonce"]["in"]
    for device in w.made["events.Device"].values():
        if device.pk != nonce.device_id:
            type(nonce).objects.create(device=device, nonce="n-out")
    return w


World.made = {}  # type: ignore[attr-defined]


# --- observing ------------------------------------------------------------------------------------------------------


def _url(model: type[models.Model], action: str, pk: Any = None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    if action == "list":
        return base
    if action in ("add", "add_post"):
        return f"{base}add/"
    suffix = "change/" if action.startswith("change") else "delete/"
    return f"{base}{pk}/{suffix}"


def _answer(response: Any, pk: Any = None) -> tuple[int, str]:
    """Status and target of an answer; the sign-in page's ``next`` names the row asked for, so that id is blanked."""
    location = response.get("Location", "")
    if pk is not None:
        location = location.replace(f"/{pk}/", "/<id>/")
    return response.status_code, location


def observe(client: Client, model: type[models.Model], action: str, pk: Any, body: dict[str, Any]) -> Any:
    url = _url(model, action, pk)
    if action.endswith("_post"):
        with transaction.atomic():
            response = client.post(url, body if action != "delete_post" else {"post": "yes"})
            transaction.set_rollback(True)
        return response
    return client.get(url)


def token(response: Any, action: str, missing: tuple[int, str] | None, pk: Any = None) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and "/login/" in location:
        return "L"
    if missing is not None and response.status_code == 302 and _answer(response, pk) == missing:
        return "M"
    if action in ("add_post", "delete_post") and response.status_code in (200, 302):
        return "ok"
    return str(response.status_code)


@pytest.fixture
def admin_world(db) -> World:
    return build_admin_world()


def test_every_registered_admin_has_a_row():
    registered = {m._meta.label for m in admin.site._registry}
    assert not registered - set(CAPABILITIES), f"admins without a row: {sorted(registered - set(CAPABILITIES))}"
    assert not set(CAPABILITIES) - registered, f"rows for no admin: {sorted(set(CAPABILITIES) - registered)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_admin_matrix_says(role, admin_world, settings):
    settings.FENGQIAO_RATE_LIMITS = False
    w = admin_world
    root = Client()
    root.force_login(w.users["superuser"])
    client = Client()
    if w.users.get(role) is not None:
        client.force_login(w.users[role])
    wrong: list[str] = []
    leaks: list[str] = []
    for model in admin.site._registry:
        label = model._meta.label
        if label not in CAPABILITIES:
            continue
        caps = capabilities(label)[role]
        objects = w.made[label]  # type: ignore[attr-defined]
        add_body = form_body(root.get(_url(model, "add")).content.decode())
        for action in ACTIONS:
            sides = [s for s in ("in", "out") if objects[s] is not None] if action in PER_OBJECT else ["in"]
            for side in sides:
                pk = objects[side].pk if action in PER_OBJECT else None
                body = add_body
                if action == "change_post":
                    body = form_body(root.get(_url(model, "change", pk)).content.decode())
                response = observe(client, model, action, pk, body)
                missing = None
                if action in PER_OBJECT and side == "out" and role != "superuser":
                    missing_response = observe(client, model, action, MISSING_ID, body)
                    missing = _answer(missing_response, MISSING_ID)
                    if _answer(response, pk) != missing:
                        leaks.append(f"{label} {action}: out {_answer(response, pk)} but missing {missing}")
                got = token(response, action, missing, pk)
                want = expected(caps, role, action, side)
                if got != want:
                    wrong.append(f"{label} {action} ({side}): expected {want}, got {got}")
    assert not leaks, "outside the jurisdiction answered unlike a missing row:\n" + "\n".join(leaks)
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
