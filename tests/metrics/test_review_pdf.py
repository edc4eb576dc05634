"""The monthly review PDF is readable: every table cell's text stands out from the cell's background (WCAG 2.x
contrast ratio of at least 4.5:1), whatever was drawn before the table (the score bars are green, orange or red)."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from django.utils import timezone

from fengqiao.metrics import reports
from tests.metrics.conftest import GRID_A1, GRID_A2, GRID_B1

RGB = tuple[float, float, float]


def _luminance(rgb: RGB) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _streams(pdf: bytes) -> list[str]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return out


_TOKEN = re.compile(
    r"(?P<rgb>[\d.]+ [\d.]+ [\d.]+) rg"
    r"|(?P<rect>[\d.-]+ [\d.-]+ [\d.-]+ [\d.-]+) re (?P<op>[fB])\b"
    r"|BT (?P<tx>[\d.-]+) (?P<ty>[\d.-]+) Td(?: (?P<text>[\d.]+ [\d.]+ [\d.]+) rg)?"
    r"|(?<![\w/])(?P<save>[qQ])(?![\w/])"
)


def _rgb(text: str) -> RGB:
    r, g, b = (float(v) for v in text.split())
    return r, g, b


def text_on_fills(pdf: bytes) -> list[tuple[RGB, RGB]]:
    """(text colour, background colour) of every piece of text drawn inside a filled rectangle on the pages.

    The PDF fill colour (``rg``) paints both rectangles and glyphs: the colour in force at ``re f``/``re B`` is the
    cell's background, and the colour set after ``BT … Td`` (or else the one in force) is the text's."""
    pairs = []
    for stream in _streams(pdf):
        colour: RGB = (0.0, 0.0, 0.0)
        saved: list[RGB] = []
        fills: list[tuple[float, float, float, float, RGB]] = []
        for m in _TOKEN.finditer(stream):
            if m["save"] == "q":
                saved.append(colour)
            elif m["save"] == "Q":
                colour = saved.pop() if saved else colour
            elif m["rgb"]:
                colour = _rgb(m["rgb"])
            elif m["rect"]:
                x, y, w, h = (float(v) for v in m["rect"].split())
                fills.append((min(x, x + w), min(y, y + h), max(x, x + w), max(y, y + h), colour))
            else:
                tx, ty = float(m["tx"]), float(m["ty"])
                if m["text"]:
                    colour = _rgb(m["text"])
                under = [f for f in fills if f[0] <= tx <= f[2] and f[1] <= ty <= f[3]]
                if under:
                    pairs.append((colour, under[-1][4]))
    return pairs


@pytest.fixture
def mixed_review(tree, make_event, fold):
    """Two streets, one doing well and one badly (its score bar is red), grids on both red and black lists, and
    overdue events."""
    now = timezone.now()
    h = dt.timedelta(hours=1)
    for grid in (GRID_A1, GRID_A2, "410105001001Z01"):
        for _i in range(4):
            make_event(
                grid,
                hours_ago=5,
                state="closed",
                registered_at=now - 4 * h,
                handled_at=now - 3 * h,
                closed_at=now - 2 * h,
                stars=5,
            )
    for _i in range(4):
        make_event(GRID_B1, hours_ago=50, state="registered", registered_at=now - 49 * h, due_at=now - h)
    make_event(
        GRID_B1,
        hours_ago=5,
        state="closed",
        registered_at=now - 4 * h,
        handled_at=now - 3 * h,
        closed_at=now - h,
        stars=1,
    )
    fold()
    return reports.monthly_review(node=tree["410105"], month=timezone.localdate())


def test_the_contrast_helper_agrees_with_wcag():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert contrast((1, 1, 1), (1, 1, 1)) == pytest.approx(1.0)


def test_every_table_cell_of_the_monthly_review_pdf_is_readable(mixed_review):
    assert mixed_review.ranking and mixed_review.overdue
    pairs = text_on_fills(reports.review_pdf(mixed_review))
    assert len(pairs) > 20  # headings and body cells were found
    unreadable = {(t, b) for t, b in pairs if contrast(t, b) < 4.5}
    assert not unreadable, unreadable


def test_the_declared_table_styles_are_readable():
    for name, (text, background) in reports.TABLE_STYLES.items():
        ratio = contrast(tuple(c / 255 for c in text), tuple(c / 255 for c in background))  # type: ignore[arg-type]
        assert ratio >= 4.5, (name, ratio)
