"""A case's history as people read it, built from the audit trail and the case's workflow table.

:func:`timeline` labels every row for staff; :func:`public_stages` keeps only the steps the table marks public,
with their public wording and no note unless the app's hook supplies one that may be shown (a mediator's
organisation, the tier a case went up to). Events and disputes share both, and the two templates
``core/_timeline.html`` and ``core/_tracking_stages.html`` that render them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core import audit, ratelimit, receipts
from fengqiao.core.codes import normalise
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.models import Action
from fengqiao.core.workflow import Workflow

NoteHook = Callable[[Action], str]


@dataclass
class PublicStage:
    label: str
    at: dt.datetime
    note: str = ""


def public_stages(
    obj: models.Model, workflow: Workflow, *, notes: Mapping[str, NoteHook] | None = None
) -> list[PublicStage]:
    """Each public step of ``obj`` in order: never who acted, and never a note the app's hooks do not allow."""
    hooks = notes or {}
    stages = []
    for action in audit.history(obj):
        label = workflow.public_label(action.verb)
        if label is None:
            continue
        hook = hooks.get(action.verb)
        stages.append(PublicStage(label=label, at=action.at, note=str(hook(action) or "") if hook else ""))
    return stages


def timeline(obj: models.Model, workflow: Workflow, *, by_public: Iterable[str] = ()) -> list[Action]:
    """The audit trail of ``obj`` for staff: each row gets ``verb_label``, ``to_label`` and ``who`` (the actor, or
    "群众" for the verbs in ``by_public`` that a member of the public does without an account)."""
    public = set(by_public)
    rows = list(audit.history(obj).select_related("actor"))
    for row in rows:
        row.verb_label = workflow.label(row.verb)  # type: ignore[attr-defined]
        row.to_label = workflow.state_label(row.to_state)  # type: ignore[attr-defined]
        row.who = row.actor_name or (_("群众") if row.verb in public else "—")  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class ReceiptAction:
    """What the holder of a receipt's private link may do on a public tracking page (rate, withdraw)."""

    form: type[forms.Form]
    act: Callable[[Any, Mapping[str, Any], str], object]  # (case, the form's cleaned data, the secret)
    refused: Any  # said to someone who has the code but not the private link (lazy text)
    done: Any
    invalid: Any


def receipt_page(
    request: HttpRequest,
    *,
    case: Any,
    secret_index: str,
    url_name: str,
    action: ReceiptAction,
    template: str,
    context: Callable[[bool], Mapping[str, Any]],
) -> HttpResponse:
    """A public tracking page: anyone with the code reads it; only the receipt's secret (the private link) may act.

    Failed secrets are rate limited (``receipts.verify``); ``context(holder)`` adds the page's own values."""
    secret = (request.POST.get("k") or request.GET.get("k") or "").strip()
    try:
        holder = receipts.verify(request, secret_index, secret)
    except ratelimit.RateLimited as exc:
        return render(request, "429.html", {"message": exc.message}, status=429)
    page = reverse(url_name, args=[case.tracking_code])
    private = f"{page}?{urlencode({'k': secret})}"
    form = action.form(request.POST or None)
    if request.method == "POST":
        if not holder:
            messages.error(request, action.refused)
            return redirect(page)
        if form.is_valid():
            try:
                action.act(case, form.cleaned_data, secret)
            except DomainError as exc:
                show_error(request, exc)
            else:
                messages.success(request, action.done)
            return redirect(private)
        messages.error(request, action.invalid)
    return render(
        request,
        template,
        {
            "form": form,
            "new": request.GET.get("new") == "1",
            "secret": secret if holder else "",
            "private_link": request.build_absolute_uri(private) if holder else "",
            **context(holder),
        },
    )


class LookupForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=20)


def lookup_page(request: HttpRequest, *, model: type[models.Model], url_name: str, template: str) -> HttpResponse:
    """ "Look up my case": a typed code goes to its tracking page, or the form says it was not found (the view is
    rate limited, so codes cannot be enumerated)."""
    form = LookupForm(request.GET or None)
    if request.GET and form.is_valid():
        code = normalise(form.cleaned_data["code"])
        if model._default_manager.filter(tracking_code=code).exists():
            return redirect(url_name, code=code)
        form.add_error("code", _("没有找到该查询码，请核对后重试。"))
    return render(request, template, {"form": form})
