"""Personal identifiers are encrypted at rest, found by keyed hash and shown masked."""

import pytest
from django.db import connection

from fengqiao.accounts.models import User
from fengqiao.core import pii


def test_masks_keep_only_the_ends():
    assert pii.mask("13812345678") == "138****5678"
    assert pii.mask("41010519900101123X") == "4101**********123X"


@pytest.mark.django_db
def test_a_phone_is_stored_encrypted_and_found_by_its_blind_index():
    user = User.objects.create_user(username="u1", password="x-y-z-12345", phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        raw = cursor.fetchone()[0]
    assert "13812345678" not in raw
    assert User.objects.get(pk=user.pk).phone == "13812345678"
    assert User.objects.get(phone_index=pii.blind_index("138 1234 5678")) == user


def test_a_wrong_key_fails_loudly(settings):
    token = pii.encrypt("13812345678")
    settings.FENGQIAO_DATA_KEY = "another-key"
    with pytest.raises(ValueError, match="FENGQIAO_DATA_KEY"):
        pii.decrypt(token)
