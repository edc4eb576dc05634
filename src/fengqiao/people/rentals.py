"""Rentals and floating population (出租房屋和流动人口, "一进一融一出"): the worker registers a letting, a tenant
registers by the room's QR code, the worker verifies, the estate's gate lets the tenant in with a door credential,
and a credential unused for ``FENGQIAO_CREDENTIAL_IDLE_DAYS`` days is revoked by a nightly job.

Commands (actor first, ``now`` last, one transaction, audited) and the queries the pages and the gate API read.
Secrets are never stored: the tenant's status page is reached by a receipt secret (``core.receipts``) and the door
code by a token; only their digests are kept, so neither a database dump nor a log line opens a door.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import WORKER_ROLES, Role
from fengqiao.core import audit, crypto, receipts, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import CoreErrorCode, DomainError, NotFound, OutsideJurisdiction, WorkflowError
from fengqiao.core.signals import notify
from fengqiao.core.validators import PhoneError, is_valid_id_number, normalise_phone
from fengqiao.grids.models import GridNode
from fengqiao.people import services
from fengqiao.people.errors import PeopleErrorCode
from fengqiao.people.models import Credential, Gate, Passage, Person, Rental, Residence, Room, Tenancy

log = logging.getLogger(__name__)

# Informants are volunteers without a grid of their own: registering lettings and vouching for tenants is the
# grid's own workers' duty.
FIELD_ROLES = frozenset(WORKER_ROLES - {Role.INFORMANT})
TOKEN_PURPOSE = "door-credential"
GATE_KEY_PURPOSE = "api-key"
GATE_KEY_PREFIX = "fqg_"
# A credential verified but not yet collected by the tenant: never the digest of any code (digests name their hash).
PENDING = "pending:"
IDLE_DEFAULT = 15
PURPOSE_TEXT = gettext_lazy(
    "您填写的姓名、身份证号码和联系电话仅用于流动人口居住登记、网格员核验和本小区门禁通行，"
    "由所在街道综治中心按《个人信息保护法》和《居住证暂行条例》保管，不向无关第三方提供；"
    "退租或门禁注销后按规定期限删除。"
)

audit.register_verbs(
    {
        "rental_register": gettext_lazy("登记出租房屋"),
        "rental_end": gettext_lazy("出租房屋停租"),
        "tenant_submit": gettext_lazy("租户扫码登记"),
        "tenant_verify": gettext_lazy("核验租户"),
        "tenant_reject": gettext_lazy("租户登记未通过"),
        "tenant_end": gettext_lazy("租户退租"),
        "credential_issue": gettext_lazy("发放门禁凭证"),
        "credential_claim": gettext_lazy("租户领取门禁码"),
        "credential_revoke": gettext_lazy("注销门禁凭证"),
        "gate_register": gettext_lazy("登记门禁"),
        "gate_key": gettext_lazy("生成门禁接口密钥"),
    }
)


def idle_days() -> int:
    return int(getattr(settings, "FENGQIAO_CREDENTIAL_IDLE_DAYS", IDLE_DEFAULT))


# Who may act: the workers of the grid itself (a membership in a field role whose subtree holds the thing).


def field_paths(actor: Caller) -> list[str]:
    """The subtrees the actor serves in a field role (grid leader, full- or part-time worker)."""
    if not signed_in(actor):
        return []
    return scoping.minimal_paths(m.node.path for m in actor.active_memberships if m.role in FIELD_ROLES)


def serves(actor: Caller, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in field_paths(actor))


def _require_field(actor: Caller, path: str) -> None:
    if not field_paths(actor):
        raise OutsideJurisdiction(
            _("只有本网格的网格长、专职网格员和兼职网格员可以办理。"), code=PeopleErrorCode.NOT_FIELD_WORKER
        )
    if not serves(actor, path):
        raise OutsideJurisdiction()


def _in_field(queryset: QuerySet[Any], actor: Caller, field: str = "grid_path") -> QuerySet[Any]:
    paths = field_paths(actor)
    return queryset.filter(scoping.path_q(paths, field)) if paths else queryset.none()


# Queries.


def rentals_for(*, actor: Caller) -> QuerySet[Rental]:
    """The lettings in the grids the worker serves, open ones first."""
    qs = Rental.objects.select_related("room__building", "landlord", "grid")
    return _in_field(qs, actor).order_by(F("ended_at").desc(nulls_first=True), "-registered_at")


def rental_for(*, actor: Caller, pk: int) -> Rental:
    rental = rentals_for(actor=actor).filter(pk=pk).first()
    if rental is None:
        raise NotFound(_("没有找到这套出租房屋。"))
    return rental


def rooms_for(*, actor: Caller) -> QuerySet[Room]:
    """Rooms a worker may register as let: in the grids they serve, with no open letting."""
    let = Rental.objects.filter(ended_at__isnull=True).values("room_id")
    qs = Room.objects.select_related("building").exclude(pk__in=let)
    return _in_field(qs, actor).order_by("building__name", "unit", "number")


def tenancies_for(*, actor: Caller, states: Sequence[str] = ()) -> QuerySet[Tenancy]:
    qs = Tenancy.objects.select_related("person", "rental__room__building", "grid")
    if states:
        qs = qs.filter(state__in=states)
    return _in_field(qs, actor)


def tenancy_for(*, actor: Caller, pk: int) -> Tenancy:
    """One tenancy of the worker's grids; another grid's (or a forged id) is answered like a missing one."""
    tenancy = tenancies_for(actor=actor).filter(pk=pk).first()
    if tenancy is None:
        raise NotFound(_("没有找到这条租户登记。"))
    return tenancy


def verified_count(rental: Rental) -> int:
    return rental.tenancies.filter(state=Tenancy.State.VERIFIED).count()


def open_rental_of(room_code: str) -> Rental | None:
    return (
        Rental.objects.select_related("room__building", "grid")
        .filter(room__code=room_code, ended_at__isnull=True)
        .first()
    )


def tenancy_for_secret(secret: str) -> Tenancy | None:
    """The tenancy whose status page ``secret`` opens (the caller rate-limits misses with ``core.receipts``)."""
    if not secret or len(secret) > 200:
        return None
    digests = [crypto.fingerprint(_normal(secret), name, purpose="receipt") for name in crypto.PROVIDERS]
    return (
        Tenancy.objects.select_related("rental__room__building", "rental__grid", "person")
        .filter(secret_index__in=digests)
        .first()
    )


def _normal(secret: str) -> str:
    return "".join(secret.split()).lower()


def active_credential(tenancy: Tenancy) -> Credential | None:
    return tenancy.credentials.filter(revoked_at__isnull=True).order_by("-issued_at").first()


# Persons: one row per ID number (found by its keyed hash); a form never learns whether the person existed.


def person_for(*, name: str, id_number: str, phone: str, grid: GridNode, kind: str) -> Person:
    """The person holding ``id_number``, created when new. An existing person's record is not changed from a form
    (it could be anyone typing the number); a missing phone is filled in."""
    person = Person.objects.filter(id_index=_id_index(id_number)).first()
    if person is None:
        gender, birth_year = services.born_of(id_number)
        person = Person(
            name=name, id_number=id_number, phone=phone, grid=grid, kind=kind, gender=gender, birth_year=birth_year
        )
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # the same ID number registered a moment ago: link to that row
            return Person.objects.get(id_index=_id_index(id_number))
    elif phone and not person.phone:
        person.phone = phone
        person.save()
    return person


def _id_index(id_number: str) -> str:
    from fengqiao.core import pii

    return pii.blind_index(id_number)


def clean_person(*, name: str, id_number: str, phone: str, who: str) -> tuple[str, str, str]:
    name = " ".join((name or "").split())
    if not name or len(name) > 50:
        raise DomainError(_("请填写%(who)s的姓名（50 字以内）。") % {"who": who}, code=PeopleErrorCode.NAME_REQUIRED)
    id_number = "".join((id_number or "").split()).upper()
    if not is_valid_id_number(id_number):
        raise DomainError(
            _("%(who)s的身份证号码不正确：应为 18 位，出生日期有效，最后一位校验码须正确。") % {"who": who},
            code=CoreErrorCode.BAD_ID_NUMBER,
        )
    try:
        phone = normalise_phone(phone)
    except PhoneError:
        raise DomainError(
            _("%(who)s的联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。") % {"who": who},
            code=CoreErrorCode.BAD_PHONE,
        ) from None
    if not phone:
        raise DomainError(_("请填写%(who)s的联系电话。") % {"who": who}, code=CoreErrorCode.PHONE_REQUIRED)
    return name, id_number, phone


# Commands.


def register_rental(
    *,
    actor: Caller,
    room: Room,
    landlord_name: str,
    landlord_id_number: str,
    landlord_phone: str,
    max_tenants: int,
    group_link: str = "",
    now: dt.datetime | None = None,
) -> Rental:
    """出租房屋登记: the grid worker registers a letting on the landlord's behalf."""
    now = now or timezone.now()
    _require_field(actor, room.grid_path)
    name, id_number, phone = clean_person(
        name=landlord_name, id_number=landlord_id_number, phone=landlord_phone, who=_("房东")
    )
    group_link = (group_link or "").strip()
    if group_link and not group_link.startswith("https://"):
        raise DomainError(_("微网格群链接须以 https:// 开头。"), code=PeopleErrorCode.BAD_GROUP_LINK)
    if not 1 <= max_tenants <= 50:
        raise DomainError(_("核定居住人数应在 1 到 50 人之间。"))
    with transaction.atomic():
        if Rental.objects.select_for_update().filter(room=room, ended_at__isnull=True).exists():
            raise DomainError(_("这套房屋已登记为出租，请先停租再重新登记。"), code=PeopleErrorCode.ROOM_ALREADY_LET)
        # The worker is trusted with the landlord's record: BASE's command links a known ID number (and records the
        # landlord as the room's owner), exactly as the base-data pages do.
        landlord = services.register_person(
            actor=actor,
            grid=room.grid,
            name=name,
            id_number=id_number,
            phone=phone,
            room=room,
            relation=Residence.Relation.OWNER,
            now=now,
        ).person
        rental = Rental(
            room=room,
            grid=room.grid,
            landlord=landlord,
            max_tenants=max_tenants,
            group_link=group_link[:300],
            registered_at=now,
        )
        rental.save()
        Room.objects.filter(pk=room.pk).update(use=Room.Use.RENTED)
        audit.record(actor=actor, verb="rental_register", target=rental, data={"max_tenants": max_tenants})
    return rental


