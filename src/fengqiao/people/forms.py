"""Phone-first forms of the base data: few fields, big inputs, numeric keyboards where digits are typed.

The forms only parse; the services validate the rules (ID check digit, phone, duplicates) and word the refusals.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.grids.models import GridNode
from fengqiao.people.models import Building, Organisation, Person, Place, Residence, Room


class PhoneForm(forms.Form):
    """Bootstrap classes on every widget, so each page renders the fields the same way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class GridChoiceForm(PhoneForm):
    grid = forms.ChoiceField(label=_("所属网格"))

    def __init__(self, *args: Any, grids: list[GridNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grid"]
        field.choices = [(g.code, g.name) for g in grids]
        field.error_messages["invalid_choice"] = _("只能登记到您负责的网格，所选网格不在其中。")


class BuildingForm(GridChoiceForm):
    name = forms.CharField(
        label=_("楼栋名称"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("如：3号楼")})
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Building.Kind.choices)
    estate = forms.CharField(label=_("小区（选填）"), max_length=100, required=False)
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    floors = forms.IntegerField(
        label=_("层数（选填）"),
        min_value=1,
        max_value=200,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)


class RoomForm(PhoneForm):
    unit = forms.CharField(label=_("单元（选填）"), max_length=20, required=False)
    number = forms.CharField(label=_("室号"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "101"}))
    use = forms.ChoiceField(label=_("用途"), choices=Room.Use.choices)
    area_m2 = forms.DecimalField(
        label=_("面积（平方米，选填）"),
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class PersonForm(PhoneForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        help_text=_("已登记过的身份证号会关联到同一人员，不会重复登记。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("人口类别"), choices=Person.Kind.choices, initial=Person.Kind.RESIDENT)
    address = forms.CharField(label=_("户籍地址（选填）"), max_length=200, required=False)


class PersonInRoomForm(PersonForm):
    relation = forms.ChoiceField(label=_("与房屋的关系"), choices=Residence.Relation.choices)


class ResidenceForm(PhoneForm):
    relation = forms.ChoiceField(label=_("与房屋的关系"), choices=Residence.Relation.choices)


class PlaceForm(GridChoiceForm):
    kind = forms.ChoiceField(label=_("类型"), choices=Place.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    layer = forms.ChoiceField(
        label=_("图层"),
        choices=[("", _("按类型自动选择")), *Place.Layer.choices],
        required=False,
    )
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    note = forms.CharField(
        label=_("说明（选填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)


class OrganisationForm(GridChoiceForm):
    kind = forms.ChoiceField(label=_("类型"), choices=Organisation.Kind.choices)
    name = forms.CharField(label=_("组织名称"), max_length=150)
    credit_code = forms.CharField(label=_("统一社会信用代码（选填）"), max_length=18, required=False)
    address = forms.CharField(label=_("地址（选填）"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人（选填）"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    employees = forms.IntegerField(
        label=_("从业人数（选填）"),
        min_value=0,
        max_value=1000000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)


class FindForm(PhoneForm):
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": _("18 位身份证号")}),
    )


class DutyForm(PhoneForm):
    """Export or erasure: the basis on which the centre acts (the person's request and its reference)."""

    reason = forms.CharField(
        label=_("办理依据"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：本人书面申请，登记编号……")}),
    )
