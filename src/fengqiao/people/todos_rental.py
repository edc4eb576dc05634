"""The home page's rental count: tenants' QR registrations waiting for the grid's own worker to verify them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.grids.home import Todo, register_todos
from fengqiao.people import rentals
from fengqiao.people.models import Tenancy

NOUN = _("人")


@register_todos
def tenant_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if user.is_superuser or not rentals.field_paths(user):
        return []
    count = rentals.tenancies_for(actor=user, states=[Tenancy.State.SUBMITTED]).count()
    if not count:
        return []
    return [Todo(_("待核验租户"), count, reverse("people:tenancy_queue"), colour="orange", noun=NOUN, order=10)]
