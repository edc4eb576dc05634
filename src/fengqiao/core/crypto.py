"""Cryptography for personal data at rest: one provider chosen by ``FENGQIAO_CRYPTO`` over a ring of rotatable keys.

Providers (GB/T 39786-2021 asks for the national algorithms; AES is kept for installations that cannot use them):

- ``"sm"``: SM4-GCM encrypts, HMAC-SM3 computes blind indexes (the default);
- ``"aes"``: AES-256-GCM encrypts, HMAC-SHA256 computes blind indexes.

A ciphertext names its algorithm and key: ``fq1:sm4gcm:<kid>:<base64url(nonce | ciphertext | tag)>``, the header
being authenticated as associated data. So a value written under any configured key, by either provider, decrypts,
and Fernet tokens written before this format (``gAAAAA…``) still decrypt with the same derivation as then.

Keys come from the environment (docs/decisions/0060-national-cryptography.md):
``FENGQIAO_DATA_KEYS="kid:secret,kid:secret"``, newest first; the newest encrypts, all decrypt. A single
``FENGQIAO_DATA_KEY`` is still accepted and gets the key id ``0``. Blind indexes use ``FENGQIAO_INDEX_KEY`` when set
(else the first data key's secret), so rotating the encryption key does not change what is searched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT = "fq1"
LEGACY_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, base64)
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
NONCE_BYTES = 12
TAG_BYTES = 16
# The built-in keys of a development checkout; production refuses them (core/checks.py).
DEVELOPMENT_DATA_KEY = "development-only-data-key"
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-" + "x" * 20
MIN_SECRET_CHARS = 32


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hmac as chmac

    mac = chmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


@dataclass(frozen=True)
class Provider:
    """An encryption algorithm with the hash that goes with it."""

    name: str
    cipher: str  # the name written into ciphertexts
    key_bytes: int
    hash_name: str
    digest: Callable[[bytes], bytes]
    keyed_digest: Callable[[bytes, bytes], bytes]

    def hkdf_hash(self) -> hashes.HashAlgorithm:
        return hashes.SM3() if self.hash_name == "sm3" else hashes.SHA256()


PROVIDERS: dict[str, Provider] = {
    "sm": Provider(
        name="sm",
        cipher="sm4gcm",
        key_bytes=16,
        hash_name="sm3",
        digest=_sm3,
        keyed_digest=_hmac_sm3,
    ),
    "aes": Provider(
        name="aes",
        cipher="aes256gcm",
        key_bytes=32,
        hash_name="sha256",
        digest=lambda data: hashlib.sha256(data).digest(),
        keyed_digest=lambda key, data: hmac.new(key, data, hashlib.sha256).digest(),
    ),
}
BY_CIPHER = {p.cipher: p for p in PROVIDERS.values()}


@dataclass(frozen=True)
class DataKey:
    kid: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class KeyConfig:
    """What the settings say, normalised; the cache key of :func:`ring`."""

    provider: str
    keys: tuple[DataKey, ...]
    index_secret: str = field(repr=False)


def parse_keys(value: str | Iterable[str]) -> tuple[DataKey, ...]:
    """``"kid:secret,kid:secret"`` (or a list of ``kid:secret``) to keys, newest first; refuses what is unclear."""
    items = value.split(",") if isinstance(value, str) else list(value)
    keys: list[DataKey] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        kid, sep, secret = item.partition(":")
        if not sep or not KID_PATTERN.match(kid) or not secret:
            raise ImproperlyConfigured(
                "FENGQIAO_DATA_KEYS must be comma-separated 'kid:secret' pairs; a key id is 1-16 letters, digits, "
                "'-' or '_'"
            )
        if any(k.kid == kid for k in keys):
            raise ImproperlyConfigured(f"FENGQIAO_DATA_KEYS names key id {kid!r} twice")
        keys.append(DataKey(kid, secret))
    return tuple(keys)


def current_config() -> KeyConfig:
    provider = str(getattr(settings, "FENGQIAO_CRYPTO", "sm") or "sm").strip().lower()
    if provider not in PROVIDERS:
        raise ImproperlyConfigured(f"FENGQIAO_CRYPTO must be one of {sorted(PROVIDERS)}, not {provider!r}")
    keys = parse_keys(getattr(settings, "FENGQIAO_DATA_KEYS", "") or "")
    if not keys:
        keys = (DataKey("0", str(settings.FENGQIAO_DATA_KEY)),)
    index_secret = str(getattr(settings, "FENGQIAO_INDEX_KEY", "") or "") or keys[0].secret
    return KeyConfig(provider, keys, index_secret)


class KeyRing:
    """Derived keys for one configuration. Built once per configuration (see :func:`ring`)."""

    def __init__(self, config: KeyConfig) -> None:
        self.config = config
        self.provider = PROVIDERS[config.provider]
        self.newest = config.keys[0]
        self.by_kid = {k.kid: k for k in config.keys}
        # The same derivation as before versioned ciphertexts, so HMAC-SHA256 indexes stay valid under "aes".
        self.index_key = self.provider.digest(b"fengqiao-index:" + config.index_secret.encode())
        self._derived: dict[tuple[str, str], bytes] = {}

    def key_for(self, cipher: str, kid: str) -> bytes:
        cached = self._derived.get((cipher, kid))
        if cached is not None:
            return cached
        provider = BY_CIPHER[cipher]
        secret = self.by_kid[kid].secret
        derived = HKDF(
            algorithm=provider.hkdf_hash(),
            length=provider.key_bytes,
            salt=None,
            info=f"fengqiao-encrypt:{cipher}".encode(),
        ).derive(secret.encode())
        self._derived[(cipher, kid)] = derived
        return derived

    def header(self) -> str:
        return f"{FORMAT}:{self.provider.cipher}:{self.newest.kid}"

    def legacy_fernets(self) -> list[Fernet]:
        return [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"fengqiao-encrypt:" + k.secret.encode()).digest()))
            for k in self.config.keys
        ]


@lru_cache(maxsize=8)
def _ring(config: KeyConfig) -> KeyRing:
    return KeyRing(config)


def ring() -> KeyRing:
    return _ring(current_config())


def _seal(cipher: str, key: bytes, nonce: bytes, plain: bytes, aad: bytes) -> bytes:
    if cipher == "aes256gcm":
        return AESGCM(key).encrypt(nonce, plain, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == "aes256gcm":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    if len(sealed) < TAG_BYTES:
        raise InvalidTag()
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


def encrypt(value: str) -> str:
    """Encrypt under the newest key with the configured provider."""
    keys = ring()
    header = keys.header()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(
        keys.provider.cipher,
        keys.key_for(keys.provider.cipher, keys.newest.kid),
        nonce,
        value.encode(),
        header.encode(),
    )
    return f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


class DecryptionError(ValueError):
    """A value that none of the configured keys opens: a wrong key must fail loudly, not show garbage."""


def decrypt(token: str) -> str:
    keys = ring()
    if token.startswith(LEGACY_PREFIX):
        for fernet in keys.legacy_fernets():
            try:
                return fernet.decrypt(token.encode()).decode()
            except InvalidToken:
                continue
        raise DecryptionError("personal data cannot be decrypted with the configured FENGQIAO_DATA_KEYS")
    parts = token.split(":", 3)
    if len(parts) != 4 or parts[0] != FORMAT or parts[1] not in BY_CIPHER:
        raise DecryptionError("not a fengqiao ciphertext")
    _, cipher, kid, body = parts
    if kid not in keys.by_kid:
        raise DecryptionError(f"personal data was encrypted under key id {kid!r}, which FENGQIAO_DATA_KEYS lacks")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = _open(
            cipher, keys.key_for(cipher, kid), raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{FORMAT}:{cipher}:{kid}".encode()
        )
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError(
            f"personal data cannot be decrypted with key id {kid!r} of the configured FENGQIAO_DATA_KEYS"
        ) from exc
    return plain.decode()


def is_token(value: Any) -> bool:
    """Whether a stored value is a ciphertext (either format), as backups and fixtures carry them."""
    return isinstance(value, str) and (value.startswith(LEGACY_PREFIX) or value.startswith(FORMAT + ":"))


def is_current(token: str) -> bool:
    """Whether a ciphertext is under the newest key with the configured provider (nothing for ``rekey`` to do)."""
    return token.startswith(ring().header() + ":")


def keyed_index(normalised: str) -> str:
    """HMAC of a normalised identifier under the index key: SM3 or SHA-256 by provider, 64 hex characters."""
    keys = ring()
    return keys.provider.keyed_digest(keys.index_key, normalised.encode()).hex()


def legacy_indexes(normalised: str) -> list[str]:
    """The blind indexes the platform computed before this module, under each configured key: for lazy upgrades."""
    out = []
    for key in ring().config.keys:
        index_key = hashlib.sha256(b"fengqiao-index:" + key.secret.encode()).digest()
        out.append(hmac.new(index_key, normalised.encode(), hashlib.sha256).hexdigest())
    return out


def fingerprint(value: str, provider: str | None = None, *, purpose: str = "api-key") -> str:
    """An unkeyed digest for high-entropy secrets (API keys, receipt secrets): ``sm3:<base64>``; independent of
    every data key, so rotating keys never invalidates one. ``purpose`` keeps the digests of different secrets apart."""
    chosen = PROVIDERS[provider or ring().provider.name]
    digest = chosen.digest(f"fengqiao-{purpose}:".encode() + value.encode())
    return f"{chosen.hash_name}:{base64.b64encode(digest).decode()}"


def fingerprint_matches(stored: str, value: str, *, purpose: str) -> bool:
    """Constant-time check of ``value`` against a stored fingerprint, under the hash the fingerprint names."""
    hash_name = stored.split(":", 1)[0]
    provider = next((p.name for p in PROVIDERS.values() if p.hash_name == hash_name), None)
    if provider is None:
        return False
    return hmac.compare_digest(stored, fingerprint(value, provider, purpose=purpose))


def algorithms_available() -> list[str]:
    """Providers this OpenSSL can run (an OpenSSL built without SM4/SM3 cannot run ``"sm"``)."""
    available = []
    for name, provider in PROVIDERS.items():
        try:
            key = b"\0" * provider.key_bytes
            nonce = b"\0" * NONCE_BYTES
            if _open(provider.cipher, key, nonce, _seal(provider.cipher, key, nonce, b"x", b""), b"") == b"x":
                provider.keyed_digest(b"k", b"x")
                available.append(name)
        except Exception:
            continue
    return available


def encrypt_many(values: Iterable[str]) -> list[str]:
    """:func:`encrypt` for a batch (bulk imports): the same ciphertexts, with the key ring, the derived key and the
    SM4 key schedule set up once instead of per value, and the nonces drawn in one read."""
    plain = [v.encode() for v in values]
    keys = ring()
    header = keys.header()
    aad = header.encode()
    cipher = keys.provider.cipher
    key = keys.key_for(cipher, keys.newest.kid)
    nonces = os.urandom(NONCE_BYTES * len(plain))
    out: list[str] = []
    if cipher == "aes256gcm":
        aead = AESGCM(key)
        for i, data in enumerate(plain):
            nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            sealed = aead.encrypt(nonce, data, aad)
            out.append(f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}")
        return out
    algorithm = algorithms.SM4(key)
    for i, data in enumerate(plain):
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        out.append(f"{header}:{base64.urlsafe_b64encode(nonce + body).decode().rstrip('=')}")
    return out


def keyed_index_many(normalised: Iterable[str]) -> list[str]:
    """:func:`keyed_index` for a batch: the HMAC's keyed state is built once and copied for each value."""
    keys = ring()
    values = [v.encode() for v in normalised]
    if keys.provider.hash_name == "sha256":
        base = hmac.new(keys.index_key, digestmod=hashlib.sha256)
        return [_finish(base.copy(), v) for v in values]
    from cryptography.hazmat.primitives import hmac as chmac

    keyed = chmac.HMAC(keys.index_key, hashes.SM3())
    out = []
    for v in values:
        mac = keyed.copy()
        mac.update(v)
        out.append(mac.finalize().hex())
    return out


def _finish(mac: Any, value: bytes) -> str:
    mac.update(value)
    return str(mac.hexdigest())
