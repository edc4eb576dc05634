"""Small helpers shared by the pages opened without an account (a code in the address) and their forms."""

from __future__ import annotations

import segno
from django import forms
from django.http import HttpResponse

# Pages opened by a bearer code: never indexed, never cached, and the address (with its code) never sent elsewhere.
PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    # same-origin: the code in the address never leaves this site (an embedded service gets no referrer), while form
    # posts keep their Origin (Chromium sends "Origin: null" from a no-referrer page, which CSRF refuses).
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def private(response: HttpResponse) -> HttpResponse:
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    return response


def styled(form: forms.Form) -> forms.Form:
    """Bootstrap's classes on a form's widgets; radio and checkbox lists are laid out by their templates."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def qr_svg(data: str, scale: int = 6) -> str:
    """An inline SVG QR code (medium error correction), for a code printed or shown on a phone."""
    return str(segno.make(data, error="m").svg_inline(scale=scale, border=2))
