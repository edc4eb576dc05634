"""Tracking codes residents can read out over the phone: a prefix, the date and six unambiguous characters."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.utils import timezone

# Crockford's base32 without I, L, O, U: nothing a resident can misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def tracking_code(prefix: str) -> str:
    """For example ``E261124-7KQ2XD``; 32^6 ≈ 1.07 billion codes per prefix and day, so guessing one is hopeless."""
    stamp = timezone.localdate().strftime("%y%m%d")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{prefix}{stamp}-{tail}"


def demo_tracking_code(prefix: str, rnd: random.Random, day: dt.date, taken: set[str]) -> str:
    """A repeatable code for generated demo data (seeded ``rnd``), never one already in ``taken`` (which it joins)."""
    while True:
        code = f"{prefix}{day:%y%m%d}-" + "".join(rnd.choice(ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            return code


def normalise(code: str) -> str:
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
