"""Attaching cleaned images to any case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.models import Attachment
from fengqiao.core.uploads import CheckedImage, check_image


def read_uploads(files: Iterable[Any]) -> list[tuple[str, CheckedImage]]:
    """Check every uploaded file before anything is saved, so one bad file refuses the whole request."""
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        data = upload.read() if hasattr(upload, "read") else bytes(upload)
        checked.append((name, check_image(data, name=name)))
    return checked


def attach(
    *, actor: Caller, target: models.Model, images: list[tuple[str, CheckedImage]], purpose: str = ""
) -> list[Attachment]:
    """Store checked images against ``target`` (call inside the service's transaction)."""
    content_type = ContentType.objects.get_for_model(target)
    rows = []
    for name, image in images:
        stem = uuid.uuid4().hex
        row = Attachment(
            content_type=content_type,
            object_id=str(target.pk),
            purpose=purpose,
            original_name=name[:200],
            width=image.width,
            height=image.height,
            sha256=image.sha256,
            lon=image.lon,
            lat=image.lat,
            uploaded_by_id=actor.pk if signed_in(actor) else None,
        )
        row.file.save(f"{stem}.{image.extension}", image.content, save=False)
        row.thumbnail.save(f"{stem}-thumb.jpg", image.thumbnail, save=False)
        row.save()
        rows.append(row)
    return rows


def attachments_of(target: models.Model, purpose: str | None = None) -> models.QuerySet[Attachment]:
    qs = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).order_by("uploaded_at", "id")
    return qs.filter(purpose=purpose) if purpose is not None else qs
