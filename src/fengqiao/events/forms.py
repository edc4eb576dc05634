"""Forms for the event pages: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.core import scoping
from fengqiao.events.models import Category, HotlineKind, Source
from fengqiao.events.selectors import OWN, QueueFilters
from fengqiao.events.workflow import STATES
from fengqiao.grids.models import GridNode


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; each is checked by content in the service, not here."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


def category_choices() -> list[tuple[str, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for cat in Category.objects.filter(active=True, parent__isnull=False).select_related("parent").order_by("code"):
        assert cat.parent is not None
        groups.setdefault(cat.parent.name, []).append((cat.code, cat.name))
    return [("", _("请选择分类"))] + [(group, items) for group, items in groups.items()]


class CategoryField(forms.ChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choices=category_choices, **kwargs)

    def clean(self, value: Any) -> Category | None:
        code = super().clean(value)
        if not code:
            return None
        return Category.objects.filter(code=code, active=True, parent__isnull=False).first()


def own_grids(actor: Any) -> QuerySet[GridNode]:
    """The grids a worker is a member of: what they may file a report in when the phone cannot place them."""
    paths = scoping.paths_of(actor)
    if not paths:  # nobody, or an administrator of everything: they place the report by position
        return GridNode.objects.none()
    return GridNode.objects.filter(path__in=paths).select_related("parent").order_by("path")


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GridNode) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent else obj.name


class ReportForm(forms.Form):
    """A grid worker's report from the phone. ``grid`` is the fallback when the phone cannot place the worker in
    any grid: one of the worker's own grids (the view sets the choices)."""

    category = CategoryField(label=_("分类"), required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lon = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    photos = PhotosField(label=_("现场照片"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    grid = GridChoiceField(
        label=_("所属网格"),
        queryset=GridNode.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("无法定位或定位不在网格范围内时，按所选网格上报；请同时填写地址。"),
    )

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "grid" in self.fields and actor is not None:
            grids = own_grids(actor)
            field: Any = self.fields["grid"]
            field.queryset = grids
            if not self.is_bound and len(grids) == 1:
                self.initial.setdefault("grid", grids[0].code)


class PublicReportForm(ReportForm):
    """A resident's report from a grid's QR code: no login, a phone number for the answer; the grid is the QR's."""

    grid = None  # type: ignore[assignment]
    reporter_name = forms.CharField(label=_("您的称呼"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20)
    field_order = ["description", "category", "photos", "address", "reporter_name", "reporter_phone"]


class HotlineForm(forms.Form):
    """12345: the operator records a call."""

    hotline_kind = forms.ChoiceField(label=_("来电类型"), choices=HotlineKind.choices)
    reporter_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("来电号码"), max_length=20)
    category = CategoryField(label=_("分类"), required=False)
    description = forms.CharField(label=_("来电内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    grid = forms.ModelChoiceField(
        label=_("所属网格"),
        queryset=GridNode.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("无法定位时选择网格"),
    )
    lon = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["description"].widget.attrs["rows"] = 4


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("查询码/关键词"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *STATES.items()])
    colour = forms.ChoiceField(
        label=_("时限"),
        required=False,
        choices=[("", _("全部")), ("green", _("正常")), ("orange", _("临期")), ("red", _("超期"))],
    )
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Source.choices])
    category = forms.CharField(label=_("分类编码"), required=False)
    grid = forms.CharField(label=_("网格编码"), required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    open_only = forms.BooleanField(label=_("仅未办结"), required=False)
    # 四事分办: a centre's own level by default; the whole jurisdiction on request (read-only above the centre).
    scope = forms.ChoiceField(label=_("范围"), required=False, choices=[("own", _("本级待办")), ("all", _("辖区全部"))])

    def filters(self) -> QueueFilters:
        """What the workbench lists for these parameters, and so what its export takes: open events only when nothing
        is asked (the first visit), and the centre's own level (本级待办) unless the whole jurisdiction is asked for."""
        found = QueueFilters(open_only=not self.data)
        if self.is_valid():
            found = QueueFilters(**{k: v for k, v in self.cleaned_data.items() if v not in (None, "")})
        found.scope = OWN if found.scope != "all" else "all"
        return found


class ActionForm(forms.Form):
    """The fields any event action may carry; each service takes what it needs."""

    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    result = forms.CharField(
        label=_("处置结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    acceptance = forms.CharField(label=_("验收意见"), required=False, max_length=2000)
    category = CategoryField(label=_("分类"), required=False)
    department = forms.IntegerField(required=False)
    co_departments = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    into = forms.CharField(label=_("合并至"), required=False, max_length=20)
    skip = forms.BooleanField(required=False)
    hours = forms.IntegerField(label=_("延长小时数"), required=False, min_value=1, max_value=720)
    photos = PhotosField(label=_("照片"), required=False)
    worker = forms.IntegerField(required=False)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Department ids are checked by the service against the event's area; accept any id here.
        field = self.fields["co_departments"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.valid_value = lambda value: True  # type: ignore[method-assign]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    comment = forms.CharField(
        label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


class SpotForm(ReportForm):
    """即报即办: a small matter the worker has already solved, with photos before and after (both required; each is
    checked by content in the service)."""

    photos = None  # type: ignore[assignment]
    result = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    before = PhotosField(label=_("处置前照片"))
    after = PhotosField(label=_("处置后照片"))


class WhistleRankingForm(forms.Form):
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
