"""The centre enters a referred case by hand through the same intake: the referring body and its reference."""

from __future__ import annotations

from django.test import Client

from fengqiao.disputes.models import Dispute, Referrer, Source


def _form(tree, types, **extra):
    data = {
        "grid": "410105001001001",
        "source": "court",
        "type": types["neighbours"].pk,
        "summary": "诉前委派：邻里噪音纠纷。",
        "people_involved": 2,
        "risk": "blue",
        "applicant_name": "张三",
        "respondent_kind": "person",
        "respondent_name": "李四",
        "source_ref": "(2024)豫0105民诉前调7号",
    }
    data.update(extra)
    return data


def _post(user, data):
    client = Client()
    client.force_login(user)
    return client.post("/disputes/new/", data)


def test_the_centre_enters_a_court_case_with_its_reference(tree, types, centre_a):
    court = Referrer.objects.create(name="金水区人民法院", source=Source.COURT, node=tree["410105"])
    response = _post(centre_a, _form(tree, types, referrer=court.pk))
    assert response.status_code == 302, response.content.decode()[-3000:]
    dispute = Dispute.objects.get()
    assert (dispute.referrer, dispute.source_ref) == (court, "(2024)豫0105民诉前调7号")


def test_a_referring_source_needs_its_reference(tree, types, centre_a):
    response = _post(centre_a, _form(tree, types, source_ref=""))
    assert response.status_code == 200 and "须填写来源编号" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_referrer_of_another_channel_is_refused(tree, types, centre_a):
    police = Referrer.objects.create(name="甲街道派出所", source=Source.POLICE, node=tree["410105001"])
    response = _post(centre_a, _form(tree, types, referrer=police.pk))
    assert response.status_code == 200 and "不一致" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_referrer_of_another_street_is_not_offered(tree, types, centre_a):
    other = Referrer.objects.create(name="乙街道人民法庭", source=Source.COURT, node=tree["410105002"])
    response = _post(centre_a, _form(tree, types, referrer=other.pk))
    assert response.status_code == 200
    assert not Dispute.objects.exists()


def test_the_same_reference_twice_is_refused_clearly(tree, types, centre_a):
    assert _post(centre_a, _form(tree, types)).status_code == 302
    response = _post(centre_a, _form(tree, types))
    assert response.status_code == 200 and "已录入过" in response.content.decode()
    assert Dispute.objects.count() == 1
