"""Forms of the dispatch pages: parse and check input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.core import uploads
from fengqiao.dispatch.models import Instruction
from fengqiao.grids.models import GridNode, Level, full_names
from fengqiao.grids.selectors import visible_nodes

MAX_NODE_CHOICES = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class NodeTreeWidget(forms.CheckboxSelectMultiple):
    """Recipients as the grid tree: one checkbox per node, children nested under their parent in <details>, so the
    tree folds and unfolds without script; node_tree.js adds the filter, "this node and all below" and the count."""

    template_name = "dispatch/widgets/node_tree.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options = [option for _group, group, _index in context["widget"]["optgroups"] for option in group]
        nodes = [getattr(option["value"], "instance", None) for option in options]
        known = [n for n in nodes if isinstance(n, GridNode)]
        names = full_names(known)
        pks = {n.pk for n in known}
        children: dict[Any, list[int]] = {}
        roots: list[int] = []
        for index, node in enumerate(nodes):
            parent = node.parent_id if isinstance(node, GridNode) and node.parent_id in pks else None
            (children.setdefault(parent, []) if parent is not None else roots).append(index)
        items: list[dict[str, Any]] = []

        def walk(index: int, depth: int, ancestors: list[int]) -> None:
            node, option = nodes[index], options[index]
            below = children.get(node.pk, []) if isinstance(node, GridNode) else []
            name = names.get(node.path, node.name) if isinstance(node, GridNode) else str(option["label"])
            code = node.code if isinstance(node, GridNode) else ""
            item = {
                "option": option,
                "name": name,
                "code": code,
                "search": f"{name} {code}".lower(),
                "depth": depth,
                "has_children": bool(below),
                "open": depth == 0,
                "closes": range(0),
            }
            items.append(item)
            if option["selected"]:
                for up in ancestors:
                    items[up]["open"] = True
            position = len(items) - 1
            for child in below:
                walk(child, depth + 1, [*ancestors, position])
            if below:  # the last node of this branch closes it
                items[-1]["closes"] = range(len(items[-1]["closes"]) + 1)

        for root in roots:
            walk(root, 0, [])
        context["widget"]["items"] = items
        context["widget"]["selected_count"] = sum(1 for option in options if option["selected"])
        return context


class NodeChoiceField(forms.ModelMultipleChoiceField):
    # A forged or stale choice gets one plain answer, never the submitted value echoed back.
    default_error_messages = {
        "invalid_choice": _("所选发送范围不存在或不在您的管辖范围内，请重新选择。"),
        "invalid_pk_value": _("所选发送范围不存在或不在您的管辖范围内，请重新选择。"),
    }

    def label_from_instance(self, obj: GridNode) -> str:
        return f"{'　' * max(obj.depth - self.top_depth, 0)}{obj.name}"

    top_depth = 0


class SendForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Instruction.Kind.choices, initial=Instruction.Kind.INSTRUCTION)
    priority = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Instruction.Priority.choices, coerce=int, initial=Instruction.Priority.NORMAL
    )
    nodes = NodeChoiceField(
        label=_("发送范围"),
        queryset=GridNode.objects.none(),
        widget=NodeTreeWidget,
        help_text=_("选中区域下的全部人员都会收到；可多选。"),
    )
    codes = forms.CharField(
        label=_("或输入网格编码"),
        required=False,
        help_text=_("多个编码用逗号或空格分隔，用于下拉列表之外的网格。"),
    )
    roles = forms.MultipleChoiceField(
        label=_("限定角色"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则发给范围内所有人员。"),
    )
    deadline = forms.DateTimeField(
        label=_("完成期限"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    requires_ack = forms.BooleanField(label=_("需要签收"), required=False, initial=True)
    requires_report = forms.BooleanField(label=_("需要反馈办理情况"), required=False)
    images = forms.FileField(
        label=_("附件图片"),
        required=False,
        help_text=lazy(uploads.limit_text, str)(),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.actor = actor
        field: Any = self.fields["nodes"]
        nodes = visible_nodes(actor=actor).filter(level__lte=Level.COMMUNITY).order_by("path")
        field.queryset = nodes
        first = nodes.first()
        field.top_depth = first.depth if first else 0
        field.required = False

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("完成期限必须晚于现在。"))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = list(data.get("nodes") or [])
        codes = [c for c in (data.get("codes") or "").replace("，", ",").replace(",", " ").split() if c]
        if codes:
            found = list(visible_nodes(actor=self.actor).filter(code__in=codes))
            missing = sorted(set(codes) - {n.code for n in found})
            if missing:
                self.add_error("codes", _("找不到或无权访问的网格编码：%(codes)s") % {"codes": "、".join(missing)})
            chosen += found
        if not chosen and not self.errors:
            self.add_error("nodes", _("请选择发送范围（至少一个网格或区域）。"))
        data["targets"] = chosen
        return data


class ReportForm(forms.Form):
    report = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on every widget, so templates need no script to style them."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class VisitForm(StyledForm):
    address = forms.CharField(label=_("走访地址"), max_length=200)
    person_name = forms.CharField(label=_("走访对象"), max_length=50, required=False)
    note = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    person_ref = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)  # a person of the base data
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Drawn when the page is made (and afresh by the phone app for a cached page): a resent visit is recorded once.
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)


class DiaryForm(StyledForm):
    text = forms.CharField(label=_("今日民情日志"), widget=forms.Textarea(attrs={"rows": 4}))


class ScreeningForm(StyledForm):
    """矛盾排查 on the phone: the grid, the period, what was found, or an explicit zero report."""

    grid = forms.ChoiceField(label=_("排查网格"))
    period_start = forms.DateField(label=_("排查期起"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("排查期止"), widget=forms.DateInput(attrs={"type": "date"}))
    found = forms.IntegerField(label=_("发现矛盾纠纷（件）"), min_value=0, max_value=100000, initial=0)
    none_found = forms.BooleanField(
        label=_("零报告：本期未发现矛盾纠纷"),
        required=False,
        help_text=_("没有发现也要报告：件数为 0 时必须勾选。"),
    )
    note = forms.CharField(
        label=_("排查情况"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    instruction = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Drawn when the page is made (and afresh by the phone app for a cached page): a resent record is recorded once.
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, grids: list[GridNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grid"]
        field.choices = [(g.code, g.name) for g in grids]
        field.error_messages["invalid_choice"] = _("只能为您任职的网格填报排查结果，所选网格不在其中，请重新选择。")
