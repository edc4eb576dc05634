"""Referral pages on a case: the feedback letter for the referring body, and the centre clearing a duplicate flag."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import audit
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.ratelimit import answers_429
from fengqiao.disputes import documents, referrals
from fengqiao.disputes.views import _dispute_or_404
from fengqiao.disputes.workflow import DISPUTE_FLOW, centre


@login_required
@answers_429
def feedback_file(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The feedback letter (it names the parties in full): the centre prints it; each download is logged."""
    dispute = _dispute_or_404(request, code)
    if not centre(request.user, dispute):
        raise PermissionDenied(_("只有综治中心可以下载结果反馈函。"))
    if not dispute.feedback_letter:
        raise Http404(code)
    audit.record(actor=request.user, verb="feedback_download", target=dispute, workflow=DISPUTE_FLOW.name)
    response = HttpResponse(documents.feedback_pdf(dispute), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fankui-{dispute.tracking_code}.pdf"'
    return response


@login_required
@require_POST
@answers_429
def clear_duplicate(request: AuthenticatedRequest, code: str) -> HttpResponse:
    dispute = _dispute_or_404(request, code)
    try:
        referrals.clear_duplicate(actor=request.user, dispute=dispute, note=request.POST.get("note", "")[:500])
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已解除疑似重复标记：纠纷 %(code)s。") % {"code": dispute.tracking_code})
    return redirect("disputes:detail", code=dispute.tracking_code)
