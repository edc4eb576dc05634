"""Key-person pages: the worker's phone list 我的重点人员 with its visit form, the record's page, the grid leader's
and centre's list with colours, and the steps a manager takes. Every record is looked up through
``people.keypersons`` (need-to-know): one outside the caller's reach is a 404 like a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.reveal import RevealForm, reveal_pii
from fengqiao.people import keyflow, keypersons
from fengqiao.people.models import KeyCategory, KeyPerson, Person, Risk

WORKERS = holds(Role.GRID_WORKER, Role.GRID_LEADER)
MANAGERS = holds(Role.GRID_LEADER, Role.DISPATCHER)
READERS = holds(Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER)


class KeyVisitForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("走访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    met = forms.BooleanField(label=gettext_lazy("见到本人"), required=False, initial=True)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Drawn when the page is made (and afresh by the phone app for a cached page): a resent visit is recorded once.
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)


class ListForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("类别"), queryset=KeyCategory.objects.filter(active=True))
    risk = forms.ChoiceField(label=gettext_lazy("风险等级"), choices=Risk.choices)
    worker = forms.TypedChoiceField(label=gettext_lazy("责任网格员"), coerce=int)
    note = forms.CharField(label=gettext_lazy("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _workers_of(path: str) -> list[User]:
    """Who may be responsible for a record in the grid at ``path``: its full-time workers and grid leaders."""
    from fengqiao.accounts.models import Membership
    from fengqiao.core.scoping import ancestor_paths

    rows = Membership.objects.filter(active=True, role__in=keyflow.WORKER_ROLES, node_path__in=ancestor_paths(path))
    return [m.user for m in rows.select_related("user").order_by("-node_path", "user_id")]


def _record(request: AuthenticatedRequest, pk: Any) -> KeyPerson:
    try:
        return keypersons.key_person_for(actor=request.user, pk=pk)
    except KeyPerson.DoesNotExist:
        raise Http404(_("没有找到该重点人员，或您无权查看。")) from None


def _visit_form() -> KeyVisitForm:
    return KeyVisitForm(initial={"idempotency_key": uuid.uuid4().hex, "met": True})


@login_required
@only_for(WORKERS, gettext_lazy("只有专职网格员和网格长有责任走访重点人员。"))
def key_mine(request: AuthenticatedRequest) -> HttpResponse:
    """我的重点人员: red first, each with a visit button."""
    rows = list(keypersons.my_key_persons(actor=request.user)[:200])
    return render(request, "people/key_mine.html", {"rows": rows, "visit_form": _visit_form()})


@login_required
@only_for(MANAGERS, gettext_lazy("只有网格长和综治中心调度员可以查看重点人员名单。"))
def key_list(request: AuthenticatedRequest) -> HttpResponse:
    """The grid leader's and the centre's list, with colours; ``?overdue=1`` keeps the missed visits."""
    overdue = request.GET.get("overdue") == "1"
    state = keyflow.ENDED if request.GET.get("state") == keyflow.ENDED else keyflow.ACTIVE
    qs = keypersons.key_persons_in_scope(actor=request.user, overdue=overdue, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "people/key_list.html", {"page": page, "overdue": overdue, "state": state})


@login_required
@only_for(READERS, gettext_lazy("您无权查看重点人员。"))
def key_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The record's page: every opening is logged (who, when, which record); the ID number and phone are shown in
    full only after a reason is posted (core.reveal)."""
    record = _record(request, pk)
    keypersons.open_record(actor=request.user, record=record)
    return _detail(request, record)


def _detail(
    request: AuthenticatedRequest,
    record: KeyPerson,
    *,
    revealed: bool = False,
    reveal_form: RevealForm | None = None,
    visit_form: KeyVisitForm | None = None,
) -> HttpResponse:
    user = request.user
    manage = keyflow.manager(user, record)
    return render(
        request,
        "people/key_detail.html",
        {
            "record": keypersons.with_colours(KeyPerson.objects.filter(pk=record.pk))
            .select_related("person", "category", "worker", "grid")
            .get(),
            "visits": keypersons.visits_of(record=record)[:50],
            "revealed": revealed,
            "reveal_form": reveal_form or RevealForm(),
            "visit_form": visit_form or _visit_form(),
            "may_visit": record.state == keyflow.ACTIVE and keyflow.responsible_or_leader(user, record),
            "may_manage": manage and record.state == keyflow.ACTIVE,
            "risks": Risk.choices,
            "workers": _workers_of(record.grid_path) if manage else [],
        },
    )


@login_required
@require_POST
def key_reveal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Show the ID number and phone in full for a stated reason, logged."""
    record = _record(request, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _detail(request, record, reveal_form=form)
    reveal_pii(
        actor=request.user,
        target=record,
        record=record.person,
        fields=["id_number", "phone"],
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    return _detail(request, record, revealed=True)


@login_required
@require_POST
def key_visit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record a visit (queued by the phone app when offline; resent with the same key, recorded once)."""
    record = _record(request, pk)
    form = KeyVisitForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            keypersons.record_key_visit(
                actor=request.user,
                record=record,
                note=d["note"],
                met=bool(d["met"]),
                lon=d["lon"],
                lat=d["lat"],
                idempotency_key=d["idempotency_key"] or None,
            )
        except DomainError as error:
            show_error(request, error)
            return redirect("people:key_detail", pk=record.pk)
        messages.success(request, _("走访已登记。"))
        if record.worker_id == request.user.pk:
            return redirect("people:key_mine")
        return redirect("people:key_detail", pk=record.pk)
    return _detail(request, record, visit_form=form)


@login_required
@require_POST
def key_act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """A manager's step on a record: change the risk, reassign the worker, end the listing."""
    record = _record(request, pk)
    note = request.POST.get("note", "").strip()
    try:
        if action == "change_risk":
            keypersons.change_risk(actor=request.user, record=record, risk=request.POST.get("risk", ""), note=note)
        elif action == "reassign":
            worker = User.objects.filter(pk=_int(request.POST.get("worker"))).first()
            if worker is None:
                raise DomainError(_("请选择责任网格员。"))
            keypersons.reassign(actor=request.user, record=record, worker=worker, note=note)
        elif action == "end":
            keypersons.end_listing(actor=request.user, record=record, note=note)
        else:
            raise Http404()
        messages.success(request, _("已保存。"))
    except DomainError as error:
        show_error(request, error)
    return redirect("people:key_detail", pk=record.pk)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@only_for(MANAGERS, gettext_lazy("只有网格长和综治中心调度员可以列管重点人员。"))
def key_new(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    """列管: list a person of the manager's grids as a key person."""
    person = Person.objects.filter(pk=person_pk, erased_at__isnull=True).first()
    if person is None or not keyflow.serves(request.user, person.grid_path, keyflow.MANAGER_ROLES):
        raise Http404(_("没有找到该人员，或您无权操作。"))
    workers = _workers_of(person.grid_path)
    form = ListForm(request.POST or None)
    form.fields["worker"].choices = [(w.pk, w.display_name) for w in workers]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = keypersons.list_key_person(
                actor=request.user,
                person=person,
                category=d["category"],
                risk=d["risk"],
                worker=next(w for w in workers if w.pk == d["worker"]),
                note=d["note"],
            )
        except DomainError as error:
            show_error(request, error, form=form)
        else:
            messages.success(request, _("已列为重点人员。"))
            return redirect("people:key_detail", pk=record.pk)
    return render(request, "people/key_new.html", {"form": form, "person": person})
