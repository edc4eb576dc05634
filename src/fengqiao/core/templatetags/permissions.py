"""``{% if user|may_open:"events:hotline" %}``: offer a link or button only to those its view lets in."""

from __future__ import annotations

from django import template

from fengqiao.core import permissions
from fengqiao.core.actors import Caller

register = template.Library()


@register.filter
def may_open(user: Caller, target: str) -> bool:
    return permissions.may_open(user, target)