def end_rental(*, actor: Caller, rental: Rental, now: dt.datetime | None = None) -> Rental:
    """停租: the letting ends; its tenants move out and their credentials stop opening the gate."""
    now = now or timezone.now()
    _require_field(actor, rental.grid_path)
    with transaction.atomic():
        if not Rental.objects.filter(pk=rental.pk, ended_at__isnull=True).update(ended_at=now):
            raise WorkflowError(_("这套房屋已经停租。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
        rental.ended_at = now
        for tenancy in rental.tenancies.filter(state__in=[Tenancy.State.SUBMITTED, Tenancy.State.VERIFIED]):
            _end(actor=actor, tenancy=tenancy, now=now)
        audit.record(actor=actor, verb="rental_end", target=rental)
    return rental


@dataclass(frozen=True)
class TenantForm:
    name: str
    id_number: str
    phone: str
    move_in: dt.date
    consent: bool


def register_tenant(*, room_code: str, data: TenantForm, now: dt.datetime | None = None) -> tuple[Tenancy, str]:
    """流动人口扫码登记: a tenant registers against the room's open letting, with no account. Returns the tenancy
    and the receipt secret of its status page (shown once). The answer is the same whether or not the person was
    known, so the form reveals nobody's presence."""
    now = now or timezone.now()
    if not data.consent:
        raise DomainError(_("请阅读并勾选同意个人信息处理说明后再提交。"), code=PeopleErrorCode.CONSENT_REQUIRED)
    name, id_number, phone = clean_person(name=data.name, id_number=data.id_number, phone=data.phone, who=_("您"))
    today = timezone.localdate(now)
    if not today - dt.timedelta(days=366) <= data.move_in <= today + dt.timedelta(days=31):
        raise DomainError(_("入住日期应在一年以内，最晚不超过一个月后。"), code=PeopleErrorCode.BAD_MOVE_IN)
    secret, digest = receipts.issue()
    with transaction.atomic():
        rental = Rental.objects.select_for_update().filter(room__code=room_code, ended_at__isnull=True).first()
        if rental is None:
            raise DomainError(
                _("这套房屋未登记出租或已停租，无法登记入住，请联系房东或网格员。"),
                code=PeopleErrorCode.ROOM_NOT_RENTED,
            )
        if verified_count(rental) >= rental.max_tenants:
            raise DomainError(
                _("这套房屋的租住人数已达到核定人数，无法继续登记，请联系网格员。"),
                code=PeopleErrorCode.RENTAL_FULL,
            )
        person = person_for(name=name, id_number=id_number, phone=phone, grid=rental.grid, kind=Person.Kind.FLOATING)
        tenancy = Tenancy(
            rental=rental,
            grid=rental.grid,
            person=person,
            move_in=data.move_in,
            submitted_at=now,
            secret_index=digest,
        )
        tenancy.save()
        audit.record(actor=None, verb="tenant_submit", target=tenancy, to_state=Tenancy.State.SUBMITTED)
    transaction.on_commit(lambda: _tell_workers(tenancy))
    return tenancy, secret


def _tell_workers(tenancy: Tenancy) -> None:
    from fengqiao.accounts.models import Membership

    nodes = scoping.ancestor_paths(tenancy.grid_path)
    workers = {
        m.user
        for m in Membership.objects.filter(
            active=True, role__in=[Role.GRID_WORKER, Role.GRID_LEADER], node__path__in=nodes[-2:]
        ).select_related("user")
    }
    if workers:
        notify.send(
            sender=Tenancy,
            recipients=list(workers),
            kind="tenant_submitted",
            title=_("新的租户登记待核验：%(room)s") % {"room": tenancy.rental.room},
            url=reverse("people:tenancy_detail", args=[tenancy.pk]),
            target=tenancy,
        )


def verify_tenancy(*, actor: Caller, tenancy: Tenancy, note: str = "", now: dt.datetime | None = None) -> Credential:
    """核验: the worker vouches for the tenant (having seen the ID card); a door credential is issued, collected by
    the tenant on the status page."""
    now = now or timezone.now()
    _require_field(actor, tenancy.grid_path)
    with transaction.atomic():
        rental = Rental.objects.select_for_update().get(pk=tenancy.rental_id)
        if rental.ended_at is not None:
            raise WorkflowError(_("这套房屋已停租，不能核验租户。"), code=PeopleErrorCode.ROOM_NOT_RENTED)
        if verified_count(rental) >= rental.max_tenants:
            raise WorkflowError(
                _("这套房屋的租住人数已达到核定人数（%(n)s 人）。") % {"n": rental.max_tenants},
                code=PeopleErrorCode.RENTAL_FULL,
            )
        _move(tenancy, Tenancy.State.SUBMITTED, Tenancy.State.VERIFIED, verified_by=actor, verified_at=now)
        Residence.objects.create(
            person_id=tenancy.person_id,
            room_id=rental.room_id,
            relation=Residence.Relation.TENANT,
            since=tenancy.move_in,
        )
        credential = Credential(
            tenancy=tenancy, grid_path=tenancy.grid_path, token_index=PENDING + secrets.token_hex(16), issued_at=now
        )
        credential.save()
        audit.record(
            actor=actor,
            verb="tenant_verify",
            target=tenancy,
            note=note[:200],
            from_state=Tenancy.State.SUBMITTED,
            to_state=Tenancy.State.VERIFIED,
        )
        audit.record(actor=actor, verb="credential_issue", target=credential, grid_path=tenancy.grid_path)
    return credential


def reject_tenancy(*, actor: Caller, tenancy: Tenancy, reason: str, now: dt.datetime | None = None) -> Tenancy:
    """未通过: the worker turns a registration down, saying why (the tenant reads the reason)."""
    _require_field(actor, tenancy.grid_path)
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError(_("请填写未通过的原因，租户会看到它。"), code=CoreErrorCode.NOTE_REQUIRED)
    with transaction.atomic():
        _move(tenancy, Tenancy.State.SUBMITTED, Tenancy.State.REJECTED, reason=reason[:200])
        audit.record(
            actor=actor,
            verb="tenant_reject",
            target=tenancy,
            note=reason[:200],
            from_state=Tenancy.State.SUBMITTED,
            to_state=Tenancy.State.REJECTED,
        )
    return tenancy


def end_tenancy(*, actor: Caller, tenancy: Tenancy, now: dt.datetime | None = None) -> Tenancy:
    """退租: the tenant moves out; the credential is revoked at once."""
    now = now or timezone.now()
    _require_field(actor, tenancy.grid_path)
    with transaction.atomic():
        _end(actor=actor, tenancy=tenancy, now=now)
    return tenancy


def _end(*, actor: Caller, tenancy: Tenancy, now: dt.datetime) -> None:
    before = tenancy.state
    if before not in (Tenancy.State.SUBMITTED, Tenancy.State.VERIFIED):
        raise WorkflowError(_("这条登记已经结束。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
    _move(tenancy, before, Tenancy.State.ENDED, move_out=timezone.localdate(now))
    Residence.objects.filter(
        person_id=tenancy.person_id,
        room_id=tenancy.rental.room_id,
        relation=Residence.Relation.TENANT,
        until__isnull=True,
    ).update(until=timezone.localdate(now))
    revoked = tenancy.credentials.filter(revoked_at__isnull=True)
    if revoked.exists():
        path = tenancy.grid_path
        transaction.on_commit(
            lambda: poke_gates(
                Credential.objects.filter(grid_path=path, revoked_at=now), since=now - dt.timedelta(microseconds=1)
            )
        )
    for credential in revoked:
        Credential.objects.filter(pk=credential.pk).update(revoked_at=now, revoke_reason="ended")
        audit.record(
            actor=actor, verb="credential_revoke", target=credential, note="ended", grid_path=credential.grid_path
        )
    audit.record(actor=actor, verb="tenant_end", target=tenancy, from_state=before, to_state=Tenancy.State.ENDED)


def _move(tenancy: Tenancy, before: str, after: str, **fields: Any) -> None:
    """One conditional UPDATE: a second click, or two workers at once, finds the state already moved."""
    if not Tenancy.objects.filter(pk=tenancy.pk, state=before).update(state=after, **fields):
        raise WorkflowError(_("这条登记的状态已经变化，请刷新后再试。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
    tenancy.state = after
    for name, value in fields.items():
        setattr(tenancy, name, value)


def claim_credential(*, tenancy: Tenancy, now: dt.datetime | None = None) -> str:
    """The tenant (holding the status page's secret, checked by the caller) collects the door code: a new code
    each time, shown once; the previous one stops working. Only the code's digest is kept."""
    with transaction.atomic():
        credential = active_credential(tenancy)
        if credential is None or tenancy.state != Tenancy.State.VERIFIED:
            raise WorkflowError(_("门禁凭证未发放或已注销，请联系网格员。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
        code = new_code()
        Credential.objects.filter(pk=credential.pk).update(token_index=code_digest(code))
        audit.record(actor=None, verb="credential_claim", target=credential, grid_path=credential.grid_path)
    return code


def new_code() -> str:
    """128 random bits as 32 hex digits: long enough that its unkeyed digest needs no key (as ``core.receipts``)."""
    return secrets.token_hex(16)


def code_digest(code: str, provider: str | None = None) -> str:
    return crypto.fingerprint(_normal(code).replace("-", ""), provider, purpose=TOKEN_PURPOSE)


def collected(credential: Credential) -> bool:
    return not credential.token_index.startswith(PENDING)


# Gates.


def register_gate(
    *, actor: Caller, grid: GridNode, name: str, webhook_url: str = "", now: dt.datetime | None = None
) -> tuple[Gate, str]:
    """A gate controller of an estate, at the node whose subtree it guards; returns its API key once. Keys are
    security settings: the security administrator (安全管理员) of the area registers gates, as referring bodies."""
    _require_security_admin(actor, grid.path)
    key = GATE_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        gate = Gate(grid=grid, name=name[:100], webhook_url=webhook_url, key_index=crypto.fingerprint(key))
        gate.save()
        audit.record(actor=actor, verb="gate_register", target=gate)
    return gate, key


def issue_gate_key(*, actor: Caller, gate: Gate) -> str:
    """A new API key for ``gate``, returned once; the old key stops working at once."""
    _require_security_admin(actor, gate.grid_path)
    key = GATE_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        Gate.objects.filter(pk=gate.pk).update(key_index=crypto.fingerprint(key))
        gate.key_index = crypto.fingerprint(key)
        audit.record(actor=actor, verb="gate_key", target=gate)
    return key


def _require_security_admin(actor: Caller, path: str) -> None:
    if not (signed_in(actor) and actor.has_role(Role.SECURITY_ADMIN)):
        raise OutsideJurisdiction(_("门禁及其接口密钥由安全管理员登记和管理。"), code=CoreErrorCode.NOT_PERMITTED)
    scoping.require(actor, path)


def gate_for_key(key: str | None) -> Gate | None:
    if not key or len(key) > 200:
        return None
    digests = [crypto.fingerprint(key, name) for name in crypto.PROVIDERS]
    return Gate.objects.filter(key_index__in=digests, active=True).first()


@dataclass(frozen=True)
class GateAnswer:
    allowed: bool
    credential: int | None = None


def check_passage(*, gate: Gate, code: str, direction: str, now: dt.datetime | None = None) -> GateAnswer:
    """开门: whether ``code`` opens ``gate`` now; an allowed passage is recorded and counts as the credential's last
    use, in one transaction. A code of another estate, revoked, ended or uncollected opens nothing."""
    now = now or timezone.now()
    if direction not in Passage.Direction.values:
        raise DomainError(_("通行方向只能是 in（进）或 out（出）。"))
    code = (code or "").strip()
    if not code or len(code) > 100:
        return GateAnswer(False)
    digests = [code_digest(code, name) for name in crypto.PROVIDERS]
    with transaction.atomic():
        credential = (
            Credential.objects.filter(
                token_index__in=digests,
                revoked_at__isnull=True,
                tenancy__state=Tenancy.State.VERIFIED,
                grid_path__startswith=gate.grid_path,
            )
            .only("pk")
            .first()
        )
        if credential is None:
            return GateAnswer(False)
        stamp = Value(now, output_field=DateTimeField())
        # Conditional on still being live: the revocation job and a passage racing cannot both win.
        if not Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
            last_seen_at=Greatest(Coalesce(F("last_seen_at"), stamp), stamp)
        ):
            return GateAnswer(False)
        Passage.objects.create(credential_id=credential.pk, gate=gate, direction=direction, at=now)
    return GateAnswer(True, credential.pk)


def revocations_for(*, gate: Gate, since: dt.datetime, limit: int = 1000) -> list[Credential]:
    """Credentials of the gate's subtree revoked after ``since`` (oldest first), for a gate caching allow-lists."""
    return list(
        Credential.objects.filter(revoked_at__gt=since, grid_path__startswith=gate.grid_path)
        .order_by("revoked_at", "pk")
        .only("pk", "revoked_at", "revoke_reason")[:limit]
    )


# The nightly revocation (一出): set-based, so half a million tenants take one statement.


def revoke_idle(now: dt.datetime | None = None) -> int:
    """Revoke every live credential with no entry or exit for ``FENGQIAO_CREDENTIAL_IDLE_DAYS`` whole days (counted
    from the last passage, or from issue when there was none): at exactly 15 × 24 h it goes. One UPDATE stamps them
    all with this run's moment; one grouped read of that stamp then gives each worker who verified those tenants one
    message to tell the landlords. No loop over rows: half a million tenants cost two statements."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=idle_days())
    ops = connection.ops
    table = ops.quote_name(Credential._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET revoked_at = %s, revoke_reason = %s "
            "WHERE revoked_at IS NULL AND COALESCE(last_seen_at, issued_at) <= %s",
            [ops.adapt_datetimefield_value(now), "idle", ops.adapt_datetimefield_value(cutoff)],
        )
        count = max(cursor.rowcount, 0)
    if count:
        run = Credential.objects.filter(revoked_at=now, revoke_reason="idle")
        _tell_of_revocations(run)
        poke_gates(run, since=now - dt.timedelta(microseconds=1))
    return count


# Webhooks: a gate with a ``webhook_url`` is poked when credentials of its estate are revoked. The poke carries no
# credential and no authority, only the moment to ask from: the gate then calls ``GET /gate/revocations`` with its
# own key, so a forged poke achieves nothing and a lost one is caught up by the gate's next regular poll.


def poke_gates(revoked: QuerySet[Credential], *, since: dt.datetime) -> int:
    """POST ``{"event": "revocations", "since": …}`` to each gate with a webhook whose subtree holds any of
    ``revoked``; failures are logged, not retried (the gate's poll is the safety net). Returns how many landed."""
    landed = 0
    for gate in Gate.objects.filter(active=True).exclude(webhook_url=""):
        if revoked.filter(grid_path__startswith=gate.grid_path).exists():
            landed += _poke(gate, since)
    return landed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _poke(gate: Gate, since: dt.datetime) -> bool:
    body = json.dumps({"event": "revocations", "since": since.isoformat()}).encode()
    request = urllib.request.Request(
        gate.webhook_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
            return 200 <= response.status < 300
    except Exception:  # the far end's failure never stops the job
        log.warning("gate %s webhook failed", gate.pk, exc_info=True)
        return False


def _tell_of_revocations(run: QuerySet[Credential], shown: int = 10) -> None:
    """One message per worker per run: how many of the tenants they verified lost gate access, in which rooms (the
    first few), and to tell the landlords (the platform has no SMS gateway, and landlords have no account)."""
    from fengqiao.accounts.models import User

    per_worker: dict[int, int] = defaultdict(int)
    room_count: dict[int, int] = defaultdict(int)
    rooms: dict[int, list[int]] = defaultdict(list)
    grouped = run.values_list("tenancy__verified_by_id", "tenancy__rental__room_id").annotate(n=Count("id"))
    for worker_id, room_id, n in grouped.order_by():
        if worker_id:
            per_worker[worker_id] += n
            room_count[worker_id] += 1
            if len(rooms[worker_id]) < shown:
                rooms[worker_id].append(room_id)
    names = {
        room.pk: str(room)
        for room in Room.objects.select_related("building").filter(pk__in=[r for ids in rooms.values() for r in ids])
    }
    users = User.objects.in_bulk(list(per_worker))
    for worker_id, n in per_worker.items():
        user = users.get(worker_id)
        if user is None or not user.is_active:
            continue
        listed = sorted(names[r] for r in rooms[worker_id] if r in names)
        more = "……" if room_count[worker_id] > len(listed) else ""
        notify.send(
            sender=Credential,
            recipients=[user],
            kind="credential_revoked",
            title=_("%(n)s 名租户 %(days)s 天未通行，门禁已自动注销") % {"n": n, "days": idle_days()},
            body=_("涉及房屋：%(rooms)s。请核实是否已搬离，并告知房东。") % {"rooms": "、".join(listed) + more},
            url=reverse("people:tenancy_queue"),
            target=None,
        )
