"""The duties of the Personal Information Protection Law (个人信息保护法, PIPL) for the base data.

* :data:`DUTIES` declares, for each personal field the base data keeps, its purpose, legal basis and retention; the
  page "个人信息处理说明" and docs/security.md render it, and a test keeps it equal to the encrypted fields of the
  models, so a new personal field cannot be added without saying why it is kept.
* :func:`export_person` gives one person their record (PIPL art. 45), :func:`erase_person` erases it at their
  request (art. 47); both are the centre's (a dispatcher covering the person), need a reason and are audited.
* :func:`run_retention` is the periodic job that anonymises persons kept only because of a key-person record that
  ended longer ago than its category's retention period (see its docstring for the whole rule).

Erasure is anonymisation, not deletion: the row stays so residences, key-person records and cases that the law
keeps (case files are archives) still add up, but nothing in it identifies the person any more, and it cannot be
undone: the identifiers are overwritten, not hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core import audit, links, pii
from fengqiao.core.actors import Caller
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.people.errors import PeopleErrorCode
from fengqiao.people.models import Credential, KeyPerson, KeyVisit, Person, Rental, Residence, Tenancy
from fengqiao.people.selectors import may_handle_pii

ERASED_NAME = "已删除"  # stored, not translated: the row is data
RETENTION_BATCH = 500


@dataclass(frozen=True)
class Duty:
    """One personal field: what it is for, on what legal basis, and how long it is kept."""

    model: str  # app_label.Model
    field: str
    label: Any
    purpose: Any
    basis: Any
    retention: Any
    protection: Any = None  # None: the default protection, _PROTECTED


_PROTECTED = gettext_lazy("加密存储（SM4-GCM），页面默认脱敏显示，查看完整信息须说明理由并记录")
_BASIS_DUTY = gettext_lazy("履行法定职责（《个人信息保护法》第十三条第一款第三项；《城乡社区网格化服务管理规范》）")
_BASIS_PUBLIC = gettext_lazy("维护公共安全、履行法定职责（《个人信息保护法》第十三条第一款第三项、第五项）")
_WHILE_RESIDENT = gettext_lazy("在本辖区居住、拥有房屋或有未办结案件期间；迁出后随户籍人口信息管理规定归档")
_KEY_RETENTION = gettext_lazy("解除列管后按类别设定的保留期限（默认三年），期满且无其他保存理由的自动匿名化")

DUTIES: tuple[Duty, ...] = (
    Duty(
        "people.Person",
        "name",
        gettext_lazy("姓名"),
        gettext_lazy("识别辖区人口，走访服务时称呼本人"),
        _BASIS_DUTY,
        _WHILE_RESIDENT,
        gettext_lazy("加密存储，页面只显示姓氏"),
    ),
    Duty(
        "people.Person",
        "id_number",
        gettext_lazy("身份证号"),
        gettext_lazy("确认同一人员、避免跨网格重复登记；按身份证号查找（只存密钥哈希索引）"),
        _BASIS_DUTY,
        _WHILE_RESIDENT,
    ),
    Duty(
        "people.Person",
        "phone",
        gettext_lazy("联系电话"),
        gettext_lazy("网格员联系本人、通知服务事项"),
        _BASIS_DUTY,
        _WHILE_RESIDENT,
    ),
    Duty(
        "people.Person",
        "address",
        gettext_lazy("户籍地址"),
        gettext_lazy("区分户籍人口与流动人口"),
        _BASIS_DUTY,
        _WHILE_RESIDENT,
    ),
    Duty(
        "people.Organisation",
        "contact_name",
        gettext_lazy("组织联系人"),
        gettext_lazy("安全检查、通知和应急联络"),
        _BASIS_PUBLIC,
        gettext_lazy("组织在辖区存续期间；更换联系人时覆盖"),
        gettext_lazy("加密存储"),
    ),
    Duty(
        "people.Organisation",
        "contact_phone",
        gettext_lazy("组织联系电话"),
        gettext_lazy("安全检查、通知和应急联络"),
        _BASIS_PUBLIC,
        gettext_lazy("组织在辖区存续期间；更换联系人时覆盖"),
    ),
    Duty(
        "people.KeyPerson",
        "note",
        gettext_lazy("重点人员情况说明"),
        gettext_lazy("重点人员服务管理和走访帮扶（按类别的处理目的）"),
        _BASIS_PUBLIC,
        _KEY_RETENTION,
        gettext_lazy("加密存储，仅有重点人员权限的人员可见"),
    ),
    Duty(
        "people.KeyVisit",
        "note",
        gettext_lazy("走访情况"),
        gettext_lazy("记录走访帮扶的过程和结果"),
        _BASIS_PUBLIC,
        _KEY_RETENTION,
        gettext_lazy("加密存储，仅有重点人员权限的人员可见"),
    ),
)


def protection_of(duty: Duty) -> Any:
    return duty.protection if duty.protection is not None else _PROTECTED


def encrypted_fields() -> set[tuple[str, str]]:
    """Every encrypted personal field of the base data's models: what DUTIES must declare (a test compares)."""
    found = set()
    for model in apps.get_app_config("people").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, pii.EncryptedTextField):
                found.add((model._meta.label, field.name))
    return found


# Export (PIPL art. 45) and erasure (art. 47).


class DutyError(DomainError):
    """A personal-information request that cannot be carried out as asked."""


def _require(actor: Caller, person: Person, reason: str) -> str:
    if not may_handle_pii(actor, person.grid_path):
        raise OutsideJurisdiction(
            _("个人信息的导出和删除由辖区综治中心调度员办理。"), code=PeopleErrorCode.NOT_EDITABLE
        )
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise DutyError(
            _("请写明办理依据，例如“本人书面申请，编号……”（至少 4 个字）。"), code=PeopleErrorCode.REASON_REQUIRED
        )
    return reason[:200]


