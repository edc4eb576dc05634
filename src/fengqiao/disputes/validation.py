"""Checks on what people type at intake: ID numbers (GB 11643), credit codes (GB 32100) and phone numbers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.core.errors import CoreErrorCode, DomainError
from fengqiao.core.validators import PhoneError, is_valid_id_number, normalise_phone
from fengqiao.core.validators import id_check_digit as id_check_digit  # the demo and tests make ID numbers with it
from fengqiao.core.validators import is_valid_credit_code as is_valid_credit_code  # moved to core for base data


class IntakeError(DomainError):
    """Input that cannot be accepted as it is."""


def clean_id_number(value: str, *, organisation: bool, who: str) -> str:
    value = "".join((value or "").split()).upper()
    if not value:
        return ""
    if organisation:
        if not is_valid_credit_code(value):
            raise IntakeError(
                _("%(who)s的统一社会信用代码“%(v)s”不正确，请核对 18 位代码。") % {"who": who, "v": value},
                code=CoreErrorCode.BAD_CREDIT_CODE,
            )
    elif not is_valid_id_number(value):
        raise IntakeError(
            _("%(who)s的身份证号码不正确：应为 18 位，出生日期有效，最后一位校验码须正确。") % {"who": who},
            code=CoreErrorCode.BAD_ID_NUMBER,
        )
    return value


def clean_phone(value: str, *, required: bool, who: str) -> str:
    """A party's phone by the platform's one rule (core.validators), refused in words naming the party."""
    try:
        phone = normalise_phone(value)
    except PhoneError:
        raise IntakeError(
            _("%(who)s的联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。") % {"who": who},
            code=CoreErrorCode.BAD_PHONE,
        ) from None
    if not phone and required:
        raise IntakeError(_("请填写%(who)s的联系电话。") % {"who": who}, code=CoreErrorCode.PHONE_REQUIRED)
    return phone
