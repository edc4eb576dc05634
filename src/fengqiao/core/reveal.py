"""Unmasking personal identifiers: only with a stated reason, and always written to the audit trail.

Pages show ID numbers and phones masked. A person whose role allows it may see one record in full by posting the
:class:`RevealForm` (a reason from a fixed list, plus free text); :func:`reveal_pii` records who, when, which record,
which fields and why (``verb="reveal_pii"``) in the same request that shows the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core import audit
from fengqiao.core.actors import Caller
from fengqiao.core.models import Action


class RevealReason(models.TextChoices):
    CONTACT = "contact", _("联系当事人")
    SERVICE = "service", _("送达文书")
    VERIFY = "verify", _("核实身份")
    CONFIRMATION = "confirmation", _("申请司法确认")
    OTHER = "other", _("其他（请说明）")


class RevealForm(forms.Form):
    reason = forms.ChoiceField(label=_("查看理由"), choices=RevealReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["note"] = (data.get("note") or "").strip()
        if data.get("reason") == RevealReason.OTHER and not data["note"]:
            self.add_error("note", _("选择“其他”时请说明查看理由。"))
        return data


def reveal_pii(
    *,
    actor: Caller,
    target: models.Model,
    record: models.Model,
    fields: Sequence[str],
    reason: str,
    note: str = "",
) -> Action:
    """Log one unmasked view: ``target`` is the case whose trail holds it, ``record`` the row whose fields are shown."""
    return audit.record(
        actor=actor,
        verb="reveal_pii",
        target=target,
        note=note,
        data={
            "record": f"{record._meta.label}:{record.pk}",
            record._meta.model_name or "record": record.pk,
            "fields": list(fields),
            "reason": reason,
            "note": note,
        },
    )
