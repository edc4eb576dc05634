"""The periodic job that announces missed "13710" deadlines: each flag of each case goes out once, to the people
who can act on it (the centre for assignment and closure, the mediator for updates and return visits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role
from fengqiao.accounts.selectors import members_above
from fengqiao.core.signals import notify
from fengqiao.disputes.models import DeadlineWarning, Dispute
from fengqiao.disputes.selectors import FLAG_LABELS, _conditions


def _centre(dispute: Dispute, roles: tuple[str, ...]) -> list[Any]:
    return members_above(dispute.grid_path, roles)


def recipients(dispute: Dispute, flag: str) -> list[Any]:
    mediator = [dispute.mediator.user] if dispute.mediator_id and dispute.mediator else []
    if flag == "late_assign":
        return _centre(dispute, (Role.DISPATCHER,))
    if flag in ("late_update", "late_revisit"):
        return mediator + _centre(dispute, (Role.DISPATCHER,))
    return _centre(dispute, (Role.DISPATCHER, Role.LEADER)) + mediator  # late_close: red, up the line


def send_deadline_warnings(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    sent = {flag: 0 for flag, _ in _conditions(now)}
    for flag, condition in _conditions(now):
        due = Dispute.objects.filter(condition).exclude(warnings__flag=flag).select_related("mediator__user")
        for dispute in due.iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    DeadlineWarning.objects.create(dispute=dispute, flag=flag, sent_at=now)
            except IntegrityError:  # another worker announced it first
                continue
            notify.send(
                sender=Dispute,
                recipients=recipients(dispute, flag),
                kind="dispute_red" if flag == "late_close" else "dispute_orange",
                title=_("纠纷 %(code)s：%(label)s") % {"code": dispute.tracking_code, "label": FLAG_LABELS[flag]},
                url=reverse("disputes:detail", args=[dispute.tracking_code]),
                target=dispute,
            )
            sent[flag] += 1
    return sent
