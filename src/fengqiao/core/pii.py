"""Personal identifiers at rest: encrypted with a rotatable key from the environment, searchable by a keyed hash,
masked.

The algorithms and keys live in :mod:`fengqiao.core.crypto` (SM4-GCM + HMAC-SM3 by default, AES-256-GCM +
HMAC-SHA256 by setting), so the database never holds a plain ID number or phone. ``fengqiao rekey`` re-encrypts
every :class:`EncryptedTextField` under the newest key and recomputes the blind indexes they declare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from fengqiao.core import crypto

TOKEN_PREFIX = crypto.LEGACY_PREFIX  # kept for readers of old backups; see crypto.is_token


def encrypt(value: str) -> str:
    return crypto.encrypt(value)


def decrypt(token: str) -> str:
    return crypto.decrypt(token)


def blind_index(value: str) -> str:
    """Keyed hash of a normalised identifier, for exact-match lookups."""
    return crypto.keyed_index(normalise(value))


def blind_index_many(values: list[str]) -> list[str]:
    """:func:`blind_index` for a batch (bulk imports); the same hashes, several times faster per value."""
    return crypto.keyed_index_many(normalise(v) for v in values)


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


if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    _TextField = models.TextField[str | Combinable, str]
else:  # Django's fields take no type parameters at run time
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """A text column whose value is stored encrypted; Python code sees the plain value.

    ``index_field`` names the sibling column holding this value's blind index, so ``fengqiao rekey`` can recompute
    it when the index key or algorithm changes. It is not part of the schema (left out of migrations).
    """

    def __init__(self, *args: Any, index_field: str = "", **kwargs: Any) -> None:
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        if value == "":
            return ""
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        # Serialized data (backups, fixtures) carries the ciphertext, in either format; never the plain value.
        if crypto.is_token(value):
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
