"""Forms of the dispute pages: they only parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.disputes.models import REFERRING_SOURCES, DisputeType, Party, Referral, Referrer, Risk, Source
from fengqiao.disputes.workflow import STATES


class IntakeForm(forms.Form):
    """The resident's phone form reached by the community's QR poster (no login)."""

    type = forms.ModelChoiceField(
        label=_("纠纷类型"), queryset=DisputeType.objects.filter(active=True), empty_label=_("请选择")
    )
    summary = forms.CharField(
        label=_("发生了什么"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("请简要描述纠纷经过，至少 5 个字")}),
    )
    claim = forms.CharField(
        label=_("您的诉求"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.DecimalField(label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2)
    people_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000, initial=2)
    address = forms.CharField(label=_("发生地点"), max_length=200, required=False)
    applicant_name = forms.CharField(label=_("您的姓名"), max_length=100)
    applicant_phone = forms.CharField(label=_("您的手机号"), max_length=20)
    applicant_id = forms.CharField(label=_("您的身份证号（选填）"), max_length=18, required=False)
    respondent_kind = forms.ChoiceField(label=_("对方是"), choices=Party.Kind.choices, initial=Party.Kind.PERSON)
    respondent_name = forms.CharField(label=_("对方姓名或单位名称"), max_length=100)
    respondent_phone = forms.CharField(label=_("对方电话（选填）"), max_length=20, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(label=_("我同意调解组织为调解本纠纷使用以上信息"))


class StaffIntakeForm(IntakeForm):
    """Walk-in, police, court and petition referrals entered by the centre."""

    source = forms.ChoiceField(label=_("来源"), choices=[c for c in Source.choices if c[0] != Source.QR])
    risk = forms.ChoiceField(label=_("风险等级"), choices=Risk.choices, initial=Risk.BLUE)
    risk_reason = forms.CharField(label=_("研判理由"), max_length=200, required=False)
    respondent_id = forms.CharField(label=_("对方身份证号/信用代码（选填）"), max_length=18, required=False)
    applicant_phone = forms.CharField(label=_("申请人电话"), max_length=20, required=False)
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=100)
    referrer = forms.ModelChoiceField(
        label=_("移交单位"), queryset=Referrer.objects.none(), required=False, empty_label=_("（非移交案件）")
    )
    source_ref = forms.CharField(label=_("来源编号（案号、警情号、信访件号或工单号）"), max_length=64, required=False)

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("consent")
        if actor is not None:  # the referring bodies whose area overlaps the centre's
            from fengqiao.disputes.referrals import referrers_for

            self.fields["referrer"].queryset = referrers_for(actor=actor)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, referrer = data.get("source"), data.get("referrer")
        if source in REFERRING_SOURCES and not (data.get("source_ref") or "").strip():
            self.add_error("source_ref", _("移交渠道的案件须填写来源编号。"))
        if referrer is not None and referrer.source != source:
            self.add_error("referrer", _("所选移交单位与来源渠道不一致。"))
        return data


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *STATES.items()])
    type = forms.ChoiceField(label=_("类型"), required=False)
    colour = forms.ChoiceField(
        label=_("颜色"),
        required=False,
        choices=[("", _("全部颜色")), ("green", _("绿")), ("orange", _("橙")), ("red", _("红"))],
    )
    risk = forms.ChoiceField(label=_("风险"), required=False, choices=[("", _("全部风险")), *Risk.choices])
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Source.choices])
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("全部类型"))] + [  # type: ignore[attr-defined]
            (t.code, t.name) for t in DisputeType.objects.filter(active=True)
        ]


class ActionForm(forms.Form):
    """Everything any action on the case page may post; each service checks what it needs."""

    note = forms.CharField(required=False, max_length=2000)
    mediator = forms.IntegerField(required=False)
    type = forms.ModelChoiceField(queryset=DisputeType.objects.all(), required=False)
    risk = forms.ChoiceField(choices=[("", "-"), *Risk.choices], required=False)
    risk_reason = forms.CharField(required=False, max_length=200)
    held_at = forms.DateTimeField(required=False)
    place = forms.CharField(required=False, max_length=200)
    online = forms.BooleanField(required=False)
    participants = forms.CharField(required=False, max_length=500)
    notes = forms.CharField(required=False, max_length=4000)
    result = forms.CharField(required=False, max_length=2000)
    referral_to = forms.ChoiceField(choices=[("", "-"), *Referral.choices], required=False)
    outcome = forms.CharField(required=False, max_length=2000)
    facts = forms.CharField(required=False, max_length=2000)
    terms = forms.CharField(required=False, max_length=2000)
    performance = forms.CharField(required=False, max_length=2000)
    text = forms.CharField(required=False, max_length=4000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("调解员名册（.xlsx）"))
