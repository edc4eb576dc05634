"""The grid worker's phone page for a dispute found in the field (网格员排查上报), and its receipt.

A worker files only in a grid they serve: the grid is picked from their own memberships, never from the whole
tree, so a forged grid code is refused before anything is written. The source is always 网格员排查. A patrol under
way (dispatch's page links here with ``?patrol=<id>``) is named in the case's first history row; disputes does not
import dispatch, so the patrol is looked up through the app registry, and only the worker's own counts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import WORKER_ROLES, Membership, Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import uploads
from fengqiao.core.codes import normalise
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.disputes import services
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Dispute, DisputeType, Party, Source
from fengqiao.disputes.validation import IntakeError
from fengqiao.grids.models import GridNode

# Informants are volunteers without a duty or a grid of their own: what they notice goes through the event report,
# where the centre verifies it before a case (and its "13710" clocks) exists.
FIELD_ROLES = frozenset(WORKER_ROLES - {Role.INFORMANT})
may_file = holds(*FIELD_ROLES)
REFUSED = gettext_lazy("只有网格长、专职网格员和兼职网格员可以上报矛盾纠纷。")
RECENT = 5


class FieldIntakeForm(forms.Form):
    """What a worker knows on the spot: the grid, the type, what happened and who is involved."""

    grid = forms.ChoiceField(label=gettext_lazy("所属网格"))
    type = forms.ModelChoiceField(
        label=gettext_lazy("纠纷类型"),
        queryset=DisputeType.objects.filter(active=True),
        empty_label=gettext_lazy("请选择"),
    )
    summary = forms.CharField(
        label=gettext_lazy("纠纷简要情况"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": gettext_lazy("时间、地点、起因和目前状况，至少 5 个字")}
        ),
    )
    claim = forms.CharField(
        label=gettext_lazy("当事人诉求（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    people_involved = forms.IntegerField(label=gettext_lazy("涉及人数"), min_value=1, max_value=100000, initial=2)
    address = forms.CharField(label=gettext_lazy("发生地点"), max_length=200, required=False)
    applicant_name = forms.CharField(label=gettext_lazy("申请人姓名或名称"), max_length=100)
    applicant_phone = forms.CharField(label=gettext_lazy("申请人电话（选填）"), max_length=20, required=False)
    respondent_kind = forms.ChoiceField(
        label=gettext_lazy("对方是"), choices=Party.Kind.choices, initial=Party.Kind.PERSON
    )
    respondent_name = forms.CharField(label=gettext_lazy("对方姓名或单位名称"), max_length=100)
    respondent_phone = forms.CharField(label=gettext_lazy("对方电话（选填）"), max_length=20, required=False)
    photos = forms.FileField(
        label=gettext_lazy("现场照片"),
        required=False,
        help_text=lazy(uploads.limit_text, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    patrol = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, grids: list[GridNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grid"]
        field.choices = [(g.code, g.name) for g in grids]
        field.error_messages["invalid_choice"] = _("只能在您任职的网格内上报，所选网格不在其中，请重新选择。")
        self.fields["photos"].widget.allow_multiple_selected = True
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def clean_photos(self) -> Any:
        return None  # read from request.FILES as a list; the service checks each file


def own_grids(user: Any) -> list[GridNode]:
    """The nodes the worker serves in a field role, first membership first."""
    rows = Membership.objects.filter(user=user, active=True, role__in=FIELD_ROLES).select_related("node").order_by("id")
    seen: dict[int, GridNode] = {}
    for row in rows:
        seen.setdefault(row.node_id, row.node)
    return list(seen.values())


def own_patrol(user: Any, pk: int | None) -> Any:
    """The worker's own patrol ``pk`` (open or ended since), or None when dispatch is not installed or none given."""
    if not pk or not apps.is_installed("fengqiao.dispatch"):
        return None
    patrol_model = apps.get_model("dispatch", "Patrol")
    return patrol_model.objects.filter(pk=pk, worker=user).first()


def _patrol_param(request: AuthenticatedRequest) -> int | None:
    raw = request.POST.get("patrol") or request.GET.get("patrol") or ""
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def filed_by(user: Any) -> Any:
    """The cases this worker filed from the field (their receipts), newest first."""
    return (
        Dispute.objects.filter(entered_by=user, source=Source.GRID)
        .select_related("type", "grid")
        .order_by("-entered_at")
    )


@login_required
@only_for(may_file, REFUSED)
def field_new(request: AuthenticatedRequest) -> HttpResponse:
    """上报矛盾纠纷 (phone first): a dispute a grid worker found, filed in one of their own grids."""
    user: Any = request.user
    grids = own_grids(user)
    patrol_id = _patrol_param(request)
    patrol = own_patrol(user, patrol_id)
    initial = {"grid": grids[0].code if grids else "", "patrol": patrol.pk if patrol else None}
    form = FieldIntakeForm(request.POST or None, request.FILES or None, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = next((g for g in grids if g.code == data["grid"]), None)
        try:
            if grid is None:  # the choice list already holds only the worker's grids; this keeps it so
                raise IntakeError(
                    _("只能在您任职的网格内上报，所选网格不在其中，请重新选择。"), code=DisputeErrorCode.GRID_NOT_OWN
                )
            if patrol_id is not None and patrol is None:
                raise IntakeError(
                    _("所填巡查不存在或不是您的巡查，请从“巡查走访”页面重新进入。"),
                    code=DisputeErrorCode.PATROL_NOT_OWN,
                )
            dispute = services.submit_dispute(
                actor=user,
                source=Source.GRID,
                type=data["type"],
                summary=data["summary"],
                claim=data["claim"],
                people_involved=data["people_involved"],
                grid=grid,
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                parties=[
                    services.PartyData(
                        role=Party.Role.APPLICANT, name=data["applicant_name"], phone=data["applicant_phone"]
                    ),
                    services.PartyData(
                        role=Party.Role.RESPONDENT,
                        kind=data["respondent_kind"],
                        name=data["respondent_name"],
                        phone=data["respondent_phone"],
                    ),
                ],
                photos=request.FILES.getlist("photos"),
                extra_data={"patrol": patrol.pk} if patrol is not None else None,
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已上报，查询码 %(code)s。") % {"code": dispute.tracking_code})
            return redirect("disputes:field_done", code=dispute.tracking_code)
    return render(
        request,
        "disputes/field_new.html",
        {
            "form": form,
            "grids": grids,
            "patrol": patrol if patrol is not None and patrol.ended_at is None else None,
            "recent": filed_by(user)[:RECENT],
        },
    )


@login_required
@only_for(may_file, REFUSED)
def field_done(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The receipt of one case the worker filed: its tracking code and where it stands. Another's case is a 404."""
    dispute = filed_by(request.user).filter(tracking_code=normalise(code)).first()
    if dispute is None:
        raise Http404(code)
    return render(request, "disputes/field_done.html", {"d": dispute})