def _date(value: dt.date | dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def export_person(*, actor: Caller, person: Person, reason: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """个人信息查阅复制: the person's record in full, for them, as JSON-ready data; logged with the reason.

    Key-person records are left out: disclosing them would impede the duty they serve (PIPL art. 18 and 35).
    """
    reason = _require(actor, person, reason)
    now = now or timezone.now()
    residences = person.residences.select_related("room", "room__building").order_by("since", "id")
    data = {
        "exported_at": now.isoformat(),
        "person": {
            "name": person.name,
            "id_number": person.id_number,
            "phone": person.phone,
            "address": person.address,
            "kind": person.get_kind_display(),
            "gender": person.get_gender_display() if person.gender else "",
            "birth_year": person.birth_year,
            "registered_at": _date(person.created_at),
            "grid": person.grid.name,
        },
        "residences": [
            {
                "room": str(r.room),
                "address": r.room.building.address,
                "relation": r.get_relation_display(),
                "since": _date(r.since),
                "until": _date(r.until),
            }
            for r in residences
        ],
        "cases": [c.label for c in links.cases_of_person(person.id_index, actor)],
        "purposes": [
            {"field": str(d.label), "purpose": str(d.purpose), "basis": str(d.basis), "retention": str(d.retention)}
            for d in DUTIES
            if d.model == "people.Person"
        ],
    }
    audit.record(actor=actor, verb="people_exported", target=person, note=reason, data={"reason": reason})
    return data


def _anonymise(person: Person, *, now: dt.datetime) -> None:
    """Overwrite everything that identifies the person; the row and its residences stay, without identity."""
    person.name = ERASED_NAME
    person.id_number = ""
    person.phone = ""
    person.address = ""
    person.gender = ""
    person.birth_year = None
    person.erased_at = now
    person.save()
    records = KeyPerson.objects.filter(person=person)
    records.filter(state="active").update(state="ended", ended_at=now)
    records.update(note="")
    KeyVisit.objects.filter(key_person__person=person).update(note=ERASED_NAME)
    Credential.objects.filter(tenancy__person=person, revoked_at__isnull=True).update(
        revoked_at=now, revoke_reason="erased"
    )
    Tenancy.objects.filter(person=person, state__in=[Tenancy.State.SUBMITTED, Tenancy.State.VERIFIED]).update(
        state=Tenancy.State.ENDED, move_out=timezone.localdate(now)
    )


def erase_person(*, actor: Caller, person: Person, reason: str, now: dt.datetime | None = None) -> Person:
    """删除个人信息 at the person's request: refused while an open case names them; irreversible once done."""
    reason = _require(actor, person, reason)
    now = now or timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at is not None:
            raise DutyError(_("该人员信息已删除，无需重复办理。"), code=PeopleErrorCode.ERASED)
        open_count = links.open_cases(person.id_index)
        if open_count:
            raise DutyError(
                _("该人员仍是 %(n)s 件未办结案件的当事人，案件办结前不能删除，可先限制处理。") % {"n": open_count},
                code=PeopleErrorCode.OPEN_CASE,
            )
        _anonymise(person, now=now)
        audit.record(actor=actor, verb="people_erased", target=person, note=reason, data={"reason": reason})
    return person


# Retention (PIPL art. 19 and 47: delete once the purpose is served).


def retention_due(*, now: dt.datetime | None = None) -> list[Person]:
    """Persons the retention rule anonymises now (at most one batch).

    A person is anonymised when all of these hold:
    * they have key-person records, none active, and every one ended longer ago than its category's
      ``retention_days`` (the purpose they were kept for is served);
    * they live in, rent or own no room any more (no open residence, no open tenancy, no open letting): while they
      do, the grid's base data still needs them;
    * no open case in any registered app (core.links) names them.
    """
    now = now or timezone.now()
    candidates = (
        Person.objects.filter(erased_at__isnull=True, key_records__isnull=False)
        .exclude(key_records__state="active")
        # Exists, not joins: a person with no letting at all must not read as one with an open letting.
        .exclude(Exists(Residence.objects.filter(person=OuterRef("pk"), until__isnull=True)))
        .exclude(Exists(Tenancy.objects.filter(person=OuterRef("pk"), state__in=["submitted", "verified"])))
        .exclude(Exists(Rental.objects.filter(landlord=OuterRef("pk"), ended_at__isnull=True)))
        .distinct()
        .order_by("pk")
    )
    due: list[Person] = []
    for person in candidates.iterator(chunk_size=200):
        records = list(KeyPerson.objects.filter(person=person).select_related("category"))
        if all(
            r.ended_at is not None and r.ended_at + dt.timedelta(days=r.category.retention_days) <= now for r in records
        ) and not links.open_cases(person.id_index):
            due.append(person)
            if len(due) >= RETENTION_BATCH:
                break
    return due


def run_retention(*, now: dt.datetime | None = None) -> int:
    """The periodic job: anonymise the persons :func:`retention_due` names, each audited (no actor: the system)."""
    now = now or timezone.now()
    done = 0
    for person in retention_due(now=now):
        with transaction.atomic():
            locked = Person.objects.select_for_update().filter(pk=person.pk, erased_at__isnull=True).first()
            if locked is None:  # another worker got there first
                continue
            _anonymise(locked, now=now)
            audit.record(actor=None, verb="people_retention_anonymised", target=locked, data={"rule": "key_retention"})
            done += 1
    return done


def residences_without_identity(person: Person) -> int:
    """How many residences an erased person keeps (history without identity), for the erasure receipt."""
    return Residence.objects.filter(person=person).count()
