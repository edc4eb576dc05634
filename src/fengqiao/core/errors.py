"""Domain errors shared by every app, their stable codes, and the one place that turns them into answers.

Each app declares its codes as an ``ErrorCode`` enum in ``<app>/errors.py`` (like Saleor's per-app error codes); the
values are the public contract the API returns, so renaming one is a breaking change that shows up in
``docs/error-codes.md`` (printed by ``fengqiao error_codes``). A code two apps need with the same meaning lives once,
in ``CoreErrorCode``.
"""

from __future__ import annotations

import importlib
import importlib.util
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from ninja import Schema

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest


class ErrorCode(StrEnum):
    """A stable error code; each member is declared as ``NAME = "value", "One-line English meaning."``."""

    meaning: str

    def __new__(cls, value: str, meaning: str = "") -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class CoreErrorCode(ErrorCode):
    """Codes of the shared kernel (workflow engine, uploads, rate limits) and codes several apps share."""

    INVALID = "invalid", "The request is refused as it stands; the message says why."
    UNAUTHENTICATED = "unauthenticated", "The caller is not signed in."
    OUTSIDE_JURISDICTION = "outside_jurisdiction", "The object lies outside the grids the caller serves."
    NOT_FOUND = "not_found", "No such object, or none the caller may see."
    BAD_BODY = "bad_body", "The request body cannot be parsed."
    NULL_CHARACTER = "null_character", "The request contains a NUL character."
    BAD_LENGTH = "bad_length", "The Content-Length header is not a valid length."
    BODY_TOO_LARGE = "body_too_large", "The request body is over the limit for its path."
    RATE_LIMITED = "rate_limited", "Too many requests or attempts; try again later."
    UNKNOWN_TRANSITION = "unknown_transition", "The workflow declares no such action."
    NOT_ALLOWED_IN_STATE = "not_allowed_in_state", "The action is not allowed in the case's current state."
    NOT_PERMITTED = "not_permitted", "The caller's role may not take this step."
    NOTE_REQUIRED = "note_required", "The step needs a written note."
    MISSING_FIELDS = "missing_fields", "The step needs fields that were not filled in."
    STALE = "stale", "Someone else changed the case first; reload and retry."
    EMPTY_FILE = "empty_file", "An uploaded file is empty."
    FILE_TOO_LARGE = "file_too_large", "An uploaded file is over the size limit."
    TOO_MANY_PIXELS = "too_many_pixels", "An uploaded image has more pixels than allowed."
    BAD_FORMAT = "bad_format", "An uploaded image is in a format that is not accepted."
    NOT_AN_IMAGE = "not_an_image", "An uploaded file is not a recognisable image."
    TOO_MANY_PHOTOS = "too_many_photos", "More photos than one submission may carry."
    FONT_MISSING = "font_missing", "The Chinese font for PDF documents is not installed."
    BAD_PHONE = "bad_phone", "A phone number is not a valid mobile or landline number."
    BAD_ID_NUMBER = "bad_id_number", "A resident identity card number is not valid."
    BAD_CREDIT_CODE = "bad_credit_code", "A unified social credit code is not valid."
    PHONE_REQUIRED = "phone_required", "A contact phone number is required."
    BAD_POSITION = "bad_position", "Coordinates are not numbers or are out of range."
    POSITION_REQUIRED = "position_required", "A position or a grid QR code is required."
    BAD_SOURCE = "bad_source", "The intake channel is not one the platform knows."
    SECRET_REQUIRED = "secret_required", "The step needs the private link given at submission."
    TOP_TIER = "top_tier", "The case is already at the highest tier and cannot be escalated."


class DomainError(Exception):
    """A request that the domain refuses, with a message meant for the user and a stable code."""

    status = 400

    def __init__(self, message: str, *, code: ErrorCode = CoreErrorCode.INVALID) -> None:
        if not isinstance(code, ErrorCode):  # a typo'd string must fail loudly, not reach clients
            raise TypeError(f"DomainError code must be an ErrorCode member, not {code!r}")
        super().__init__(message)
        self.message = message
        self.code: ErrorCode = code

    def body(self) -> dict[str, str]:
        """The JSON every API answers a refusal with."""
        return error_body(self.code, self.message)


