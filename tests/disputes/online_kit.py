"""Helpers for the online-mediation tests: a case in mediation, party links and drawn signatures as a phone sends
them (PNG data URLs)."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from fengqiao.disputes import online, services
from fengqiao.disputes.models import Dispute, Party
from tests.disputes.test_workflow import to_mediating


def png_data_url(size: tuple[int, int] = (600, 200), *, ink: bool = True, mode: str = "RGBA", fmt: str = "PNG") -> str:
    """A drawing like the pad's: transparent (or white) with a dark stroke when ``ink``."""
    from PIL import Image, ImageDraw

    background: Any = (0, 0, 0, 0) if mode == "RGBA" else "white"
    image = Image.new(mode, size, background)
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line(
            [(20, size[1] // 2), (size[0] - 20, size[1] // 3)],
            fill=(17, 17, 17, 255) if mode == "RGBA" else "black",
            width=4,
        )
        draw.line(
            [(40, 20), (size[0] // 2, size[1] - 20)], fill=(17, 17, 17, 255) if mode == "RGBA" else "black", width=4
        )
    out = io.BytesIO()
    if fmt == "PNG":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "GPS 34.7,113.6")  # metadata the server must strip
        image.save(out, format="PNG", pnginfo=info)
    else:
        image.convert("RGB").save(out, format=fmt)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def in_mediation(dispute: Dispute, centre: Any, mediator: Any) -> Dispute:
    return to_mediating(dispute, centre, mediator)


def link_for(party: Party, actor: Any) -> str:
    """A fresh link's token for ``party``."""
    _link, token = online.issue_party_link(actor=actor, party=party)
    return token


def party_url(token: str) -> str:
    return reverse("disputes:party_home", args=[token])


def sign_url(token: str, kind: str, pk: int) -> str:
    return reverse("disputes:party_sign", args=[token, kind, pk])


def draft(dispute: Dispute, mediator: Any, terms: str = "李四夜间十点后不施工") -> Any:
    return services.draft_agreement(
        actor=mediator.user, dispute=dispute, facts="楼上装修噪音", terms=terms, performance="自签字之日起履行"
    )


def phone() -> Client:
    return Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", REMOTE_ADDR="10.1.2.3")


def messages_of(response: Any) -> str:
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)<', response.content.decode(), re.S))
