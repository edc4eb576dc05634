"""One ID-number rule (GB 11643) in core, beside the phone rule, for every app that takes ID numbers."""

from __future__ import annotations

import datetime as dt

from fengqiao.core import validators
from fengqiao.disputes import validation


def test_the_check_character_is_computed_by_the_standards_weights():
    assert validators.id_check_digit("11010519491231002") == "X"
    assert validators.is_valid_id_number("11010519491231002X")
    assert validators.is_valid_id_number(" 11010519491231002x ")


def test_a_wrong_check_character_a_false_date_or_a_future_birth_is_refused():
    assert not validators.is_valid_id_number("110105194912310021")
    assert not validators.is_valid_id_number("110105194902300020"[:17] + validators.id_check_digit("11010519490230002"))
    future = f"110105{dt.date.today().year + 1}0101001"
    assert not validators.is_valid_id_number(future + validators.id_check_digit(future))
    assert not validators.is_valid_id_number("12345")


def test_disputes_uses_the_core_rule_not_a_copy():
    assert validation.is_valid_id_number is validators.is_valid_id_number
    assert validation.id_check_digit is validators.id_check_digit
