"""English is a working language: the catalogue is complete, compiled, and served when chosen."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

import fengqiao

MESSAGES = Path(fengqiao.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def _choose_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_english_is_offered():
    assert "en" in dict(settings.LANGUAGES)


def test_the_login_page_speaks_english_when_chosen(client, db):
    _choose_english(client)
    page = client.get("/login/").content.decode()
    assert "Sign in" in page
    assert "Username" in page
    assert "登录" not in page
    assert "用户名" not in page


def test_the_login_page_stays_chinese_by_default(client, db):
    page = client.get("/login/").content.decode()
    assert "登录" in page
    assert "Sign in" not in page


def test_the_home_page_shows_the_role_in_english(client, worker_a):
    _choose_english(client)
    client.force_login(worker_a)
    page = client.get("/").content.decode()
    assert "Full-time grid worker" in page
    assert "专职网格员" not in page
    assert "My work" in page


def test_the_language_switch_sets_english(client, worker_a):
    client.force_login(worker_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Full-time grid worker" in client.get("/").content.decode()


def test_lazy_labels_outside_the_default_keywords_are_translated():
    # core/home.py, events/selectors.py and disputes/selectors.py mark strings with ``_l`` (gettext_lazy).
    with translation.override("en"):
        assert translation.gettext("核实立案、分流交办") != "核实立案、分流交办"
        assert translation.gettext("已核实立案") != "已核实立案"
        assert translation.gettext("纠纷已提交") != "纠纷已提交"


def test_every_entry_is_translated_and_compiled():
    po = (MESSAGES / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    # An untranslated entry is a single-line empty msgstr followed by a blank line (or the end of the file);
    # only the header may look like that, and it is followed by its continuation lines instead.
    assert not re.search(r'^msgstr(\[\d+\])? ""\n(\n|\Z)', po, flags=re.M)
    msgids = len(re.findall(r"^msgid ", po, flags=re.M)) - 1  # less the header
    with (MESSAGES / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
    assert len(compiled) == msgids, "django.mo is stale: run compilemessages"
