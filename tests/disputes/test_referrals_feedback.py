"""The outcome goes back to whoever sent the case: a letter, and a signed callback retried until it lands."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac
from django.test import Client
from django.utils import timezone

from fengqiao.core.models import Action
from fengqiao.disputes import referrals, services
from fengqiao.disputes.models import Feedback, Source
from tests.disputes.conftest import file_dispute
from tests.disputes.referrals_support import hand_in, make_referrer, to_confirming

SECRET = "shared-callback-secret-of-the-court"


class Receiver:
    """A referrer's receiving system on localhost: records what it is sent, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                outer.received.append((dict(self.headers), self.rfile.read(length)))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(headers: dict[str, str], body: bytes) -> bool:
    algorithm, _eq, given = headers["X-Fengqiao-Signature"].partition("=")
    if algorithm == "hmac-sm3":
        mac = chmac.HMAC(SECRET.encode(), hashes.SM3())
        mac.update(body)
        expected = mac.finalize().hex()
    else:
        assert algorithm == "hmac-sha256"
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def resolved_case(referrer, centre, mediation, ref="R-1"):
    dispute = hand_in(referrer, ref)
    to_confirming(dispute, centre, mediation["neighbour_expert"])
    return dispute


def test_a_concluded_case_is_sent_back_signed(tree, types, centre_a, mediation, receiver):
    court, _key = make_referrer(tree, callback_url=receiver.url, callback_secret=SECRET)
    dispute = resolved_case(court, centre_a, mediation)
    assert referrals.deliver_due() == 1
    [(headers, body)] = receiver.received
    assert verify(headers, body)
    payload = json.loads(body)
    assert payload["tracking_code"] == dispute.tracking_code and payload["source_ref"] == "R-1"
    assert payload["event"] == "resolved" and payload["outcome"] == "双方达成协议"
    assert set(payload) >= {"state", "concluded_at", "confirmation_outcome"}
    feedback = Feedback.objects.get(dispute=dispute)
    assert feedback.delivered_at is not None and feedback.attempts == 1 and feedback.next_attempt_at is None
    dispute.refresh_from_db()
    assert dispute.feedback_sent_at is not None and "R-1" in dispute.feedback_letter
    assert referrals.deliver_due() == 0  # delivered once, never again


def test_a_forged_body_does_not_verify(tree, types, centre_a, mediation, receiver):
    court, _key = make_referrer(tree, callback_url=receiver.url, callback_secret=SECRET)
    resolved_case(court, centre_a, mediation)
    referrals.deliver_due()
    [(headers, body)] = receiver.received
    assert not verify(headers, body.replace(b"resolved", b"withdrawn"))


def test_a_failing_endpoint_is_retried_with_backoff_and_the_error_kept(tree, types, centre_a, mediation):
    failing = Receiver(status=500)
    try:
        court, _key = make_referrer(tree, callback_url=failing.url, callback_secret=SECRET)
        dispute = resolved_case(court, centre_a, mediation)
        before = timezone.now()
        assert referrals.deliver_due() == 0
        feedback = Feedback.objects.get(dispute=dispute)
        assert feedback.attempts == 1 and feedback.delivered_at is None
        assert "500" in feedback.last_error
        assert feedback.next_attempt_at > before + dt.timedelta(seconds=50)
        assert referrals.deliver_due() == 0 and len(failing.received) == 1  # not due yet
        failing.status = 200
        assert referrals.deliver_due(now=feedback.next_attempt_at + dt.timedelta(seconds=1)) == 1
        feedback.refresh_from_db()
        assert feedback.attempts == 2 and feedback.delivered_at is not None
    finally:
        failing.close()


def test_an_unreachable_endpoint_is_recorded_not_raised(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree, callback_url="http://127.0.0.1:9/nothing", callback_secret=SECRET)
    dispute = resolved_case(court, centre_a, mediation)
    referrals.deliver_due()
    feedback = Feedback.objects.get(dispute=dispute)
    assert feedback.attempts == 1 and feedback.last_error and feedback.delivered_at is None


