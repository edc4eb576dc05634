"""Forms of the petition pages: they parse input; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.petitions.models import Category, Form
from fengqiao.petitions.workflow import STATES

COLOURS = [("", _("全部")), ("red", _("红色 · 超期")), ("orange", _("橙色 · 即将到期")), ("green", _("绿色 · 按期"))]


class PetitionForm(forms.Form):
    form = forms.ChoiceField(label=_("信访形式"), choices=Form.choices)
    name = forms.CharField(label=_("信访人姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    petitioners = forms.IntegerField(label=_("信访人数"), min_value=1, max_value=10000, initial=1)
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    received_on = forms.DateField(label=_("收到日期"), initial=timezone.localdate)
    matter = forms.CharField(label=_("信访事项"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    links = forms.CharField(
        label=_("关联事件/纠纷查询码"),
        max_length=200,
        required=False,
        help_text=_("多个查询码用空格或逗号分隔"),
    )

    def clean_links(self) -> list[str]:
        return [c for c in re.split(r"[\s,，;；]+", self.cleaned_data.get("links") or "") if c][:10]


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *STATES.items()], required=False)
    colour = forms.ChoiceField(label=_("时限"), choices=COLOURS, required=False)
    repeat = forms.BooleanField(label=_("仅重复信访"), required=False)
    group = forms.BooleanField(label=_("仅集体访"), required=False)
    q = forms.CharField(label=_("查询"), max_length=40, required=False)


class ActionForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=4000, required=False)
    opinion = forms.CharField(label=_("处理意见书"), max_length=8000, required=False)
    days = forms.IntegerField(label=_("延期天数"), min_value=1, max_value=365, required=False)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items()}


class MeetingForm(forms.Form):
    node = forms.CharField(label=_("召开层级/区域"), max_length=40)
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("会议日期"), initial=timezone.localdate)
    chair = forms.IntegerField(label=_("主持人"))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), max_length=4000)
