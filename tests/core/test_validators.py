"""One phone rule for the platform: mobiles, and landlines with their area code and an optional extension."""

from __future__ import annotations

import pytest

from fengqiao.core.validators import PhoneError, is_valid_phone, normalise_phone
from fengqiao.disputes.validation import IntakeError
from fengqiao.disputes.validation import clean_phone as clean_party_phone
from fengqiao.events.services import ReportError
from fengqiao.events.services import clean_phone as clean_reporter_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("199 0000 1111", "19900001111"),
    ],
)
def test_a_mobile_is_stored_as_its_eleven_digits(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0371-65551234", "037165551234"),
        ("(0371) 6555 1234", "037165551234"),
        ("037165551234", "037165551234"),
        ("010-12345678", "01012345678"),
        ("0755-1234567", "07551234567"),
        ("010-12345678-123", "01012345678-123"),
        ("010 1234 5678 转 8001", "01012345678-8001"),
        ("0371-65551234 ext. 12", "037165551234-12"),
    ],
)
def test_a_landline_keeps_its_area_code_and_its_extension(typed, stored):
    assert normalise_phone(typed) == stored


def test_nothing_typed_is_no_phone():
    assert normalise_phone("  ") == ""
    assert not is_valid_phone("")


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901",  # no mobile starts 12
        "1380013800",  # ten digits
        "65551234",  # a landline without its area code
        "0371-0555123",  # a local number never starts with the trunk 0
        "0371-65551234-",  # an extension mark with no extension
        "010-12345678-1234567",  # an extension too long to be one
        "13800138000-12",  # mobiles have no extensions
        "phone",
    ],
)
def test_anything_else_is_refused(typed):
    with pytest.raises(PhoneError):
        normalise_phone(typed)
    assert not is_valid_phone(typed)


def test_a_party_and_a_reporter_are_held_to_the_same_rule():
    for typed in ("(0371)65551234", "010-12345678-123", "+86 138-0013-8000"):
        assert clean_party_phone(typed, required=True, who="申请人") == clean_reporter_phone(typed, required=True)


def test_a_bad_party_phone_is_refused_in_chinese_naming_the_party():
    with pytest.raises(IntakeError) as err:
        clean_party_phone("0371-0555123", required=True, who="被申请人")
    assert err.value.code == "bad_phone"
    assert err.value.message == "被申请人的联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。"


def test_a_bad_reporter_phone_is_refused_in_chinese():
    with pytest.raises(ReportError) as err:
        clean_reporter_phone("65551234", required=False)
    assert err.value.code == "bad_phone"
    assert err.value.message == "联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。"


def test_a_missing_phone_is_refused_only_where_it_is_required():
    assert clean_reporter_phone("", required=False) == ""
    with pytest.raises(ReportError) as err:
        clean_reporter_phone("", required=True)
    assert err.value.message == "请填写联系电话，以便反馈处理结果。"
    with pytest.raises(IntakeError) as err:
        clean_party_phone(" ", required=True, who="申请人")
    assert err.value.message == "请填写申请人的联系电话。"
