"""Production keys: with DEBUG off the server refuses the built-in development keys and short ones."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.core import checks, crypto

GOOD_SECRET = "x7#Qm!2vLr@9pZk$4tWc^8nYb&1hJd*6sFg(3eUa)5oXi_0yRq+"
GOOD_DATA = "1:Vb3kP9wQ2zL7xR5mN8tY4cH6jD1fG0sA"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_SECRET
    settings.FENGQIAO_DATA_KEYS = GOOD_DATA
    settings.FENGQIAO_INDEX_KEY = ""
    return settings


def ids(messages):
    return sorted(m.id for m in messages)


def test_production_keys_pass(production):
    assert checks.check_keys() == [] and checks.check_crypto() == []


def test_the_built_in_secret_key_is_an_error(production):
    production.SECRET_KEY = crypto.DEVELOPMENT_SECRET_KEY
    assert ids(checks.check_keys()) == ["fengqiao.E001"]


@pytest.mark.parametrize("secret", ["short-but-random-9f8e7d", "a" * 60])
def test_a_short_or_repetitive_secret_key_is_an_error(production, secret):
    production.SECRET_KEY = secret
    assert ids(checks.check_keys()) == ["fengqiao.E001"]


def test_the_built_in_data_key_is_an_error(production):
    production.FENGQIAO_DATA_KEYS = ""
    production.FENGQIAO_DATA_KEY = crypto.DEVELOPMENT_DATA_KEY
    assert ids(checks.check_keys()) == ["fengqiao.E002"]


def test_a_short_older_data_key_is_an_error_too(production):
    production.FENGQIAO_DATA_KEYS = GOOD_DATA + ",0:short-old-key"
    production.FENGQIAO_INDEX_KEY = "Vb3kP9wQ2zL7xR5mN8tY4cH6jD1fG0sA"
    errors = checks.check_keys()
    assert ids(errors) == ["fengqiao.E002"] and "0" in errors[0].msg


def test_a_weak_index_key_is_an_error(production):
    production.FENGQIAO_INDEX_KEY = "index"
    assert ids(checks.check_keys()) == ["fengqiao.E005"]


def test_several_data_keys_without_an_index_key_warn(production):
    production.FENGQIAO_DATA_KEYS = "2:Qw8Er5Ty2Ui9Op6As3Df0Gh7Jk4Lz1Xc," + GOOD_DATA
    assert ids(checks.check_keys()) == ["fengqiao.W001"]


def test_with_debug_on_the_development_keys_are_allowed(production):
    production.DEBUG = True
    production.SECRET_KEY = crypto.DEVELOPMENT_SECRET_KEY
    production.FENGQIAO_DATA_KEYS = ""
    production.FENGQIAO_DATA_KEY = crypto.DEVELOPMENT_DATA_KEY
    assert checks.check_keys() == []


def test_a_malformed_key_list_is_an_error_for_every_command(production):
    production.DEBUG = True
    production.FENGQIAO_DATA_KEYS = "no-key-id"
    assert ids(checks.check_crypto()) == ["fengqiao.E003"]


def test_an_unknown_provider_is_an_error(production):
    production.FENGQIAO_CRYPTO = "rot13"
    assert ids(checks.check_crypto()) == ["fengqiao.E003"]


def test_serve_refuses_to_start_on_the_development_secret_key(production):
    production.SECRET_KEY = crypto.DEVELOPMENT_SECRET_KEY
    with pytest.raises(CommandError, match=r"fengqiao\.E001"):
        call_command("serve", "--quiet")


def test_the_worker_refuses_to_start_on_the_development_data_key(production):
    production.FENGQIAO_DATA_KEYS = ""
    production.FENGQIAO_DATA_KEY = crypto.DEVELOPMENT_DATA_KEY
    with pytest.raises(CommandError, match=r"fengqiao\.E002"):
        call_command("worker", "--once")


def test_the_wsgi_entry_point_refuses_development_keys(production):
    import fengqiao.wsgi

    production.SECRET_KEY = crypto.DEVELOPMENT_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match=r"fengqiao\.E001"):
        importlib.reload(fengqiao.wsgi)
    production.SECRET_KEY = GOOD_SECRET
    importlib.reload(fengqiao.wsgi)  # and starts once the key is fixed


def test_check_deploy_reports_the_built_in_keys_by_id(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
        "FENGQIAO_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    for name in ("SECRET_KEY", "FENGQIAO_DATA_KEY", "FENGQIAO_DATA_KEYS", "FENGQIAO_INDEX_KEY"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "fengqiao", "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "fengqiao.E001" in result.stderr and "fengqiao.E002" in result.stderr
