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
