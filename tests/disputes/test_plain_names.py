"""Party names, phones and ID numbers are personal data: they stay encrypted in the party rows and are never copied
in plain text into the audit trail, the referral letter kept on the case, or an object's text form."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from fengqiao.core.models import Action
from fengqiao.disputes import documents, services
from fengqiao.disputes.models import Dispute, Party, Referral
from fengqiao.events import services as events
from fengqiao.events.models import Source
from tests.disputes.conftest import APPLICANT_ID, RESPONDENT_ID, RESPONDENT_PHONE, T0

SECRETS = ["张三", "李四", "13800138000", RESPONDENT_PHONE, APPLICANT_ID, RESPONDENT_ID]


def _texts(action: Action) -> str:
    return " ".join([action.object_repr, action.note, action.actor_name, json.dumps(action.data, ensure_ascii=False)])


def _leaks(actions) -> list[tuple[str, str]]:
    return [(a.verb, s) for a in actions for s in SECRETS if s in _texts(a)]


def _at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_full_lifecycle_leaves_no_party_identifier_in_the_audit_trail(dispute, centre_a, mediation):
    mediator = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute, note="已核实，张三来电确认", now=_at(1))
    services.assign(actor=centre_a, dispute=dispute, mediator=mediator, now=_at(2))
    services.accept(actor=mediator.user, dispute=dispute, now=_at(3))
    services.record_session(
        actor=mediator.user,
        dispute=dispute,
        held_at=_at(4),
        place="社区调解室",
        participants="申请人张三，被申请人李四",
        notes=f"李四（电话 {RESPONDENT_PHONE}）同意夜间停工；张三身份证 {APPLICANT_ID}",
        now=_at(5),
    )
    services.post_update(actor=mediator.user, dispute=dispute, text="已与李四电话沟通", now=_at(6))
    services.draft_agreement(
        actor=mediator.user, dispute=dispute, facts="张三与李四因装修噪音", terms="李四停止夜间施工", performance="即日"
    )
    services.resolve(actor=mediator.user, dispute=dispute, result="李四同意赔偿张三 500 元", now=_at(8))
    services.record_revisit(actor=centre_a, dispute=dispute, note="回访张三，满意", now=_at(30))
    services.close(actor=centre_a, dispute=dispute, now=_at(31))
    dispute.refresh_from_db()
    assert dispute.state == "closed"
    actions = list(Action.objects.filter(object_id=str(dispute.pk)))
    assert len(actions) >= 9
    assert _leaks(actions) == []
    # The masked forms are there, so the trail still says who was meant.
    assert any("张*" in _texts(a) for a in actions)


def test_a_referral_keeps_the_parties_masked_on_the_case_and_in_the_trail(dispute, centre_a, mediation):
    mediator = mediation["neighbour_expert"]
    services.register(actor=centre_a, dispute=dispute, now=_at(1))
    services.assign(actor=centre_a, dispute=dispute, mediator=mediator, now=_at(2))
    services.accept(actor=mediator.user, dispute=dispute, now=_at(3))
    services.fail(actor=mediator.user, dispute=dispute, reason="双方分歧较大", now=_at(4))
    services.refer(actor=centre_a, dispute=dispute, referral_to=Referral.COURT, note="张三要求尽快立案", now=_at(5))
    dispute.refresh_from_db()
    assert "申请人张*" in dispute.referral_letter and "被申请人李*" in dispute.referral_letter
    assert not [s for s in SECRETS if s in dispute.referral_letter]
    assert _leaks(Action.objects.filter(object_id=str(dispute.pk))) == []


def test_the_referral_letter_names_the_parties_only_on_paper_for_the_receiver(dispute):
    pytest.importorskip("fpdf")
    dispute.referral_letter = "人民法院：\n申请人张*与被申请人李*……"
    lines = [documents._referral_party_line(p) for p in dispute.parties.all()]
    assert lines == ["申请人（自然人）：张三", "被申请人（自然人）：李四"]
    assert not any(s in line for s in SECRETS[2:] for line in lines)  # no phone or ID number on the letter


def test_only_the_mediator_and_the_centre_may_print_the_referral_letter_and_each_print_is_logged(
    dispute, centre_a, mediation, tree
):
    from fengqiao.accounts.models import Role
    from tests.factories import make_user

    Dispute.objects.filter(pk=dispute.pk).update(referral_letter="人民法院：……", state="referred")
    leader = make_user("reader", role=Role.LEADER, node=tree["410105001"], password=None)
    client = Client()
    client.force_login(leader)
    assert client.get(f"/disputes/{dispute.tracking_code}/referral.pdf").status_code == 403
    client.force_login(centre_a)
    try:
        response = client.get(f"/disputes/{dispute.tracking_code}/referral.pdf")
    except Exception as exc:  # no CJK font on this machine: the permission and the log are what is tested here
        pytest.skip(f"no PDF font: {exc}")
    assert response.status_code == 200
    assert Action.objects.filter(verb="referral_download", object_id=str(dispute.pk), actor=centre_a).exists()


def test_the_text_form_of_cases_and_parties_is_safe(dispute):
    assert str(dispute) == dispute.tracking_code
    assert sorted(str(p) for p in dispute.parties.all()) == ["申请人 张*", "被申请人 李*"]
    organisation = Party(dispute=dispute, role=Party.Role.RESPONDENT, kind=Party.Kind.ORGANISATION, name="某物业公司")
    assert str(organisation) == "被申请人 某物业公司"  # an organisation's name is not personal data


def test_a_residents_name_and_phone_never_reach_the_event_trail(tree, catalogue, dispatcher):
    event = events.report_event(
        actor=None,
        source=Source.RESIDENT,
        description="王小明反映：楼道灯坏了，联系 13700001111",
        grid=tree["410105001001001"],
        reporter_name="王小明",
        reporter_phone="13700001111",
    )
    events.reject_event(actor=dispatcher, event=event, note="已电话告知王小明（13700001111）：属物业维修范围")
    actions = Action.objects.filter(object_id=str(event.pk), content_type__model="event")
    text = " ".join(_texts(a) for a in actions)
    assert "王小明" not in text and "13700001111" not in text
    assert str(event) == event.tracking_code