class WorkflowError(DomainError):
    """A transition that is not declared, not allowed now, or missing what it needs."""

    status = 409


class OutsideJurisdiction(DomainError, PermissionDenied):
    """The actor tried to read or change something outside the grids they serve."""

    status = 403

    def __init__(self, message: str = "", *, code: ErrorCode = CoreErrorCode.OUTSIDE_JURISDICTION) -> None:
        from django.utils.translation import gettext as _

        super().__init__(message or _("这不在您的管辖范围内。"), code=code)


class NotFound(DomainError):
    """No such object, or one outside the caller's reach (the API answers both alike)."""

    status = 404

    def __init__(self, message: str, *, code: ErrorCode = CoreErrorCode.NOT_FOUND) -> None:
        super().__init__(message, code=code)


class ErrorOut(Schema):
    """A refusal in the OpenAPI document: the shape ``error_body`` writes."""

    detail: str
    code: str


def error_body(code: ErrorCode, message: str) -> dict[str, str]:
    """The one shape of a refusal in JSON: ``{"code": …, "detail": …}``."""
    if not isinstance(code, ErrorCode):
        raise TypeError(f"error code must be an ErrorCode member, not {code!r}")
    return {"code": str(code), "detail": str(message)}


def error_response(code: ErrorCode, message: str, *, status: int) -> JsonResponse:
    """A refusal as a JSON response, for plain Django views and middleware outside the native API."""
    return JsonResponse(error_body(code, message), status=status)


def show_error(request: HttpRequest, exc: DomainError, *, form: forms.Form | None = None) -> None:
    """Show a refused step on a page: on the form when there is one, else as a message on the next page."""
    if form is not None:
        form.add_error(None, exc.message)
    else:
        from django.contrib import messages

        messages.error(request, exc.message)


# The catalogue: every app's enum, for the document and its test.


def _load_app_enums() -> None:
    """Import each installed fengqiao app's ``errors`` module so its enum is declared (core never names an app)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        top, _dot, app = config.name.partition(".")
        if top == "fengqiao" and "." not in app and importlib.util.find_spec(f"{config.name}.errors") is not None:
            importlib.import_module(f"{config.name}.errors")


def _app_of(enum: type[ErrorCode]) -> str:
    parts = enum.__module__.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "fengqiao" else enum.__module__


def _enums() -> list[type[ErrorCode]]:
    found: list[type[ErrorCode]] = []
    todo: list[type[Any]] = list(ErrorCode.__subclasses__())
    while todo:
        enum = todo.pop(0)
        if enum.__module__.startswith("fengqiao."):
            found.append(enum)
        todo.extend(enum.__subclasses__())
    return found


def catalogue() -> list[tuple[str, ErrorCode]]:
    """(app, code) for every code of every app: core first, then the apps in INSTALLED_APPS order."""
    from django.apps import apps

    _load_app_enums()
    order = ["core"] + [c.label for c in apps.get_app_configs() if c.name.startswith("fengqiao.") and c.label != "core"]
    enums = sorted(_enums(), key=lambda e: (order.index(_app_of(e)) if _app_of(e) in order else len(order), e.__name__))
    return [(_app_of(enum), code) for enum in enums for code in enum]


def render_catalogue() -> str:
    """docs/error-codes.md, as the code declares it."""
    lines = [
        "# Error codes",
        "",
        'Every refusal the API answers carries a JSON body `{"code": …, "detail": …}`: `detail` is a message in the',
        "user's language for people, `code` is stable for programs. The codes below are that contract. Each app",
        "declares its own in `<app>/errors.py`; a code two apps share with one meaning is declared once, in core.",
        "This page is generated by `fengqiao error_codes > docs/error-codes.md` and a test keeps it equal to the code,",
        "so adding, renaming or removing a code shows up here in review.",
    ]
    current = None
    for app, code in catalogue():
        heading = f"## {app} (`{type(code).__name__}`)"
        if heading != current:
            lines += ["", heading, "", "| code | meaning |", "| --- | --- |"]
            current = heading
        lines.append(f"| `{code.value}` | {code.meaning} |")
    return "\n".join(lines) + "\n"
