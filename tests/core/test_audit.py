"""The audit trail is append-only."""

import pytest

from fengqiao.core import audit
from fengqiao.core.models import Action, AppendOnlyError


@pytest.fixture
def action(tree, dispatcher):
    return audit.record(actor=dispatcher, verb="test", target=tree["410105"], note="看一看")


def test_recording_keeps_who_what_and_where(action, tree, dispatcher):
    assert action.actor_name == "王芳"
    assert action.grid_path == tree["410105"].path
    assert list(audit.history(tree["410105"]).filter(verb="test")) == [action]


def test_an_action_cannot_be_edited(action):
    action.note = "改掉"
    with pytest.raises(AppendOnlyError):
        action.save()


def test_an_action_cannot_be_deleted_one_by_one_or_in_bulk(action):
    with pytest.raises(AppendOnlyError):
        action.delete()
    with pytest.raises(AppendOnlyError):
        Action.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Action.objects.all().update(note="x")
    assert Action.objects.filter(pk=action.pk).exists()
