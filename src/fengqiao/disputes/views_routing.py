"""Routing on the case page: ladder and tier, the organisation a case was handed to, its panel, the responsible
leader's plan and supervision, and the forms for the routing commands the viewer may use (disputes.routing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.ratelimit import answers_429, check_lookup
from fengqiao.disputes import routing, selectors, tiers
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Dispute, Mediator, Organisation
from fengqiao.disputes.workflow import DISPUTE_FLOW, OPEN_STATES, centre


def _handable(dispute: Dispute) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            active=True,
            kind__in=routing.HANDED_KINDS,
            leader__isnull=False,
            node_path__in=_ancestors(dispute),
        ).order_by("kind", "name")
    )


def _ancestors(dispute: Dispute) -> list[str]:
    from fengqiao.core.scoping import ancestor_paths

    return ancestor_paths(dispute.grid_path)


def _panel_members(dispute: Dispute, current: tiers.Tier, *, is_centre: bool) -> list[Mediator]:
    kinds = set(current.kinds) | {str(k) for k in routing.PANEL_EXTRA_KINDS}
    qs = Mediator.objects.filter(
        kind__in=kinds, active=True, organisation__active=True, organisation__node_path__in=_ancestors(dispute)
    )
    if not is_centre:  # an organisation's leader seats its own members only
        qs = qs.filter(organisation_id=dispute.organisation_id or 0)
    return list(qs.select_related("user", "organisation").order_by("organisation__node_path", "user__full_name"))


def case_panel(user: Any, dispute: Dispute) -> dict[str, Any]:
    """What ``disputes/_routing.html`` shows; each form only where the command would accept this viewer."""
    current = tiers.tier(dispute.tier, dispute.ladder)
    is_centre = centre(user, dispute)
    may_seat = DISPUTE_FLOW.allows(dispute, "seat_panel", actor=user)
    may_take_charge = is_centre and routing.needs_leader(dispute) and dispute.state in OPEN_STATES
    return {
        "ladder": tiers.ladder(dispute.ladder),
        "tier": current,
        "panel": list(dispute.panel.select_related("mediator__user", "mediator__organisation")),
        "notes": list(dispute.leader_notes.select_related("author")),
        "needs_leader": routing.needs_leader(dispute),
        "can_hand_off": DISPUTE_FLOW.allows(dispute, "hand_off", actor=user),
        "organisations": _handable(dispute) if DISPUTE_FLOW.allows(dispute, "hand_off", actor=user) else [],
        "can_seat_panel": may_seat,
        "leads": list(selectors.candidates(dispute=dispute)) if may_seat else [],
        "members": _panel_members(dispute, current, is_centre=is_centre) if may_seat else [],
        "can_take_charge": may_take_charge,
        "leaders": routing.leader_choices(dispute) if may_take_charge else [],
        "can_supervise": getattr(user, "is_authenticated", False) and dispute.leader_id == user.pk,
    }


def _case(request: AuthenticatedRequest, code: str) -> Dispute:
    check_lookup(request)
    try:
        return selectors.dispute_detail(actor=request.user, code=code)
    except Dispute.DoesNotExist:
        raise Http404(code) from None


def _pk(value: Any) -> int:
    text = str(value or "").strip()
    if not text.isdigit():
        raise DomainError(_("请选择。"), code=DisputeErrorCode.MEDIATOR_NOT_FOUND)
    return int(text)


def _mediator(value: Any) -> Mediator:
    found = Mediator.objects.select_related("user", "organisation").filter(pk=_pk(value)).first()
    if found is None:
        raise DomainError(_("找不到该调解员。"), code=DisputeErrorCode.MEDIATOR_NOT_FOUND)
    return found


def _hand_off(request: AuthenticatedRequest, dispute: Dispute) -> None:
    org = Organisation.objects.filter(pk=_pk(request.POST.get("organisation"))).first()
    if org is None:
        raise DomainError(_("请选择调解组织。"), code=DisputeErrorCode.ORGANISATION_REQUIRED)
    routing.hand_to_organisation(
        actor=request.user, dispute=dispute, organisation=org, note=request.POST.get("note", "")[:500]
    )


def _seat_panel(request: AuthenticatedRequest, dispute: Dispute) -> None:
    members = [_mediator(v) for v in request.POST.getlist("members")[: routing.MAX_PANEL_MEMBERS + 1]]
    routing.seat_panel(
        actor=request.user,
        dispute=dispute,
        lead=_mediator(request.POST.get("lead")),
        members=members,
        note=request.POST.get("note", "")[:500],
    )


def _take_charge(request: AuthenticatedRequest, dispute: Dispute) -> None:
    leader = User.objects.filter(pk=_pk(request.POST.get("leader")), is_active=True).first()
    if leader is None:
        raise DomainError(_("请选择包案领导。"), code=DisputeErrorCode.LEADER_REQUIRED)
    routing.take_charge(actor=request.user, dispute=dispute, leader=leader, plan=request.POST.get("plan", ""))


def _supervise(request: AuthenticatedRequest, dispute: Dispute) -> None:
    routing.supervise(actor=request.user, dispute=dispute, text=request.POST.get("text", ""))


COMMANDS: dict[str, Callable[[AuthenticatedRequest, Dispute], None]] = {
    "hand_off": _hand_off,
    "seat_panel": _seat_panel,
    "take_charge": _take_charge,
    "supervise": _supervise,
}


@login_required
@require_POST
@answers_429
def route(request: AuthenticatedRequest, code: str, name: str) -> HttpResponse:
    """One routing command from the case page; a case outside the viewer's reach answers 404 like a missing one."""
    dispute = _case(request, code)
    command = COMMANDS.get(name)
    if command is None:
        raise Http404(name)
    try:
        command(request, dispute)
    except DomainError as exc:
        show_error(request, exc)
    else:
        done = {"action": DISPUTE_FLOW.label(name), "code": dispute.tracking_code}
        messages.success(request, _("已完成“%(action)s”：纠纷 %(code)s。") % done)
    return redirect("disputes:detail", code=dispute.tracking_code)
