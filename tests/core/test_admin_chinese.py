"""The admin speaks Chinese: no app, model or page heading left in English, for the superuser or any administrator."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.factories import make_user

# Names that stay as they are in Chinese text: standards, formats and brands.
ALLOWED = {"API", "Open311", "GeoJSON", "JSON", "XLSX", "PDF", "Excel", "SSE", "TOTP", "URL", "HTTP", "HTTPS", "SM4"}
# List columns that hold identifiers as data (a category's code, the path a sign-in came to): not words to translate.
DATA_COLUMNS = {"field-code", "field-path_info", "field-user_agent", "field-key", "field-task_path"}
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]{2,}(?![A-Za-z0-9_])")


class _Text(HTMLParser):
    """Visible text: text nodes outside script and style, plus the titles and labels a screen reader speaks."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._closing: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag in ("script", "style", "template") or (tag in ("td", "th") and classes & DATA_COLUMNS):
            self._hidden += 1
            self._closing.append(tag)
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._closing and self._closing[-1] == tag:
            self._closing.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str, own: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    words = set()
    for part in parser.parts:
        # What django-axes records for a sign-in made without a request path (force_login): a value, not a word.
        for word in WORD.findall(part.replace("<unknown>", "")):
            if word not in ALLOWED and word not in own:
                words.add(word)
    return words


def _pages(client) -> list[str]:
    index = client.get("/admin/")
    assert index.status_code == 200
    pages = ["/admin/"]
    for app in index.context["app_list"]:
        pages.append(app["app_url"])
        pages += [m["admin_url"] for m in app["models"] if m.get("admin_url")]
    return pages


def _walk(client, user) -> dict[str, set[str]]:
    client.force_login(user)
    # The user's own name is theirs to spell; so are the codes of the tree's nodes shown in lists.
    own = {user.username, *user.username.split("_")}
    found = {}
    for url in _pages(client):
        response = client.get(url)
        assert response.status_code == 200, url
        words = english_words(response.content.decode(), own)
        if words:
            found[url] = words
    return found


def test_the_admin_has_no_english_for_the_superuser(client, superuser, tree, catalogue):
    assert _walk(client, superuser) == {}


@pytest.mark.parametrize("role", ["admin", "security_admin", "audit_admin"])
def test_the_admin_has_no_english_for_each_administrator(client, tree, catalogue, role):
    user = make_user(f"x_{role}", password=None, role=role, node=tree["410105"], is_staff=True)
    assert _walk(client, user) == {}
