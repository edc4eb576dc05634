"""Uploaded images: checked by content (never by name), size-limited, EXIF location read, EXIF stripped, thumbnailed.

Events and disputes attach files through :func:`store_image`; the stored copy is a fresh encoding of the pixels,
so metadata (camera serial numbers, owner names, GPS) never reaches the disk unless we chose to keep it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from fengqiao.core.errors import DomainError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "jpg", "HEIC": "jpg"}
THUMBNAIL_SIZE = (320, 320)
Image.MAX_IMAGE_PIXELS = 50_000_000  # refuse decompression bombs


class UploadError(DomainError):
    status = 400


@dataclass
class CheckedImage:
    content: ContentFile
    thumbnail: ContentFile
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
        raise UploadError(_("文件“%(name)s”是空的。") % {"name": name}, code="empty_file")
    if len(data) > limit:
        raise UploadError(
            _("文件“%(name)s”超过 %(mb)s MB 的上限。") % {"name": name, "mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    try:
        probe = Image.open(io.BytesIO(data))
        image_format = probe.format or ""
        probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(
            _("文件“%(name)s”不是可识别的图片（仅支持 JPEG、PNG、WebP）。") % {"name": name}, code="not_an_image"
        ) from None
    if image_format not in ALLOWED_FORMATS:
        raise UploadError(
            _("不支持的图片格式 %(fmt)s（仅支持 JPEG、PNG、WebP）。") % {"fmt": image_format}, code="bad_format"
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
