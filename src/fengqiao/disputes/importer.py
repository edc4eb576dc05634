"""Importing the roster of mediation organisations and mediators from a spreadsheet (openpyxl).

One row per mediator, headed by: 组织名称, 组织类别, 行业, 服务区域编码, 用户名, 姓名, 手机号, 身份, 擅长类型, 专家.
组织类别 and 行业 take the Chinese labels or the codes; 擅长类型 lists type names or codes separated by "、" or ",".
The whole file is checked first; one bad row refuses the file, naming every bad row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, Role, User
from fengqiao.core import audit, scoping
from fengqiao.core.errors import DomainError
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import DisputeType, Industry, Mediator, Organisation
from fengqiao.disputes.validation import IntakeError, clean_phone
from fengqiao.grids.models import GridNode

HEADERS = ["组织名称", "组织类别", "行业", "服务区域编码", "用户名", "姓名", "手机号", "身份", "擅长类型", "专家"]


@dataclass
class ImportResult:
    organisations: int = 0
    mediators: int = 0
    users: int = 0


def _choice(value: str, choices: Any, *, row: int, label: str) -> str:
    value = (value or "").strip()
    for code, name in choices:
        if value in (code, str(name)):
            return str(code)
    raise IntakeError(
        _("第 %(r)s 行：%(l)s“%(v)s”无效。") % {"r": row, "l": label, "v": value}, code=DisputeErrorCode.BAD_ROW
    )


def import_roster(*, actor: Any, file: Any) -> ImportResult:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(file, read_only=True, data_only=True).active
    except Exception:
        raise IntakeError(_("无法读取该文件，请上传 .xlsx 格式的表格。"), code=DisputeErrorCode.BAD_FILE) from None
    rows = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
    if not rows or [str(c or "").strip() for c in rows[0][: len(HEADERS)]] != HEADERS:
        raise IntakeError(_("表头应为：%(h)s") % {"h": "、".join(HEADERS)}, code=DisputeErrorCode.BAD_HEADER)
    types = {t.code: t for t in DisputeType.objects.all()} | {t.name: t for t in DisputeType.objects.all()}
    errors: list[str] = []
    parsed = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = [str(c).strip() if c is not None else "" for c in (*raw, *[None] * len(HEADERS))][: len(HEADERS)]
        if not any(cells):
            continue
        org_name, kind, industry, node_code, username, name, phone, title, specialties, expert_cell = cells
        try:
            if not org_name or not username or not name:
                raise IntakeError(
                    _("第 %(r)s 行：组织名称、用户名、姓名不能为空。") % {"r": number}, code=DisputeErrorCode.BAD_ROW
                )
            node = GridNode.objects.filter(code=node_code).first()
            if node is None:
                raise IntakeError(
                    _("第 %(r)s 行：服务区域编码“%(c)s”不存在。") % {"r": number, "c": node_code},
                    code=DisputeErrorCode.BAD_ROW,
                )
            if not scoping.covers(actor, node.path):
                raise IntakeError(
                    _("第 %(r)s 行：服务区域不在您的管辖范围内。") % {"r": number}, code=DisputeErrorCode.BAD_ROW
                )
            kind_code = _choice(kind, Organisation.Kind.choices, row=number, label=_("组织类别"))
            industry_code = _choice(industry, Industry.choices, row=number, label=_("行业")) if industry else ""
            wanted = [s for s in re.split(r"[、,，;；\s]+", specialties) if s]
            unknown = [s for s in wanted if s not in types]
            if unknown:
                raise IntakeError(
                    _("第 %(r)s 行：未知的纠纷类型 %(t)s。") % {"r": number, "t": "、".join(unknown)},
                    code=DisputeErrorCode.BAD_ROW,
                )
            phone_clean = clean_phone(phone, required=False, who=name)
        except DomainError as exc:
            errors.append(exc.message)
            continue
        parsed.append(
            (
                org_name,
                kind_code,
                industry_code,
                node,
                username,
                name,
                phone_clean,
                title,
                wanted,
                expert_cell in ("是", "1", "Y", "y", "True"),
            )
        )
    if errors:
        raise IntakeError(_("名册有误，未导入任何数据：") + "；".join(errors[:20]), code=DisputeErrorCode.BAD_ROWS)
    result = ImportResult()
    with transaction.atomic():
        for org_name, kind_code, industry_code, node, username, name, phone, title, wanted, expert in parsed:
            org, created = Organisation.objects.get_or_create(
                node=node, name=org_name, defaults={"kind": kind_code, "industry": industry_code}
            )
            result.organisations += int(created)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=name, phone=phone)
                user.set_unusable_password()  # they set a password through the reset flow
                user.save()
                result.users += 1
            Membership.objects.get_or_create(user=user, node=node, role=Role.MEDIATOR)
            mediator, created = Mediator.objects.get_or_create(
                user=user, organisation=org, defaults={"title": title[:50], "is_expert": expert}
            )
            result.mediators += int(created)
            mediator.specialties.add(*[types[s] for s in wanted])
            audit.record(actor=actor, verb="import_mediator", target=mediator, grid_path=node.path)
    return result
