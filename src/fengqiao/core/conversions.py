"""Turning one kind of case into another across apps that may not import each other.

The app that receives a case registers a converter under a name in its ``AppConfig.ready()``; the app that hands it
over calls :func:`convert` by that name. Neither imports the other: core holds the hook, as it does for periodic
jobs and attachment permissions. A converter takes keyword arguments, writes inside the caller's transaction and
returns the new case's tracking code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.core.errors import CoreErrorCode, WorkflowError

Converter = Callable[..., str]

_CONVERTERS: dict[str, Converter] = {}


def register(name: str, converter: Converter) -> Converter:
    """Declare the converter answering ``name`` (e.g. ``event_to_dispute``)."""
    _CONVERTERS[name] = converter
    return converter


def convert(name: str, **values: Any) -> str:
    """Run the converter registered as ``name``; refused when no installed app provides one."""
    converter = _CONVERTERS.get(name)
    if converter is None:
        raise WorkflowError(_("该转办功能未启用。"), code=CoreErrorCode.NOT_PERMITTED)
    return converter(**values)
