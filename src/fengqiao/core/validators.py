"""Checks on values every app takes from people: phone numbers and ID numbers, with one rule each for the platform.

A phone is a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (0 and two or three digits, then a
seven- or eight-digit local number) and an optional extension (after ``-``, ``转``, ``#``, ``x`` or ``ext``). Spaces,
dashes, brackets and a ``+86`` prefix are accepted as typed. The apps word the refusal for their own page.
An ID number is a mainland resident identity number (GB 11643-1999); a credit code an organisation's unified social
credit code (GB 32100-2015).
"""

from __future__ import annotations

import datetime as dt
import re

MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_LOCAL = r"[1-9]\d{6,7}"  # local numbers never start with 0 (that is the trunk prefix)
_EXTENSION = r"(?:(?:-|转|#|x|ext\.?)(?P<extension>\d{1,6}))?"
LANDLINE_RE = re.compile(rf"(?P<area>0\d{{2,3}})-?(?P<local>{_LOCAL}){_EXTENSION}", re.I)


class PhoneError(ValueError):
    """Not a mobile number nor a landline with its area code."""


def normalise_phone(value: str) -> str:
    """The phone as stored and searched (digits only; ``-`` before an extension), ``""`` when nothing was typed.

    Raises :class:`PhoneError` for anything else, so each app can say so in its own words.
    """
    phone = re.sub(r"[\s()（）]", "", value or "")
    phone = re.sub(r"^(?:\+|00)86-?", "", phone)
    if not phone:
        return ""
    if MOBILE_RE.fullmatch(phone.replace("-", "")):  # dashes in a mobile only group its digits
        return phone.replace("-", "")
    # A dash after the area code is honoured: "0371-0555123" is not read as 037-10555123.
    landline = LANDLINE_RE.fullmatch(phone)
    if landline is None:
        raise PhoneError(value)
    extension = landline["extension"]
    return landline["area"] + landline["local"] + (f"-{extension}" if extension else "")


def is_valid_phone(value: str) -> bool:
    """True for a mobile or a landline with its area code (an empty value is not a phone)."""
    try:
        return bool(normalise_phone(value))
    except PhoneError:
        return False


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    """A mainland resident ID number (GB 11643-1999): 17 digits, a real birth date, the right check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > dt.date.today():
        return False
    return id_check_digit(value[:17]) == value[17]


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_valid_credit_code(value: str) -> bool:
    """A unified social credit code (GB 32100-2015) of an organisation."""
    value = value.strip().upper()
    if len(value) != 18 or any(c not in CREDIT_ALPHABET for c in value):
        return False
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(value[:17], CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31] == value[17]
