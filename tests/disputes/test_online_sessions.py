"""Online sessions: the mediator schedules one on an existing video service (http/https only); each party's link
page offers "进入视频调解", which records who joined, when and from where, then goes to the meeting; the case page
shows it; writing up the notes records the session like any other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.disputes import online
from fengqiao.disputes.models import Attendance
from tests.disputes.conftest import file_dispute
from tests.disputes.online_kit import in_mediation, link_for, party_url, phone

MEETING = "https://meeting.tencent.com/dm/abc123"


@pytest.fixture
def med(mediation):
    return mediation["neighbour_expert"]


@pytest.fixture
def case(dispute, centre_a, med):
    return in_mediation(dispute, centre_a, med)


@pytest.fixture
def scheduled(case, med):
    return online.schedule_online_session(
        actor=med.user, dispute=case, held_at=timezone.now() + dt.timedelta(hours=2), meeting_link=MEETING
    )


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "JaVaScRiPt://x.com/%0aalert(1)",
        "data:text/html,x",
        "ftp://x.com",
        "meeting",
        "https://",
        "https://a b.com",
    ],
)
def test_only_http_and_https_meeting_links_are_accepted(case, med, bad):
    with pytest.raises(DomainError) as err:
        online.schedule_online_session(actor=med.user, dispute=case, held_at=None, meeting_link=bad)
    assert err.value.code == "bad_meeting_link"


def test_only_the_cases_mediator_schedules(case, mediation, centre_a):
    for someone in (mediation["generalist"].user, centre_a):
        with pytest.raises(DomainError):
            online.schedule_online_session(actor=someone, dispute=case, held_at=None, meeting_link=MEETING)


def test_the_mediator_schedules_from_the_case_page(case, med):
    client = Client()
    client.force_login(med.user)
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("disputes:online_schedule", args=[case.tracking_code])
    client.post(url, {"held_at": when, "meeting_link": MEETING, "participants": "张三、李四"})
    session = case.sessions.get(online=True, notes="")
    assert session.meeting_link == MEETING and session.held_at > timezone.now()
    assert Action.objects.filter(verb="session_scheduled").exists()
    page = client.get(reverse("disputes:detail", args=[case.tracking_code])).content.decode()
    assert f'id="online-session-{session.pk}"' in page and "尚无人进入" in page


def test_joining_records_attendance_and_goes_to_the_meeting(case, med, scheduled):
    respondent = case.respondents()[0]
    token = link_for(respondent, med.user)
    page = phone().get(party_url(token)).content.decode()
    assert f'id="join-{scheduled.pk}"' in page and "进入视频调解" in page
    response = phone().post(reverse("disputes:party_join", args=[token, scheduled.pk]))
    # A page that follows the link, not a redirect: a form post may not end on another site (CSP form-action).
    assert response.status_code == 200 and f'href="{MEETING}"' in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"  # the video service never sees the address
    phone().post(reverse("disputes:party_join", args=[token, scheduled.pk]))  # a second tap: still one row
    attendance = Attendance.objects.get()
    assert attendance.party == respondent and attendance.session == scheduled and attendance.ip == "10.1.2.3"
    client = Client()
    client.force_login(med.user)
    page = client.get(reverse("disputes:detail", args=[case.tracking_code])).content.decode()
    assert f"{respondent.name_masked} {timezone.localtime(attendance.joined_at):%m-%d %H:%M}" in page


def test_a_party_of_another_case_cannot_join_this_session(case, med, scheduled, tree, types, centre_a):
    other = in_mediation(file_dispute(tree, types), centre_a, med)
    token = link_for(other.applicants()[0], med.user)
    response = phone().post(reverse("disputes:party_join", args=[token, scheduled.pk]))
    assert response.status_code == 404 and not Attendance.objects.exists()


def test_joining_needs_a_post(case, med, scheduled):
    token = link_for(case.applicants()[0], med.user)
    assert phone().get(reverse("disputes:party_join", args=[token, scheduled.pk])).status_code == 405
    assert not Attendance.objects.exists()


def test_writing_up_records_the_session_and_closes_the_room(case, med, scheduled):
    with pytest.raises(DomainError) as err:  # not held yet
        online.write_up_session(actor=med.user, session=scheduled, participants="", notes="双方达成一致")
    assert err.value.code == "session_in_future"
    later = scheduled.held_at + dt.timedelta(hours=1)
    online.write_up_session(
        actor=med.user, session=scheduled, participants="张三、李四", notes="双方达成一致", now=later
    )
    scheduled.refresh_from_db()
    assert scheduled.notes == "双方达成一致"
    assert Action.objects.filter(verb="record_session").count() == 2  # the first session and this one
    token = link_for(case.applicants()[0], med.user)
    page = phone().get(party_url(token)).content.decode()
    assert f'id="join-{scheduled.pk}"' not in page and f'id="statement-{scheduled.pk}"' in page
    with pytest.raises(DomainError):
        online.join_session(party=case.applicants()[0], session=scheduled)
