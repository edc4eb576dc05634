"""The small demo, loaded by its command, gives the documented `mediator` login cases to work on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from fengqiao.accounts.models import User
from fengqiao.disputes import selectors


@pytest.mark.django_db
def test_the_mediator_login_of_the_small_demo_has_open_cases():
    call_command("demo", "--scale", "small", "--seed", "3", stdout=StringIO())
    cases = list(selectors.my_cases(actor=User.objects.get(username="mediator")))
    states = {c.state for c in cases}
    assert {"assigned", "accepted", "mediating"} <= states
    assert "orange" in {c.colour for c in cases}
