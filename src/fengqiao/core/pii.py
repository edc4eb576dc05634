"""Personal identifiers at rest: encrypted with a key from the environment, searchable by a keyed hash, masked.

``FENGQIAO_DATA_KEY`` is stretched into two independent keys: one encrypts (Fernet: AES-128-CBC + HMAC),
one computes the blind index used for exact-match search, so the database never holds a plain ID number or phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    enc = hashlib.sha256(b"fengqiao-encrypt:" + secret.encode()).digest()
    idx = hashlib.sha256(b"fengqiao-index:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), idx


def encrypt(value: str) -> str:
    fernet, _ = _keys(settings.FENGQIAO_DATA_KEY)
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    fernet, _ = _keys(settings.FENGQIAO_DATA_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must fail loudly, not show garbage
        raise ValueError("personal data cannot be decrypted with the configured FENGQIAO_DATA_KEY") from exc


def blind_index(value: str) -> str:
    """Keyed hash of a normalised identifier, for exact-match lookups."""
    _, key = _keys(settings.FENGQIAO_DATA_KEY)
    return hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def mask(value: str) -> str:
    """Show the first and last few characters only: 138****5678, 4101**********123X."""
    value = value or ""
    if len(value) >= 15:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 1:
        return value[0] + "*" * (len(value) - 1)
    return value


TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, base64)


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted; Python code sees the plain value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        # Serialized data (backups, fixtures) carries the ciphertext; never the plain value.
        if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
            return decrypt(value)
        return super().to_python(value)

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return encrypt(str(value)) if value else ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
