"""Key rotation: `fengqiao rekey` moves every encrypted column to the newest key and rebuilds the blind indexes."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from fengqiao.accounts.models import User
from fengqiao.core import pii
from fengqiao.disputes.catalogue import load_catalogue
from fengqiao.disputes.models import DisputeType, Party
from fengqiao.events.models import ApiClient, Event, Source
from fengqiao.events.services import report_event
from tests.disputes.conftest import APPLICANT_ID, RESPONDENT_ID, RESPONDENT_PHONE, file_dispute
from tests.events.conftest import POINT_A

SECRET_A = "a7Kq9Lm2Xv8Rt4Wz6Yp3Nc5Bd1Fh0GjQ"
SECRET_B = "Zq8Vw3Er6Ty1Ui9Op4As7Df2Gh5Jk0Lm"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def rekey(*args: str) -> str:
    out = io.StringIO()
    call_command("rekey", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def under_a(settings, tree, catalogue):
    settings.FENGQIAO_CRYPTO = "sm"
    settings.FENGQIAO_DATA_KEYS = f"a:{SECRET_A}"
    settings.FENGQIAO_INDEX_KEY = ""
    user = User.objects.create_user(username="u1", password=None, phone="13812345678")
    load_catalogue()
    dispute = file_dispute(tree, {t.code: t for t in DisputeType.objects.all()})
    event = report_event(
        actor=None,
        source=Source.HOTLINE,
        description="楼道堆物",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_phone="13700001111",
        hotline_kind="complaint",
    )
    # One phone still as the Fernet token the platform wrote before versioned ciphertexts.
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"fengqiao-encrypt:" + SECRET_A.encode()).digest()))
    other = User.objects.create_user(username="u2", password=None)
    User.objects.filter(pk=other.pk).update(phone="placeholder", phone_index=pii.blind_index("13900002222"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET phone = %s WHERE id = %s", [fernet.encrypt(b"13900002222").decode(), other.pk]
        )
    return settings, user, other, dispute, event


def read_back(user, other, dispute, event):
    parties = {p.role: p for p in Party.objects.filter(dispute=dispute)}
    return (
        User.objects.get(pk=user.pk).phone,
        User.objects.get(pk=other.pk).phone,
        parties["applicant"].name,
        parties["applicant"].id_number,
        parties["respondent"].phone,
        parties["respondent"].id_number,
        Event.objects.get(pk=event.pk).reporter_phone,
    )


def test_rotating_from_key_a_to_key_b_keeps_every_value_and_every_lookup(under_a):
    settings, user, other, dispute, event = under_a
    before = read_back(user, other, dispute, event)
    assert before == (
        "13812345678",
        "13900002222",
        "张三",
        APPLICANT_ID,
        RESPONDENT_PHONE,
        RESPONDENT_ID,
        "13700001111",
    )
    assert raw("accounts_user", "phone", user.pk).startswith("fq1:sm4gcm:a:")

    settings.FENGQIAO_DATA_KEYS = f"b:{SECRET_B},a:{SECRET_A}"
    check = rekey("--check")
    assert "accounts.User: 2 rows" in check and "wait for `fengqiao rekey`" in check
    report = rekey("--batch-size", "1")  # many small transactions, as on a large table
    assert "disputes.Party" in report and "events.Event" in report
    assert "everything is under the newest key" in rekey("--check")

    settings.FENGQIAO_DATA_KEYS = f"b:{SECRET_B}"  # the old key is gone
    assert read_back(user, other, dispute, event) == before
    for table, column, pk in [("accounts_user", "phone", user.pk), ("accounts_user", "phone", other.pk)]:
        assert raw(table, column, pk).startswith("fq1:sm4gcm:b:")
    assert User.objects.get(phone_index=pii.blind_index("138 1234 5678")) == user
    assert User.objects.get(phone_index=pii.blind_index("13900002222")) == other
    assert Party.objects.get(id_index=pii.blind_index(RESPONDENT_ID)).dispute == dispute
    assert Party.objects.get(phone_index=pii.blind_index(RESPONDENT_PHONE)).dispute == dispute
    assert Event.objects.get(reporter_phone_index=pii.blind_index("13700001111")) == event


def test_with_a_pinned_index_key_rotation_needs_no_reindexing(under_a):
    settings, user, *_ = under_a
    rekey()  # the Fernet value moves to key a first
    settings.FENGQIAO_DATA_KEYS = f"b:{SECRET_B},a:{SECRET_A}"
    settings.FENGQIAO_INDEX_KEY = SECRET_A
    assert User.objects.get(phone_index=pii.blind_index("13812345678")) == user  # found before any rekey
    assert ", 0 re-indexed" in rekey().splitlines()[1]


def test_switching_the_provider_to_aes_reencrypts_and_reindexes(under_a):
    settings, user, other, dispute, event = under_a
    before = read_back(user, other, dispute, event)
    settings.FENGQIAO_CRYPTO = "aes"
    rekey()
    assert raw("accounts_user", "phone", user.pk).startswith("fq1:aes256gcm:a:")
    assert read_back(user, other, dispute, event) == before
    assert User.objects.get(phone_index=pii.blind_index("13812345678")) == user


def test_a_value_under_a_missing_key_stops_the_run_with_its_row(under_a):
    settings, *_ = under_a
    settings.FENGQIAO_DATA_KEYS = f"b:{SECRET_B}"
    with pytest.raises(CommandError, match=r"accounts\.User #"):
        rekey()


def test_an_api_client_still_authenticates_after_the_data_key_changes(under_a):
    settings, *_ = under_a
    client = ApiClient(name="郑好办")
    client.set_key("k-" + "7" * 40)
    client.save()
    settings.FENGQIAO_DATA_KEYS = f"b:{SECRET_B}"
    settings.FENGQIAO_INDEX_KEY = "another-index-key-" + "i" * 20
    response = Client().post(
        "/api/v1/events",
        {"description": "路灯不亮", "lon": POINT_A[0], "lat": POINT_A[1]},
        content_type="application/json",
        headers={"X-API-Key": "k-" + "7" * 40},
    )
    assert response.status_code == 201, response.content


def test_an_api_key_hashed_the_old_way_is_upgraded_on_first_use(under_a):
    old = ApiClient.objects.create(name="旧客户端", key_index=pii.crypto.legacy_indexes(pii.normalise("k-old-key"))[0])
    assert ApiClient.for_key("k-old-key") == old
    old.refresh_from_db()
    assert old.key_index.startswith("sm3:")
    assert ApiClient.for_key("k-old-key") == old
    assert ApiClient.for_key("k-OLD-KEY") is None  # the new digest is exact, as a random key should be
