"""Intake checks: ID numbers (GB 11643 check digit), credit codes, phones; a refused intake writes nothing."""

from __future__ import annotations

import pytest

from fengqiao.disputes import services
from fengqiao.disputes.models import Dispute, Party
from fengqiao.disputes.validation import (
    IntakeError,
    clean_phone,
    id_check_digit,
    is_valid_credit_code,
    is_valid_id_number,
)
from tests.disputes.conftest import file_dispute


def test_a_well_formed_id_number_with_the_right_check_digit_is_accepted():
    assert is_valid_id_number("11010519491231002X")


def test_a_wrong_check_digit_is_refused():
    assert not is_valid_id_number("110105194912310021")


def test_a_lower_case_x_is_read_as_upper_case():
    assert is_valid_id_number("11010519491231002x")


def test_an_impossible_birth_date_is_refused():
    first17 = "41010519900230123"  # 30 February
    assert not is_valid_id_number(first17 + id_check_digit(first17))


def test_fifteen_digit_and_non_digit_numbers_are_refused():
    assert not is_valid_id_number("410105900307123")
    assert not is_valid_id_number("4101051990030712A3")


def test_a_unified_social_credit_code_is_checked():
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")


@pytest.mark.parametrize("phone", ["13800138000", "+86 138-0013-8000", "0371-65551234"])
def test_mobile_and_landline_numbers_are_accepted(phone):
    assert clean_phone(phone, required=True, who="申请人")


@pytest.mark.parametrize("phone", ["12345678901", "1380013800", "phone"])
def test_malformed_phones_are_refused_with_a_message_naming_the_party(phone):
    with pytest.raises(IntakeError) as err:
        clean_phone(phone, required=True, who="被申请人")
    assert "被申请人" in err.value.message


def test_an_intake_with_a_bad_id_number_writes_nothing(tree, types):
    bad = [
        services.PartyData(role=Party.Role.APPLICANT, name="张三", phone="13800138000", id_number="110105194912310021"),
        services.PartyData(role=Party.Role.RESPONDENT, name="李四"),
    ]
    with pytest.raises(IntakeError) as err:
        file_dispute(tree, types, parties=bad)
    assert "申请人的身份证号码不正确" in err.value.message
    assert not Dispute.objects.exists() and not Party.objects.exists()


def test_a_resident_must_leave_a_phone_number(tree, types):
    parties = [
        services.PartyData(role=Party.Role.APPLICANT, name="张三"),
        services.PartyData(role=Party.Role.RESPONDENT, name="李四"),
    ]
    with pytest.raises(IntakeError) as err:
        file_dispute(tree, types, parties=parties)
    assert err.value.code == "phone_required"


def test_a_case_with_many_people_is_flagged_as_a_group_dispute(tree, types, settings):
    settings.FENGQIAO_DISPUTE_GROUP_THRESHOLD = 10
    assert not file_dispute(tree, types, people_involved=9).is_group
    crowd = file_dispute(tree, types, people_involved=10)
    assert crowd.is_group and crowd.risk == "yellow"


def test_personal_data_is_stored_encrypted(dispute):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, id_number FROM disputes_party")
        rows = cursor.fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    assert "张三" not in flat and "13800138000" not in flat
