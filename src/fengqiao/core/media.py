"""Uploaded files are served only through here: each request is checked against the case the file belongs to.

Attachments hang on cases of many apps (events, disputes, instructions ...), and core imports no app. So each app
registers, in its AppConfig.ready, who may see the attachments of its models: a function of (actor, object id)
that answers through the app's own scoped selector. A file whose case the actor may not see answers exactly like a
missing one (404), so ids cannot be probed. A public page that is itself authorised (a reporter's own tracking page,
opened with its secret) may instead hand out short-lived signed links with :func:`signed_url`.

In production the bytes are sent by the web server: ``FENGQIAO_SENDFILE = "nginx"`` answers with X-Accel-Redirect to
an ``internal`` location, ``"apache"`` with X-Sendfile; unset, Django streams the file itself.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from fengqiao.core.actors import Actor, Caller, signed_in
from fengqiao.core.models import Attachment

Viewer = Callable[[Actor, str], bool]

_viewers: dict[str, Viewer] = {}

SIGNING_SALT = "fengqiao.core.media.public"
PUBLIC_LINK_SECONDS = 3600
VARIANTS = ("", "thumb")


def register(model_label: str, may_see: Viewer) -> None:
    """Declare who may see attachments of ``model_label`` ("app_label.ModelName"): ``may_see(actor, object_id)``."""
    _viewers[model_label.lower()] = may_see


def registered() -> list[str]:
    return sorted(_viewers)


def may_see(actor: Caller, attachment: Attachment) -> bool:
    """Whether a signed-in ``actor`` may see the case ``attachment`` belongs to; no registered rule means no one."""
    if not signed_in(actor) or not actor.is_active:
        return False
    content_type = attachment.content_type
    viewer = _viewers.get(f"{content_type.app_label}.{content_type.model}")
    if viewer is None:
        return False
    return bool(viewer(actor, attachment.object_id))


def url(attachment: Attachment, *, thumb: bool = False) -> str:
    """The authorising view's address for the file (or its thumbnail)."""
    return reverse("attachment_thumb" if thumb else "attachment_file", kwargs={"pk": attachment.pk})


def signed_url(attachment: Attachment, *, thumb: bool = False) -> str:
    """A link that works without signing in for PUBLIC_LINK_SECONDS: only for pages that are themselves authorised."""
    token = signing.TimestampSigner(salt=SIGNING_SALT).sign(str(attachment.pk))
    return f"{url(attachment, thumb=thumb)}?t={quote(token)}"


def _token_allows(token: str, attachment: Attachment) -> bool:
    if not token:
        return False
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(token, max_age=PUBLIC_LINK_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return value == str(attachment.pk)


def _send(field: FieldFile, *, filename: str) -> HttpResponseBase:
    mode = str(getattr(settings, "FENGQIAO_SENDFILE", "") or "")
    content_type = mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    response: HttpResponseBase
    if mode == "nginx":
        prefix = str(getattr(settings, "FENGQIAO_SENDFILE_PREFIX", "/protected-media/")).rstrip("/")
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix}/{quote(field.name or '')}"
    elif mode == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(field.path)
    else:
        try:
            response = FileResponse(field.open("rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404("missing file") from None
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    # A stored image is a fresh encoding of pixels, but belt and braces: nothing in it may run as a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_safe
def serve(request: HttpRequest, pk: int, variant: str = "") -> HttpResponseBase:
    """One attachment (or its thumbnail), to someone who may see its case; everyone else gets 404."""
    attachment = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    if attachment is None or variant not in VARIANTS:
        raise Http404("no such file")
    allowed = _token_allows(request.GET.get("t", ""), attachment) or may_see(request.user, attachment)
    if not allowed:
        raise Http404("no such file")
    field = attachment.thumbnail if variant == "thumb" else attachment.file
    if not field:
        raise Http404("no such file")
    return _send(field, filename=PurePosixPath(field.name).name)
