"""Core knows who acts only through its actor protocol: a signed-in user is one, an anonymous visitor or nobody is not.

The audit trail and attachments store the actor by id (core cannot name the accounts model), so the row must still
point at the right user, and at nobody for an anonymous caller.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fengqiao.core import audit
from fengqiao.core.actors import signed_in


def test_an_anonymous_visitor_is_not_signed_in():
    assert not signed_in(AnonymousUser())


def test_nobody_is_not_signed_in():
    assert not signed_in(None)


@pytest.mark.django_db
def test_a_user_is_signed_in(dispatcher):
    assert signed_in(dispatcher)


@pytest.mark.django_db
def test_the_trail_names_the_user_who_acted(tree, dispatcher):
    row = audit.record(actor=dispatcher, verb="test", target=tree["410105"])
    row.refresh_from_db()
    assert row.actor == dispatcher
    assert row.actor_name == dispatcher.display_name


@pytest.mark.django_db
def test_an_anonymous_caller_is_recorded_as_nobody(tree):
    row = audit.record(actor=AnonymousUser(), verb="test", target=tree["410105"])
    row.refresh_from_db()
    assert row.actor is None
    assert row.actor_name == ""
