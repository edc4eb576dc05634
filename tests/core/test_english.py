"""English is a working language: both catalogues (django, djangojs) are complete, compiled, and served when chosen."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
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
    # grids/home.py, events/selectors.py and disputes/selectors.py mark strings with ``_l`` (gettext_lazy).
    with translation.override("en"):
        assert translation.gettext("核实立案、分流交办") != "核实立案、分流交办"
        assert translation.gettext("已核实立案") != "已核实立案"
        assert translation.gettext("纠纷已提交") != "纠纷已提交"


def test_a_short_word_with_two_meanings_has_a_translation_for_each():
    """登记 is a button (Register) and a field label (Registered); 办理 a section (Actions) and a deadline; 办结 a
    figure (Closed) and the step a button takes (Close)."""
    with translation.override("en"):
        assert translation.gettext("登记") == "Register"
        assert translation.pgettext("registered at, by", "登记") == "Registered"
        assert translation.gettext("办理") == "Actions"
        assert translation.pgettext("deadline", "办理") == "Handle by"
        assert translation.gettext("办结") == "Closed"
        assert translation.pgettext("action", "办结") == "Close"


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


def test_api_errors_speak_english_when_chosen(client, worker_a):
    _choose_english(client)
    client.force_login(worker_a)
    missing = client.get("/api/v1/dispatch/instructions/999999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Instruction not found.", "code": "not_found"}
    unknown = client.get("/api/v1/disputes/track/D000000-XXXXXX")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Tracking code not found."


def test_api_errors_stay_chinese_by_default(client, worker_a):
    client.force_login(worker_a)
    assert client.get("/api/v1/dispatch/instructions/999999").json()["detail"] == "指令不存在。"


def test_the_monthly_review_is_written_in_the_active_language(tree):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from fengqiao.metrics import reports

    review = reports.monthly_review(node=tree["410105"], month=dt.date(2026, 9, 1))
    with translation.override("en"):
        book = load_workbook(io.BytesIO(reports.review_xlsx(review)))
        assert reports.review_pdf(review).startswith(b"%PDF")
    assert book.sheetnames == ["Overview", "Sub-unit ranking", "Grid honour and warning lists", "Overdue events"]
    overview = [row[0] for row in book["Overview"].iter_rows(values_only=True)]
    assert overview[0].endswith("monthly review, September 2026")
    assert {"Overall score", "Reported events", "Satisfied (4–5 stars)", "Closure rate"} <= set(overview)
    assert book["Sub-unit ranking"]["E1"].value == "Reported"
    chinese = load_workbook(io.BytesIO(reports.review_xlsx(review)))
    assert chinese.sheetnames[0] == "概况" and chinese["概况"]["A1"].value.endswith("2026年9月 月度讲评")


def test_the_javascript_catalogue_translates_the_report_page(client, db):
    _choose_english(client)
    response = client.get("/jsi18n/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert '"\\u5efa\\u8bae\\u5206\\u7c7b\\uff1a": "Suggested category: "' in script  # 建议分类：
    assert "Located: %(lon)s, %(lat)s (accurate to about %(accuracy)s m)" in script
    assert "Suggested category" not in Client().get("/jsi18n/").content.decode()


def test_every_page_loads_the_javascript_catalogue_before_its_scripts(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/events/report/").content.decode()
    catalogue, first_script = page.index('<script src="/jsi18n/">'), page.index("<script src=")
    assert catalogue == first_script < page.index("js/report.js")


def test_the_javascript_catalogue_is_complete_and_compiled():
    po = (MESSAGES / "djangojs.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert not re.search(r'^msgstr(\[\d+\])? ""\n(\n|\Z)', po, flags=re.M)
    msgids = len(re.findall(r"^msgid ", po, flags=re.M)) - 1
    with (MESSAGES / "djangojs.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    assert len({key for key in catalog} - {""}) == msgids, "djangojs.mo is stale: run compilemessages"


def test_the_admin_site_titles_follow_the_language(client, django_user_model):
    # The admin's sign-in is the platform's own page; its titles show once inside.
    client.force_login(django_user_model.objects.create_superuser("root", password="Root-pass-2026"))
    assert "枫桥管理后台" in client.get("/admin/").content.decode()
    _choose_english(client)
    page = client.get("/admin/").content.decode()
    assert "Fengqiao administration" in page and "Fengqiao · Grid Governance Platform" in page