def test_delivery_gives_up_after_the_last_attempt(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree, callback_url="http://127.0.0.1:9/nothing")
    dispute = resolved_case(court, centre_a, mediation)
    Feedback.objects.filter(dispute=dispute).update(attempts=referrals.MAX_ATTEMPTS - 1)
    referrals.deliver_due()
    feedback = Feedback.objects.get(dispute=dispute)
    assert feedback.attempts == referrals.MAX_ATTEMPTS and feedback.next_attempt_at is None


def test_the_courts_confirmation_goes_back_as_a_second_feedback(tree, types, centre_a, mediation, receiver):
    court, _key = make_referrer(tree, callback_url=receiver.url, callback_secret=SECRET)
    dispute = resolved_case(court, centre_a, mediation)
    services.record_confirmation(actor=centre_a, dispute=dispute, outcome="裁定调解协议有效")
    assert referrals.deliver_due() == 2
    events = [json.loads(body)["event"] for _h, body in receiver.received]
    assert sorted(events) == ["confirmed", "resolved"]
    confirmed = next(json.loads(b) for _h, b in receiver.received if json.loads(b)["event"] == "confirmed")
    assert confirmed["confirmation_outcome"] == "裁定调解协议有效"


def test_each_event_is_queued_once(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree)
    dispute = resolved_case(court, centre_a, mediation)
    referrals.queue_feedback(dispute=dispute, step="resolve")
    assert Feedback.objects.filter(dispute=dispute, event="resolved").count() == 1


def test_withdrawn_referred_and_closed_cases_go_back_too(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree)
    withdrawn = hand_in(court, "W-1")
    services.withdraw(actor=centre_a, dispute=withdrawn, reason="当事人自行和解")
    assert Feedback.objects.get(dispute=withdrawn).event == "withdrawn"
    assert Feedback.objects.get(dispute=withdrawn).next_attempt_at is None  # no receiving system: the letter only


def test_nothing_is_sent_for_a_case_nobody_referred(tree, types, centre_a, mediation, receiver):
    make_referrer(tree, callback_url=receiver.url, callback_secret=SECRET)
    dispute = file_dispute(tree, types)
    to_confirming(dispute, centre_a, mediation["neighbour_expert"])
    referrals.deliver_due()
    assert not Feedback.objects.exists() and receiver.received == []
    dispute.refresh_from_db()
    assert dispute.feedback_letter == ""


def test_the_letter_downloads_for_the_centre(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree)
    dispute = resolved_case(court, centre_a, mediation)
    client = Client()
    client.force_login(centre_a)
    response = client.get(f"/disputes/{dispute.tracking_code}/feedback.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Action.objects.filter(verb="feedback_download", actor=centre_a).exists()
    page = client.get(f"/disputes/{dispute.tracking_code}/").content.decode()
    assert "feedback-pdf" in page and court.name in page


def test_the_letter_is_404_for_a_mediator_of_another_case(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree)
    dispute = resolved_case(court, centre_a, mediation)
    client = Client()
    client.force_login(mediation["other_township"].user)
    assert client.get(f"/disputes/{dispute.tracking_code}/feedback.pdf").status_code == 404


def test_the_letter_is_refused_to_the_cases_own_mediator(tree, types, centre_a, mediation):
    court, _key = make_referrer(tree)
    dispute = resolved_case(court, centre_a, mediation)
    client = Client()
    client.force_login(mediation["neighbour_expert"].user)
    assert client.get(f"/disputes/{dispute.tracking_code}/feedback.pdf").status_code == 403


def test_a_police_referral_is_a_referrer_of_its_own_channel(tree, types):
    police, _key = make_referrer(tree, name="甲街道派出所", source=Source.POLICE)
    assert hand_in(police, "JQ-7").source == Source.POLICE
