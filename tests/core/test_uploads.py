"""Uploads are checked by content, EXIF is stripped, and GPS is read before it is."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fengqiao.core.uploads import UploadError, check_image


def jpeg_with_gps(lon: float, lat: float) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    gps = {1: "N", 2: (34.0, 45.0, 0.0), 3: "E", 4: (113.0, 36.0, 0.0)}
    exif[0x8825] = gps
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_jpeg_is_accepted_its_gps_read_and_its_exif_stripped():
    checked = check_image(jpeg_with_gps(113.6, 34.75), name="photo.jpg")
    assert checked.extension == "jpg"
    assert checked.lat == pytest.approx(34.75)
    assert checked.lon == pytest.approx(113.6)
    stored = Image.open(io.BytesIO(checked.content.read()))
    assert len(stored.getexif()) == 0
    thumb = Image.open(io.BytesIO(checked.thumbnail.read()))
    assert max(thumb.size) <= 320


def test_a_text_file_named_like_an_image_is_refused():
    with pytest.raises(UploadError) as err:
        check_image(b"#!/bin/sh\necho not a picture\n", name="photo.jpg")
    assert err.value.code == "not_an_image"
    assert "photo.jpg" in err.value.message


def test_an_oversized_file_is_refused(settings):
    settings.FENGQIAO_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadError) as err:
        check_image(b"x" * 2000, name="big.png")
    assert err.value.code == "file_too_large"


def test_a_gif_is_refused_as_an_unsupported_format():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(UploadError) as err:
        check_image(out.getvalue(), name="a.gif")
    assert err.value.code == "bad_format"


# --- decompression bombs and decoders we never open ------------------------------------------------------------


def png_header_claiming(width: int, height: int) -> bytes:
    """A valid PNG whose IHDR claims ``width`` x ``height``: a handful of bytes that would decode to gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # One compressed row of zeros is enough for the header to parse; the decoder would want them all.
    idat = zlib.compress(b"\x00" * (1 + width * 3))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_png_header_claiming_900_megapixels_is_refused_before_decoding(monkeypatch):
    data = png_header_claiming(30000, 30000)
    assert len(data) < 200_000
    loaded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: loaded.append(self) or None)
    with pytest.raises(UploadError) as err:
        check_image(data, name="bomb.png")
    assert err.value.code == "too_many_pixels"
    assert "bomb.png" in err.value.message
    assert not loaded


def test_an_image_in_pillows_warning_band_is_refused(settings):
    # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns; a bomb in that band used to be decoded.
    settings.FENGQIAO_UPLOAD_MAX_PIXELS = 40_000_000
    with pytest.raises(UploadError) as err:
        check_image(png_header_claiming(8000, 6000), name="band.png")  # 48 MP
    assert err.value.code == "too_many_pixels"


def test_the_pixel_limit_follows_the_setting(settings):
    settings.FENGQIAO_UPLOAD_MAX_PIXELS = 1000
    out = io.BytesIO()
    Image.new("RGB", (40, 40)).save(out, format="PNG")
    with pytest.raises(UploadError) as err:
        check_image(out.getvalue(), name="small.png")
    assert err.value.code == "too_many_pixels"


def test_a_decompression_bomb_warning_is_an_error_not_a_pass():
    import warnings

    from fengqiao.core import uploads

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UploadError):
            uploads.check_image(png_header_claiming(9000, 9000), name="w.png")
    assert uploads.max_pixels() == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP", "PPM", "ICO", "TGA", "PCX"])
def test_formats_other_than_jpeg_png_webp_are_never_decoded(fmt, monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(out, format=fmt)
    with pytest.raises(UploadError) as err:
        check_image(out.getvalue(), name=f"a.{fmt.lower()}")
    assert err.value.code in ("bad_format", "not_an_image")


def test_an_svg_is_refused_by_name_of_its_format():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(UploadError) as err:
        check_image(svg, name="logo.svg")
    assert err.value.code == "bad_format"
    assert "SVG" in err.value.message


def test_a_photoshop_file_is_refused():
    # The smallest PSD header Pillow recognises: signature, version 1, 3 channels, 4x4, 8 bits, RGB.
    import struct

    psd = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 4, 4, 8, 3) + struct.pack(">I", 0) * 3 + b"\x00\x00" + b"\x00" * 48
    with pytest.raises(UploadError) as err:
        check_image(psd, name="design.psd")
    assert err.value.code in ("bad_format", "not_an_image")


def test_a_gif_named_jpg_is_refused_and_a_png_named_jpg_is_stored_as_png():
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(UploadError):
        check_image(gif.getvalue(), name="photo.jpg")
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    assert check_image(png.getvalue(), name="photo.jpg").extension == "png"


def test_only_the_three_decoders_are_tried(monkeypatch):
    from fengqiao.core import uploads

    seen = {}
    real_open = Image.open

    def spy(fp, mode="r", formats=None):
        seen["formats"] = formats
        return real_open(fp, mode, formats)

    monkeypatch.setattr(uploads.Image, "open", spy)
    uploads.check_image(jpeg_with_gps(113.6, 34.75), name="p.jpg")
    assert sorted(seen["formats"]) == ["JPEG", "PNG", "WEBP"]
