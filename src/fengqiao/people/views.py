"""Pages of the base data (人地事物组织): the grid profile, building → room → residents, persons (masked, unmasked
with a logged reason), places, organisations, the phone forms that keep them, and the PIPL pages.

Thin: every read goes through ``people.selectors`` (scoped; an object out of reach is a 404 like a missing one),
every write through ``people.services`` or ``people.pii_duties``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import only_for
from fengqiao.core.reveal import RevealForm, reveal_pii
from fengqiao.grids.models import GridNode
from fengqiao.people import forms, pii_duties, selectors, services
from fengqiao.people.models import Organisation, Person, Place, Residence

REFUSED = gettext_lazy("基础数据只对网格员、网格长、综治中心和领导开放。")
may_use = selectors.may_use_base_data


def _get(fetch: Any, **kwargs: Any) -> Any:
    try:
        return fetch(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(_("没有找到，或不在您的管辖范围内。")) from None


def _page(request: AuthenticatedRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@login_required
@only_for(may_use, REFUSED)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """基础数据: the grids the user serves, each leading to its profile, and the lookup by ID number."""
    return render(
        request,
        "people/base_index.html",
        {"grids": selectors.my_grids(actor=request.user), "find_form": forms.FindForm()},
    )


@login_required
@only_for(may_use, REFUSED)
def grid_profile(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """网格画像: counts at a glance, then one page of one list (楼栋、人员、场所设施、组织)."""
    profile = _get(selectors.grid_profile, actor=request.user, code=code)
    tab = request.GET.get("tab", "buildings")
    tab = tab if tab in selectors.TABS else "buildings"
    kind = request.GET.get("kind", "")[:20]
    rows = selectors.profile_rows(actor=request.user, node=profile.node, tab=tab, page=_page(request), kind=kind)
    children = GridNode.objects.filter(parent=profile.node).order_by("code")[:100]
    return render(
        request,
        "people/base_profile.html",
        {
            "p": profile,
            "node": profile.node,
            "tab": tab,
            "kind": kind,
            "rows": rows,
            "children": children,
            "may_edit": selectors.may_edit(request.user, profile.node.path),
            "person_kinds": [(k, label, profile.persons_by_kind.get(k, 0)) for k, label in Person.Kind.choices],
            "place_layers": [(k, label, profile.places_by_layer.get(k, 0)) for k, label in Place.Layer.choices],
            "org_kinds": [
                (k, label, profile.organisations_by_kind.get(k, 0)) for k, label in Organisation.Kind.choices
            ],
        },
    )


@login_required
@only_for(may_use, REFUSED)
def building(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """楼栋: its rooms, each with how many live there now."""
    b = _get(selectors.building_detail, actor=request.user, pk=pk)
    return render(
        request,
        "people/base_building.html",
        {"b": b, "rooms": selectors.rooms_of(building=b), "may_edit": selectors.may_edit(request.user, b.grid_path)},
    )


@login_required
@only_for(may_use, REFUSED)
def room(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """房屋: who lives here now (masked), the households, and who lived here before."""
    r = _get(selectors.room_detail, actor=request.user, pk=pk)
    return render(
        request,
        "people/base_room.html",
        {
            "r": r,
            "current": selectors.residents_of(room=r),
            "past": selectors.residents_of(room=r, current=False).filter(until__isnull=False)[:20],
            "households": selectors.households_of(room=r),
            "may_edit": selectors.may_edit(request.user, r.grid_path),
        },
    )


@login_required
@only_for(may_use, REFUSED)
def person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """人员: masked identifiers (unmasked by a POSTed reason, logged), residence history, the linked cases."""
    p = _get(selectors.person_detail, actor=request.user, pk=pk)
    revealed = False
    reveal_form = RevealForm(request.POST or None)
    if request.method == "POST" and p.erased_at is None:
        if reveal_form.is_valid():
            fields = [name for name in ("id_number", "phone", "address") if getattr(p, name)]
            reveal_pii(
                actor=request.user,
                target=p,
                record=p,
                fields=fields,
                reason=reveal_form.cleaned_data["reason"],
                note=reveal_form.cleaned_data["note"],
            )
            revealed = True
            reveal_form = RevealForm()
        else:
            messages.error(request, _("查看完整信息须选择查看理由。"))
    history = []
    for row in selectors.residence_history(person=p):
        visible = selectors.may_read(request.user, row.room.grid_path)
        history.append({"row": row, "visible": visible})
    return render(
        request,
        "people/base_person.html",
        {
            "p": p,
            "revealed": revealed,
            "reveal_form": reveal_form,
            "history": history,
            "cases": selectors.cases_of(actor=request.user, person=p),
            "may_edit": selectors.may_edit(request.user, p.grid_path) and p.erased_at is None,
            "may_visit": selectors.may_visit(request.user, p.grid_path) and p.erased_at is None,
            "may_duty": selectors.may_handle_pii(request.user, p.grid_path),
            "duty_form": forms.DutyForm(),
        },
    )


@login_required
@only_for(may_use, REFUSED)
@require_POST
def find(request: AuthenticatedRequest) -> HttpResponse:
    """按身份证号查找: the keyed hash, within reach; a miss says only that nothing was found in reach."""
    form = forms.FindForm(request.POST)
    if form.is_valid():
        try:
            number = services.clean_id_number(form.cleaned_data["id_number"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("people:index")
        found = selectors.find_person(actor=request.user, id_number=number)
        if found is not None:
            return redirect("people:person", pk=found.pk)
    messages.info(request, _("在您的管辖范围内没有找到该身份证号的人员。"))
    return redirect("people:index")


# Phone forms: create and edit.


def _render_form(request: AuthenticatedRequest, form: Any, title: str, back: str, **extra: Any) -> HttpResponse:
    return render(request, "people/base_form.html", {"form": form, "title": title, "back": back, **extra})


def _editable_grids_or_403(request: AuthenticatedRequest, node: GridNode) -> list[GridNode]:
    grids = selectors.editable_grids(actor=request.user, under=node)
    if not grids:
        raise PermissionDenied(_("只有本网格的网格员和网格长可以维护这里的基础数据。"))
    return grids


@login_required
@only_for(may_use, REFUSED)
def building_form(request: AuthenticatedRequest, code: str = "", pk: int | None = None) -> HttpResponse:
    """登记/修改楼栋."""
    obj = _get(selectors.building_detail, actor=request.user, pk=pk) if pk else None
    node = obj.grid if obj else _get(selectors.grid_for, actor=request.user, code=code)
    grids = _editable_grids_or_403(request, node)
    initial = (
        {k: getattr(obj, k) for k in ("name", "kind", "estate", "address", "floors")} | {"grid": obj.grid.code}
        if obj
        else {}
    )
    form = forms.BuildingForm(request.POST or None, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.save_building(
                actor=request.user,
                grid=next(g for g in grids if g.code == data.pop("grid")),
                building=obj,
                **data,
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("楼栋已保存。"))
            return redirect("people:building", pk=obj.pk)
    back = f"/people/buildings/{obj.pk}/" if obj else f"/people/grid/{node.code}/"
    return _render_form(request, form, _("修改楼栋") if obj else _("登记楼栋"), back, locate=True)


@login_required
@only_for(may_use, REFUSED)
def room_form(request: AuthenticatedRequest, building_pk: int = 0, pk: int | None = None) -> HttpResponse:
    """登记/修改房屋."""
    obj = _get(selectors.room_detail, actor=request.user, pk=pk) if pk else None
    b = obj.building if obj else _get(selectors.building_detail, actor=request.user, pk=building_pk)
    if not selectors.may_edit(request.user, b.grid_path):
        raise PermissionDenied(_("只有本网格的网格员和网格长可以维护这里的基础数据。"))
    initial = {k: getattr(obj, k) for k in ("unit", "number", "use", "area_m2")} if obj else {}
    form = forms.RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.save_room(actor=request.user, building=b, room=obj, **form.cleaned_data)
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("房屋已保存。"))
            return redirect("people:room", pk=obj.pk)
    return _render_form(request, form, _("修改房屋") if obj else _("登记房屋"), f"/people/buildings/{b.pk}/")


@login_required
@only_for(may_use, REFUSED)
def person_new(request: AuthenticatedRequest, room_pk: int) -> HttpResponse:
    """登记人员 into a room: a known ID number links (or moves here) the same person, never a duplicate."""
    r = _get(selectors.room_detail, actor=request.user, pk=room_pk)
    if not selectors.may_edit(request.user, r.grid_path):
        raise PermissionDenied(_("只有本网格的网格员和网格长可以维护这里的基础数据。"))
    form = forms.PersonInRoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.register_person(actor=request.user, grid=r.grid, room=r, **data)
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            if done.created:
                messages.success(request, _("人员已登记。"))
            elif done.moved:
                messages.success(request, _("该身份证号已有登记，已将此人迁入本房屋，原居住关系已结束。"))
            else:
                messages.success(request, _("该身份证号已有登记，已关联到同一人员，没有重复登记。"))
            return redirect("people:room", pk=r.pk)
    return _render_form(request, form, _("登记人员"), f"/people/rooms/{r.pk}/", subtitle=str(r))


@login_required
@only_for(may_use, REFUSED)
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """修改人员信息 (the ID number is shown masked and changed only by typing a new one)."""
    p = _get(selectors.person_detail, actor=request.user, pk=pk)
    if not selectors.may_edit(request.user, p.grid_path):
        raise PermissionDenied(_("只有本网格的网格员和网格长可以维护这里的基础数据。"))
    form = forms.PersonForm(
        request.POST or None,
        initial={"name": p.name, "kind": p.kind, "phone": p.phone, "address": p.address},
    )
    form.fields["id_number"].help_text = _("现登记为 %(masked)s；不修改请留空。") % {"masked": p.id_masked or "—"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        number = data.pop("id_number") or None
        try:
            services.edit_person(actor=request.user, person=p, id_number=number, **data)
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("人员信息已保存。"))
            return redirect("people:person", pk=p.pk)
    return _render_form(request, form, _("修改人员信息"), f"/people/persons/{p.pk}/")


@login_required
@only_for(may_use, REFUSED)
@require_POST
def residence_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """迁出: end one residence (kept as history)."""
    row = Residence.objects.select_related("room", "person").filter(pk=pk).first()
    if row is None or not selectors.may_read(request.user, row.room.grid_path):
        raise Http404(_("没有找到，或不在您的管辖范围内。"))
    try:
        services.end_residence(actor=request.user, residence=row)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已登记迁出。"))
    return redirect("people:room", pk=row.room_id)


def _place_or_org_form(request: AuthenticatedRequest, *, code: str, pk: int | None, org: bool) -> HttpResponse:
    fetch = selectors.organisation_detail if org else selectors.place_detail
    obj = _get(fetch, actor=request.user, pk=pk) if pk else None
    node = obj.grid if obj else _get(selectors.grid_for, actor=request.user, code=code)
    grids = _editable_grids_or_403(request, node)
    form_class: Any = forms.OrganisationForm if org else forms.PlaceForm
    names = [n for n in form_class.base_fields if n not in ("grid", "lon", "lat")]
    initial = ({n: getattr(obj, n) for n in names} | {"grid": obj.grid.code}) if obj else {}
    form = form_class(request.POST or None, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = next(g for g in grids if g.code == data.pop("grid"))
        try:
            if org:
                obj = services.save_organisation(actor=request.user, grid=grid, organisation=obj, **data)
            else:
                obj = services.save_place(actor=request.user, grid=grid, place=obj, **data)
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已保存。"))
            tab = "organisations" if org else "places"
            return redirect(f"/people/grid/{obj.grid.code}/?tab={tab}")
    titles = {(True, True): _("修改组织"), (True, False): _("登记组织")}
    titles |= {(False, True): _("修改场所设施"), (False, False): _("登记场所设施")}
    title = titles[(org, obj is not None)]
    return _render_form(request, form, title, f"/people/grid/{node.code}/", locate=True)


@login_required
@only_for(may_use, REFUSED)
def place_form(request: AuthenticatedRequest, code: str = "", pk: int | None = None) -> HttpResponse:
    """登记/修改场所设施."""
    return _place_or_org_form(request, code=code, pk=pk, org=False)


@login_required
@only_for(may_use, REFUSED)
def organisation_form(request: AuthenticatedRequest, code: str = "", pk: int | None = None) -> HttpResponse:
    """登记/修改组织."""
    return _place_or_org_form(request, code=code, pk=pk, org=True)


# PIPL pages.


@login_required
@only_for(may_use, REFUSED)
def pii_notice(request: AuthenticatedRequest) -> HttpResponse:
    """个人信息处理说明: each personal field, its purpose, legal basis, retention and protection."""
    rows = [{"d": d, "protection": pii_duties.protection_of(d)} for d in pii_duties.DUTIES]
    return render(request, "people/base_pii.html", {"rows": rows})


@login_required
@only_for(may_use, REFUSED)
@require_POST
def person_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """个人信息导出 for the person (JSON), by the centre with a reason; logged."""
    p = _get(selectors.person_detail, actor=request.user, pk=pk)
    if not selectors.may_handle_pii(request.user, p.grid_path):
        raise PermissionDenied(_("个人信息的导出和删除由辖区综治中心调度员办理。"))
    try:
        data = pii_duties.export_person(actor=request.user, person=p, reason=request.POST.get("reason", "")[:200])
    except DomainError as exc:
        show_error(request, exc)
        return redirect("people:person", pk=p.pk)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f'attachment; filename="person-{p.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@only_for(may_use, REFUSED)
def person_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """删除个人信息 (匿名化) at the person's request: a confirmation page, then the irreversible step."""
    p = _get(selectors.person_detail, actor=request.user, pk=pk)
    if not selectors.may_handle_pii(request.user, p.grid_path):
        raise PermissionDenied(_("个人信息的导出和删除由辖区综治中心调度员办理。"))
    form = forms.DutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pii_duties.erase_person(actor=request.user, person=p, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("该人员的个人信息已删除（匿名化），居住记录保留但不再能识别本人。"))
            return redirect("people:person", pk=p.pk)
    return render(request, "people/base_erase.html", {"p": p, "form": form})
