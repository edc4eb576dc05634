"""The crypto provider: SM4-GCM / AES-256-GCM with self-describing, versioned ciphertexts over a ring of keys."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

from fengqiao.core import crypto, pii

KEY_A = "1:" + "a7Kq9Lm2Xv8Rt4Wz6Yp3Nc5Bd1Fh0Gj"
KEY_B = "2:" + "Zq8Vw3Er6Ty1Ui9Op4As7Df2Gh5Jk0L"


@pytest.fixture
def keys_a(settings):
    settings.FENGQIAO_CRYPTO = "sm"
    settings.FENGQIAO_DATA_KEYS = KEY_A
    settings.FENGQIAO_INDEX_KEY = ""
    return settings


def test_this_openssl_runs_sm4_and_sm3_with_their_standard_vectors():
    """GB/T 32907 (SM4) and GB/T 32905 (SM3) example values: the national algorithms are real, not a fallback."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert set(crypto.algorithms_available()) == {"sm", "aes"}


def test_the_national_provider_writes_sm4_gcm_under_the_newest_key(keys_a):
    token = crypto.encrypt("13812345678")
    assert token.startswith("fq1:sm4gcm:1:")
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"
    assert crypto.encrypt("13812345678") != token  # a fresh nonce each time


def test_the_aes_provider_writes_aes_256_gcm_and_both_read_each_other(keys_a):
    keys_a.FENGQIAO_CRYPTO = "aes"
    aes = crypto.encrypt("41010519900101123X")
    assert aes.startswith("fq1:aes256gcm:1:")
    keys_a.FENGQIAO_CRYPTO = "sm"
    assert crypto.decrypt(aes) == "41010519900101123X"
    sm = crypto.encrypt("41010519900101123X")
    keys_a.FENGQIAO_CRYPTO = "aes"
    assert crypto.decrypt(sm) == "41010519900101123X"


def test_a_fernet_token_written_before_still_decrypts(keys_a):
    secret = KEY_A.split(":", 1)[1]
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"fengqiao-encrypt:" + secret.encode()).digest()))
    old = fernet.encrypt(b"13812345678").decode()
    assert crypto.decrypt(old) == "13812345678"
    field = pii.EncryptedTextField()
    assert field.to_python(old) == "13812345678"  # a backup from before still restores
    assert field.to_python(crypto.encrypt("13812345678")) == "13812345678"
    assert field.to_python("13812345678") == "13812345678"


def test_a_tampered_ciphertext_is_refused(keys_a):
    token = crypto.encrypt("13812345678")
    head, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1
    forged = head + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged)


def test_a_header_moved_to_another_key_or_algorithm_is_refused(keys_a):
    """The header is authenticated: relabelling a value cannot make another key or algorithm open it."""
    keys_a.FENGQIAO_DATA_KEYS = f"{KEY_B},{KEY_A.replace('1:', '9:')},{KEY_A}"
    token = crypto.encrypt("13812345678")  # under key 2
    body = token.split(":", 3)[3]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"fq1:sm4gcm:1:{body}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"fq1:aes256gcm:2:{body}")


def test_the_newest_key_encrypts_and_older_keys_still_decrypt(keys_a):
    under_a = crypto.encrypt("13812345678")
    keys_a.FENGQIAO_DATA_KEYS = f"{KEY_B},{KEY_A}"
    assert crypto.decrypt(under_a) == "13812345678"
    assert not crypto.is_current(under_a)
    under_b = crypto.encrypt("13812345678")
    assert under_b.startswith("fq1:sm4gcm:2:") and crypto.is_current(under_b)


def test_a_value_under_a_key_no_longer_configured_names_the_key_id(keys_a):
    token = crypto.encrypt("13812345678")
    keys_a.FENGQIAO_DATA_KEYS = KEY_B
    with pytest.raises(ValueError, match="key id '1'"):
        crypto.decrypt(token)


def test_a_lone_data_key_is_key_zero(settings):
    settings.FENGQIAO_DATA_KEYS = ""
    settings.FENGQIAO_DATA_KEY = "a-single-key-from-before-" + "x1y2z3w4"
    assert crypto.encrypt("x").startswith("fq1:sm4gcm:0:")


@pytest.mark.parametrize(
    "value", ["nocolon", "1:", ":secret", "bad id:secret", "toolongkeyidentifier1:secret", "1:a,1:b"]
)
def test_an_unclear_key_list_is_refused(settings, value):
    settings.FENGQIAO_DATA_KEYS = value
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_an_unknown_provider_is_refused(settings):
    settings.FENGQIAO_CRYPTO = "des"
    with pytest.raises(ImproperlyConfigured, match="FENGQIAO_CRYPTO"):
        crypto.encrypt("x")


def test_the_blind_index_is_hmac_sm3_and_survives_rotating_the_encryption_key(keys_a):
    index_key = hashes.Hash(hashes.SM3())
    index_key.update(b"fengqiao-index:" + KEY_A.split(":", 1)[1].encode())
    from cryptography.hazmat.primitives import hmac as chmac

    mac = chmac.HMAC(index_key.finalize(), hashes.SM3())
    mac.update(b"13812345678")
    before = pii.blind_index("138 1234 5678")
    assert before == mac.finalize().hex()
    # Rotation with the index key pinned to what the indexes were built with: nothing to re-index.
    keys_a.FENGQIAO_DATA_KEYS = f"{KEY_B},{KEY_A}"
    keys_a.FENGQIAO_INDEX_KEY = KEY_A.split(":", 1)[1]
    assert pii.blind_index("13812345678") == before
    keys_a.FENGQIAO_DATA_KEYS = KEY_B
    assert pii.blind_index("13812345678") == before


def test_the_aes_provider_keeps_the_blind_indexes_of_before(settings):
    """Installations that choose "aes" upgrade without re-indexing: HMAC-SHA256 under the same derived key."""
    settings.FENGQIAO_CRYPTO = "aes"
    settings.FENGQIAO_DATA_KEYS = ""
    settings.FENGQIAO_DATA_KEY = "old-installation-key-" + "k" * 20
    old_key = hashlib.sha256(b"fengqiao-index:" + settings.FENGQIAO_DATA_KEY.encode()).digest()
    assert pii.blind_index("13812345678") == hmac.new(old_key, b"13812345678", hashlib.sha256).hexdigest()


def test_an_api_key_fingerprint_depends_on_no_data_key(keys_a):
    before = crypto.fingerprint("k-" + "r" * 40)
    keys_a.FENGQIAO_DATA_KEYS = KEY_B
    keys_a.FENGQIAO_INDEX_KEY = "another-index-key-" + "i" * 20
    assert crypto.fingerprint("k-" + "r" * 40) == before
    assert before.startswith("sm3:") and len(before) <= 64
    assert len(crypto.fingerprint("k", "aes")) <= 64
