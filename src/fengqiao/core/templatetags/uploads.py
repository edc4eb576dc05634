"""``{% upload_limit %}``: the upload size limit, from the setting that enforces it, for the hint under a file field."""

from __future__ import annotations

from django import template

from fengqiao.core import uploads

register = template.Library()


@register.simple_tag
def upload_limit() -> str:
    return uploads.limit_text()
