"""The Chinese font embedded in PDFs (mediation agreements, referral letters, posters, monthly reviews).

``FENGQIAO_CJK_FONT`` names a file (``path``, or ``path#index`` for a face in a .ttc collection); otherwise the first
of the usual Debian fonts that exists is used. Without one, producing a PDF fails with a clear message: a missing
font is a set-up problem, not the user's, hence 503.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from fengqiao.core.errors import CoreErrorCode, DomainError

# (path, face index): Noto Sans CJK's collection holds JP, KR, SC, TC, HK in that order; index 2 is Simplified Chinese.
DEFAULT_FONTS: list[tuple[str, int]] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
]


class FontMissing(DomainError):
    status = 503


def cjk_font() -> tuple[str, int]:
    """The font file (and face in a collection) used for Chinese text in PDFs."""
    configured = str(getattr(settings, "FENGQIAO_CJK_FONT", "") or "")
    if configured:
        name, _sep, face = configured.partition("#")
        if not Path(name).is_file():
            raise FontMissing(
                _("FENGQIAO_CJK_FONT 指定的中文字体文件不存在：%(p)s") % {"p": name}, code=CoreErrorCode.FONT_MISSING
            )
        return name, int(face or 0)
    for path, index in DEFAULT_FONTS:
        if Path(path).is_file():
            return path, index
    raise FontMissing(
        _(
            "找不到可嵌入 PDF 的中文字体。请安装 fonts-noto-cjk（或 fonts-wqy-microhei），"
            "或用环境变量 FENGQIAO_CJK_FONT 指定 TTF/OTF/TTC 字体文件。"
        ),
        code=CoreErrorCode.FONT_MISSING,
    )
