"""Agreements as PDF (with an embedded Chinese font) and .docx, versioned; the poster PDF; font configuration."""

from __future__ import annotations

import io
import re
import zlib

import pytest

from fengqiao.core import fonts
from fengqiao.disputes import documents, services
from tests.disputes.test_workflow import to_mediating


def pdf_unicode_text(data: bytes) -> set[str]:
    """Characters the PDF's ToUnicode maps declare: what a reader's text extraction can recover."""
    chars: set[str] = set()
    for stream in re.findall(rb"(?<!end)stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            text = stream
        for hexcode in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,8})>", text):
            chars.add(bytes.fromhex(hexcode.decode()).decode("utf-16-be", errors="ignore"))
    return chars


@pytest.fixture
def agreement(dispute, centre_a, mediation):
    m = mediation["neighbour_expert"]
    to_mediating(dispute, centre_a, m)
    return services.draft_agreement(
        actor=m.user,
        dispute=dispute,
        facts="楼上装修噪音",
        terms="李四夜间十点后不施工",
        performance="自签字之日起履行",
    )


def test_the_agreement_pdf_embeds_a_chinese_font_and_names_the_parties(agreement):
    data = documents.agreement_pdf(agreement)
    assert data.startswith(b"%PDF")
    assert b"/FontFile" in data  # the font is embedded, not referenced
    chars = pdf_unicode_text(data)
    assert set("张三李四人民调解协议书") <= chars


def test_the_agreement_docx_names_the_parties(agreement):
    from docx import Document

    doc = Document(io.BytesIO(documents.agreement_docx(agreement)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "人民调解协议书" in text and "张三" in text and "李四" in text and "夜间十点后不施工" in text


def test_each_draft_is_a_new_version(agreement):
    second = services.draft_agreement(
        actor=agreement.created_by, dispute=agreement.dispute, facts="事实", terms="新条款", performance="即日"
    )
    assert (agreement.version, second.version) == (1, 2)


def test_the_poster_pdf_carries_the_qr_code(tree):
    data = documents.poster_pdf(community="甲社区", url="https://example.org/disputes/apply/410105001001/")
    assert data.startswith(b"%PDF") and b"/Subtype /Image" in data


def test_a_configured_font_that_does_not_exist_fails_with_a_clear_message(settings):
    settings.FENGQIAO_CJK_FONT = "/nowhere/font.ttf"
    with pytest.raises(fonts.FontMissing) as err:
        documents.poster_pdf(community="甲社区", url="https://example.org/")
    assert "FENGQIAO_CJK_FONT" in err.value.message


def test_without_any_font_the_message_says_what_to_install(settings, monkeypatch):
    settings.FENGQIAO_CJK_FONT = ""
    monkeypatch.setattr(fonts, "DEFAULT_FONTS", [("/nowhere/a.ttc", 0)])
    with pytest.raises(fonts.FontMissing) as err:
        fonts.cjk_font()
    assert "fonts-noto-cjk" in err.value.message
