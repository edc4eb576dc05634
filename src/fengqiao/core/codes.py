"""Tracking codes residents can read out over the phone: a prefix, the date and six unambiguous characters."""

from __future__ import annotations

import secrets

from django.utils import timezone

# Crockford's base32 without I, L, O, U: nothing a resident can misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def tracking_code(prefix: str) -> str:
    """For example ``E261124-7KQ2XD``; 32^6 ≈ 1.07 billion codes per prefix and day, so guessing one is hopeless."""
    stamp = timezone.localdate().strftime("%y%m%d")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{prefix}{stamp}-{tail}"


def normalise(code: str) -> str:
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
