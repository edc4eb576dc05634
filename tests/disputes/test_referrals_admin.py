"""The security administrator keeps referring bodies: the API key and callback secret are shown once, kept as a
digest or encrypted, and each change is on the record."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.core.models import Action
from fengqiao.disputes import referrals
from fengqiao.disputes.models import Referrer
from tests.factories import make_user


def test_a_new_referrer_gets_a_key_shown_once(tree):
    admin_user = make_user("sec", role=Role.SECURITY_ADMIN, node=tree["410105001"], is_staff=True, password=None)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/disputes/referrer/add/",
        {
            "name": "甲街道派出所",
            "source": "police",
            "node": tree["410105001"].pk,
            "callback_url": "https://jq.example.gov.cn/feedback",
            "active": "on",
            "issue_api_key": "on",
            "generate_callback_secret": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referrer = Referrer.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m.split("<code>")[1].split("</code>")[0] for m in shown if "接口密钥" in m)
    assert referrals.referrer_for_key(key) == referrer
    assert key not in referrer.api_key_index and referrer.callback_secret
    verbs = set(Action.objects.filter(actor=admin_user).values_list("verb", flat=True))
    assert {"referrer_key", "referrer_secret"} <= verbs
    assert not any(referrer.callback_secret in (a.note + str(a.data)) for a in Action.objects.all())


def test_a_dispatcher_cannot_issue_a_key(tree, dispatcher):
    referrer = Referrer.objects.create(name="热线", source="hotline", node=tree["410105"])
    client = Client()
    client.force_login(dispatcher)
    client.post(f"/admin/disputes/referrer/{referrer.pk}/change/", {"issue_api_key": "on", "name": "热线"})
    referrer.refresh_from_db()
    assert referrer.api_key_index == ""
