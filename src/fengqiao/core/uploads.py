"""Uploaded images: checked by content (never by name), size-limited, EXIF location read, EXIF stripped, thumbnailed.

Events and disputes attach files through :func:`check_image`; the stored copy is a fresh encoding of the pixels,
so metadata (camera serial numbers, owner names, GPS) never reaches the disk unless we chose to keep it.
Only the JPEG, PNG and WebP decoders are ever run, and an image is refused by the pixel count in its header before
any pixel is decoded, so a small file that would inflate to gigabytes (a decompression bomb) costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from fengqiao.core.errors import CoreErrorCode, DomainError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Image.open tries every registered decoder (TIFF, PSD, EPS ...) unless told which: each is attack surface.
DECODERS = tuple(ALLOWED_FORMATS)
THUMBNAIL_SIZE = (320, 320)


def limit_text() -> str:
    """The size limit as stated beside every file field, read from the setting :func:`check_image` enforces."""
    megabytes = int(settings.FENGQIAO_MAX_UPLOAD_BYTES) / (1024 * 1024)
    return _("单个文件不超过 %(mb)s MB。") % {"mb": f"{megabytes:g}"}


# Formats we refuse, named from their first bytes (never decoded) so the message says what the file is.
REFUSED_SIGNATURES = (
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"%PDF", "PDF"),
    (b"%!PS", "EPS"),
)


def _refused_format(data: bytes) -> str:
    head = data[:512].lstrip()
    for signature, name in REFUSED_SIGNATURES:
        if data.startswith(signature):
            return name
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "HEIC/AVIF"
    if head[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in head.lower():
        return "SVG"
    return ""


def max_pixels() -> int:
    return int(getattr(settings, "FENGQIAO_UPLOAD_MAX_PIXELS", 40_000_000))


# Pillow only warns between MAX_IMAGE_PIXELS and twice that, and decodes anyway: make its limit ours and the warning
# an error. check_image also compares the header's size with the setting itself, so the two cannot drift apart.
Image.MAX_IMAGE_PIXELS = max_pixels()
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


class UploadError(DomainError):
    status = 400


@dataclass
class CheckedImage:
    content: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    extension: str
    width: int
    height: int
    sha256: str
    lon: float | None
    lat: float | None


def _gps_from_exif(image: Image.Image) -> tuple[float | None, float | None]:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # malformed EXIF must not sink an otherwise good photo
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None

    def degrees(values: Any, ref: str) -> float:
        d, m, s = (float(v) for v in values)
        value = d + m / 60 + s / 3600
        return -value if ref in ("S", "W") else value

    try:
        lat = degrees(gps[2], gps.get(1, "N"))
        lon = degrees(gps[4], gps.get(3, "E"))
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lon, lat


def check_image(data: bytes, *, name: str = "") -> CheckedImage:
    """Validate and clean one uploaded image; raise UploadError with a clear message otherwise."""
    limit = int(settings.FENGQIAO_MAX_UPLOAD_BYTES)
    if len(data) == 0:
        raise UploadError(_("文件“%(name)s”是空的。") % {"name": name}, code=CoreErrorCode.EMPTY_FILE)
    if len(data) > limit:
        raise UploadError(
            _("文件“%(name)s”超过 %(mb)s MB 的上限。") % {"name": name, "mb": limit // (1024 * 1024)},
            code=CoreErrorCode.FILE_TOO_LARGE,
        )
    too_many_pixels = UploadError(
        _("图片“%(name)s”的像素过多（上限 %(mp)s 百万像素），请缩小后再上传。")
        % {"name": name, "mp": max_pixels() // 1_000_000},
        code=CoreErrorCode.TOO_MANY_PIXELS,
    )
    try:
        probe = Image.open(io.BytesIO(data), formats=DECODERS)  # lazy: reads the header only
        image_format = probe.format or ""
        if probe.width * probe.height > max_pixels():
            raise too_many_pixels
        probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data), formats=DECODERS)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        refused = _refused_format(data)
        if refused:
            raise UploadError(
                _("不支持的图片格式 %(fmt)s（仅支持 JPEG、PNG、WebP）。") % {"fmt": refused},
                code=CoreErrorCode.BAD_FORMAT,
            ) from None
        raise UploadError(
            _("文件“%(name)s”不是可识别的图片（仅支持 JPEG、PNG、WebP）。") % {"name": name},
            code=CoreErrorCode.NOT_AN_IMAGE,
        ) from None
    if image_format not in ALLOWED_FORMATS:  # a plugin outside DECODERS cannot answer, but say so plainly if one did
        raise UploadError(
            _("不支持的图片格式 %(fmt)s（仅支持 JPEG、PNG、WebP）。") % {"fmt": image_format},
            code=CoreErrorCode.BAD_FORMAT,
        )
    lon, lat = _gps_from_exif(image)
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
    extension = ALLOWED_FORMATS[image_format]
    out = io.BytesIO()
    if extension == "jpg":
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    elif extension == "png":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="WEBP", quality=88)
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    cleaned = out.getvalue()
    return CheckedImage(
        content=ContentFile(cleaned),
        thumbnail=ContentFile(thumb_out.getvalue()),
        extension=extension,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
        lon=lon,
        lat=lat,
    )
