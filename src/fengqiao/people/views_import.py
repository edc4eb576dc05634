"""Pages of the persons spreadsheet: the template, the upload (all or nothing, every bad row named), the error
report of the last refused upload, and the export of the caller's own grids.

The error report holds the bad rows as typed, personal data included: it is kept encrypted in the shared cache for
an hour under a random token that only the uploader's session knows.
"""

from __future__ import annotations

import base64
import secrets
import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import crypto
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.reveal import RevealForm
from fengqiao.people import exporter, importer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SECONDS = 3600
SESSION_KEY = "people_import_report"
SHOWN_ERRORS = 500
may_import = holds(*importer.IMPORT_ROLES)
may_export = holds(*exporter.EXPORT_ROLES)
IMPORT_REFUSED = gettext_lazy("只有网格长、调度员和管理员可以批量导入人员。")
EXPORT_REFUSED = gettext_lazy("您的角色不能导出人员信息。")


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("人员信息表（.xlsx）"))


class ExportForm(RevealForm):
    """The reason is asked only for an unmasked export."""

    unmasked = forms.BooleanField(label=gettext_lazy("导出完整信息（不打码）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("unmasked") and not data.get("reason"):
            self.add_error("reason", _("导出完整信息须选择理由。"))
        return data


def _report_key(user_pk: int, token: str) -> str:
    return f"people-import-report:{user_pk}:{token}"


def _keep_report(request: AuthenticatedRequest, report: bytes) -> None:
    token = secrets.token_urlsafe(18)
    sealed = crypto.encrypt(base64.b64encode(report).decode())
    caches["shared"].set(_report_key(request.user.pk, token), sealed, REPORT_SECONDS)
    request.session[SESSION_KEY] = token


@login_required
@only_for(may_import, IMPORT_REFUSED)
def import_persons(request: AuthenticatedRequest) -> HttpResponse:
    """批量导入: upload the office's sheet; a refusal lists every bad row and offers them back as XLSX."""
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[importer.RowError] = []
    bad_rows = 0
    if request.method == "POST" and form.is_valid():
        try:
            result = importer.import_persons(actor=request.user, file=form.cleaned_data["file"])
        except importer.ImportRefused as exc:
            errors = exc.checked.errors
            bad_rows = len(exc.checked.bad_row_numbers)
            _keep_report(request, importer.error_report(exc.checked))
            show_error(request, exc, form=form)
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(
                request,
                _("已导入 %(n)s 人：新登记 %(c)s 人，更新 %(u)s 人，迁入 %(m)s 人，表内重复合并 %(d)s 行。")
                % {"n": result.rows, "c": result.created, "u": result.updated, "m": result.moved, "d": result.merged},
            )
            return redirect("people:import")
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "bad_rows": bad_rows,
            "headers": importer.HEADERS,
            "max_rows": importer.max_rows(),
        },
    )


@login_required
@only_for(may_import, IMPORT_REFUSED)
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(importer.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="persons-template.xlsx"'
    return response


@login_required
@only_for(may_import, IMPORT_REFUSED)
def import_report(request: AuthenticatedRequest) -> HttpResponse:
    """The bad rows of this session's last refused upload (404 for anyone else's or after an hour)."""
    token = request.session.get(SESSION_KEY)
    sealed = caches["shared"].get(_report_key(request.user.pk, token)) if token else None
    if not sealed:
        raise Http404(_("没有可下载的错误报告，请重新上传。"))
    response = HttpResponse(base64.b64decode(crypto.decrypt(sealed)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="persons-errors.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@only_for(may_export, EXPORT_REFUSED)
def export_page(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "people/export.html",
        {"form": ExportForm(), "may_unmask": exporter.may_unmask(request.user)},
    )


@require_POST
@login_required
@only_for(may_export, EXPORT_REFUSED)
def export_persons(request: AuthenticatedRequest) -> HttpResponseBase:
    """导出人员台账: masked unless asked otherwise with a reason; the file is written to a temporary file first, so
    a large grid streams from disk instead of memory."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "people/export.html", {"form": form, "may_unmask": exporter.may_unmask(request.user)}, status=400
        )
    data = form.cleaned_data
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    try:
        exporter.write_export(
            actor=request.user,
            stream=stream,
            unmasked=bool(data.get("unmasked")),
            reason=data.get("reason") or "",
            note=data.get("note") or "",
        )
    except DomainError as exc:
        stream.close()
        show_error(request, exc, form=form)
        return render(
            request, "people/export.html", {"form": form, "may_unmask": exporter.may_unmask(request.user)}, status=403
        )
    stream.seek(0)
    name = f"persons-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
