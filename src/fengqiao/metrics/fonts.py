"""The Chinese font embedded in PDFs: the disputes app's helper when it is installed, else the same search here.

Both honour ``FENGQIAO_CJK_FONT`` (``path`` or ``path#face`` for a .ttc collection) and fall back to Debian's
fonts-noto-cjk. Once a shared helper lands in ``core`` this module should simply re-export it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from fengqiao.core.errors import DomainError

FALLBACK_FONTS: list[tuple[str, int]] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # face 2 of the collection: Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]


class FontMissing(DomainError):
    status = 503


def cjk_font() -> tuple[str, int]:
    """(font file, face index) for Chinese text in PDFs."""
    try:
        from fengqiao.disputes import documents
    except ImportError:
        documents = None  # type: ignore[assignment]
    if documents is not None and hasattr(documents, "cjk_font"):
        shared = documents.cjk_font()
        return str(shared[0]), int(shared[1])
    configured = str(getattr(settings, "FENGQIAO_CJK_FONT", "") or "")
    if configured:
        file, _sep, face = configured.partition("#")
        if Path(file).is_file():
            return file, int(face or 0)
    for path, index in FALLBACK_FONTS:
        if Path(path).is_file():
            return path, index
    raise FontMissing(
        "找不到可嵌入 PDF 的中文字体：请安装 fonts-noto-cjk 或设置 FENGQIAO_CJK_FONT。", code="font_missing"
    )
