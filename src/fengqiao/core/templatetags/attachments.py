"""Template filters for attachment links: always the authorising view, never the storage path under MEDIA_URL."""

from __future__ import annotations

from django import template

from fengqiao.core import media
from fengqiao.core.models import Attachment

register = template.Library()


@register.filter
def file_url(attachment: Attachment) -> str:
    return media.url(attachment)


@register.filter
def thumb_url(attachment: Attachment) -> str:
    return media.url(attachment, thumb=True)


@register.filter
def public_file_url(attachment: Attachment) -> str:
    """For an authorised public page only (a tracking page opened with its secret): a short-lived signed link."""
    return media.signed_url(attachment)


@register.filter
def public_thumb_url(attachment: Attachment) -> str:
    return media.signed_url(attachment, thumb=True)
