"""System checks for keys and cryptography: production never runs on the built-in development keys.

``check_keys`` is a deployment check (``fengqiao check --deploy``) that ``serve``, ``worker`` and the WSGI/ASGI entry
points also run before they start (:func:`refuse_unsafe_keys`): with ``DEBUG`` off, a development or short key is an
Error there, not a warning. ``check_crypto`` runs for every command: a malformed key list or a provider this OpenSSL
cannot run would otherwise fail on the first personal field read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from fengqiao.core import crypto

TAG = "fengqiao_keys"
MIN_SECRET_KEY_CHARS = 50


def _weak(secret: str, minimum: int, development: str) -> bool:
    return secret == development or len(secret) < minimum or len(set(secret)) < 5


def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    errors: list[checks.CheckMessage] = []
    if _weak(str(settings.SECRET_KEY), MIN_SECRET_KEY_CHARS, crypto.DEVELOPMENT_SECRET_KEY):
        errors.append(
            checks.Error(
                "SECRET_KEY is the built-in development key or shorter than 50 characters.",
                hint="Set SECRET_KEY in the environment to 50+ random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`.",
                id="fengqiao.E001",
            )
        )
    try:
        config = crypto.current_config()
    except ImproperlyConfigured:
        return errors  # check_crypto reports it
    weak = [k.kid for k in config.keys if _weak(k.secret, crypto.MIN_SECRET_CHARS, crypto.DEVELOPMENT_DATA_KEY)]
    if weak:
        errors.append(
            checks.Error(
                f"The data key(s) {', '.join(weak)} are the built-in development key or shorter than "
                f"{crypto.MIN_SECRET_CHARS} characters.",
                hint="Set FENGQIAO_DATA_KEYS='1:<secret>' (or FENGQIAO_DATA_KEY) to 32+ random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`; keep it apart from the backups.",
                id="fengqiao.E002",
            )
        )
    index_key = str(getattr(settings, "FENGQIAO_INDEX_KEY", "") or "")
    if index_key and _weak(index_key, crypto.MIN_SECRET_CHARS, crypto.DEVELOPMENT_DATA_KEY):
        errors.append(
            checks.Error(
                f"FENGQIAO_INDEX_KEY is the built-in development key or shorter than {crypto.MIN_SECRET_CHARS} "
                "characters.",
                hint="Keep the index key you have (changing it needs `fengqiao rekey`), or set 32+ random characters.",
                id="fengqiao.E005",
            )
        )
    if len(config.keys) > 1 and not index_key:
        errors.append(
            checks.Warning(
                "Several data keys are configured but no FENGQIAO_INDEX_KEY: the blind indexes follow the newest "
                "data key, so searches by phone or ID number miss rows until `fengqiao rekey` has run.",
                hint="Set FENGQIAO_INDEX_KEY to the secret the indexes were built with (the older data key's).",
                id="fengqiao.W001",
            )
        )
    return errors


def check_crypto(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        config = crypto.current_config()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="fengqiao.E003")]
    if config.provider not in crypto.algorithms_available():
        return [
            checks.Error(
                f"FENGQIAO_CRYPTO={config.provider!r} is not supported by this OpenSSL.",
                hint="Install an OpenSSL with SM4 and SM3 (OpenSSL 3 has them), or set FENGQIAO_CRYPTO=aes.",
                id="fengqiao.E004",
            )
        ]
    return []


def register() -> None:
    checks.register(check_crypto, TAG)
    checks.register(check_keys, TAG, deploy=True)


def refuse_unsafe_keys() -> None:
    """Raise before a server starts on development keys or a broken key configuration (DEBUG off)."""
    messages = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    errors = [m for m in messages if m.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "refusing to start: " + "; ".join(f"{m.id}: {m.msg} {m.hint or ''}".strip() for m in errors)
        )
