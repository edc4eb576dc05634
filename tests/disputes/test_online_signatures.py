"""Signatures drawn on the phone: only the link's own party signs, once per agreement version or session record;
the image is checked (PNG data URL, size, not blank) and re-encoded; all parties signed → the agreement is signed;
the agreement PDF prints each drawn signature with time, address and digest."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from django.test import Client

from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.disputes import documents, online
from fengqiao.disputes.models import Signature
from fengqiao.disputes.online import Signer
from tests.disputes.conftest import file_dispute
from tests.disputes.online_kit import (
    draft,
    in_mediation,
    link_for,
    messages_of,
    party_url,
    phone,
    png_data_url,
    sign_url,
)


@pytest.fixture
def med(mediation):
    return mediation["neighbour_expert"]


@pytest.fixture
def case(dispute, centre_a, med):
    return in_mediation(dispute, centre_a, med)


@pytest.fixture
def agreement(case, med):
    return draft(case, med)


def test_a_party_signs_the_agreement_from_the_phone(case, med, agreement):
    applicant = case.applicants()[0]
    token = link_for(applicant, med.user)
    page = phone().get(party_url(token)).content.decode()
    assert 'id="agreement-canvas"' in page and 'id="agreement-submit"' in page and "js/signature.js" in page
    response = phone().post(sign_url(token, "agreement", agreement.version), {"image": png_data_url()}, follow=True)
    assert "签名成功" in messages_of(response)
    signature = Signature.objects.get()
    assert signature.party == applicant and signature.agreement == agreement and signature.kind == "agreement"
    assert signature.ip == "10.1.2.3" and "iPhone" in signature.user_agent
    png = online.png_of(signature)
    assert hashlib.sha256(png).hexdigest() == signature.sha256
    assert b"GPS" not in png and b"tEXt" not in png  # re-encoded: the metadata is gone
    agreement.refresh_from_db()
    assert agreement.signed_at is None  # the respondent has not signed yet


def test_the_image_is_encrypted_at_rest(case, med, agreement):
    from django.db import connection

    online.sign(party=case.applicants()[0], agreement=agreement, data_url=png_data_url())
    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM disputes_signature")
        (raw,) = cursor.fetchone()
    assert "data:image/png" not in raw and "iVBOR" not in raw


def test_signing_twice_is_refused_with_a_clear_message(case, med, agreement):
    token = link_for(case.applicants()[0], med.user)
    phone().post(sign_url(token, "agreement", agreement.version), {"image": png_data_url()})
    response = phone().post(sign_url(token, "agreement", agreement.version), {"image": png_data_url()}, follow=True)
    assert "您已签署过该内容" in messages_of(response)
    assert Signature.objects.count() == 1


def test_a_forged_party_in_the_body_still_signs_as_the_links_party(case, med, agreement):
    applicant, respondent = case.applicants()[0], case.respondents()[0]
    token = link_for(applicant, med.user)
    phone().post(
        sign_url(token, "agreement", agreement.version),
        {"image": png_data_url(), "party": respondent.pk, "party_id": respondent.pk},
    )
    assert list(Signature.objects.values_list("party_id", flat=True)) == [applicant.pk]


def test_a_party_of_another_case_cannot_sign_this_cases_agreement(case, med, agreement, tree, types, centre_a):
    other = in_mediation(file_dispute(tree, types), centre_a, med)
    draft(other, med)
    token = link_for(other.applicants()[0], med.user)
    response = phone().post(sign_url(token, "agreement", agreement.version), {"image": png_data_url()})
    # The other case has a version 1 of its own: the address names a version, the case is always the link's.
    assert not Signature.objects.filter(agreement=agreement).exists()
    session = case.sessions.get()
    response = phone().post(sign_url(token, "statement", session.pk), {"image": png_data_url()})
    assert response.status_code == 404 and not Signature.objects.filter(session=session).exists()
    with pytest.raises(DomainError):
        online.sign(party=other.applicants()[0], agreement=agreement, data_url=png_data_url())


@pytest.mark.parametrize(
    ("image", "words"),
    [
        ("", "请先在签名框内手写签名"),
        (png_data_url(ink=False), "签名为空白"),
        (png_data_url(ink=False, mode="RGB"), "签名为空白"),
        (png_data_url(fmt="JPEG"), "签名图像无效"),
        ("data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(), "签名图像无效"),
        ("data:image/png;base64,not*base64", "签名图像无效"),
        ("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 100).decode(), "签名图像无效"),
        (png_data_url((2400, 300)), "尺寸超出限制"),
    ],
    ids=["empty", "transparent", "white", "jpeg", "svg", "not-base64", "broken-png", "too-wide"],
)
def test_bad_images_are_refused(case, med, agreement, image, words):
    token = link_for(case.applicants()[0], med.user)
    response = phone().post(sign_url(token, "agreement", agreement.version), {"image": image}, follow=True)
    assert words in messages_of(response)
    assert not Signature.objects.exists()


def test_an_oversize_image_is_refused(case, med, agreement):
    import random

    from PIL import Image

    rng = random.Random(1)
    noise = Image.frombytes("RGB", (1000, 400), bytes(rng.getrandbits(8) for _ in range(1000 * 400 * 3)))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > online.MAX_SIGNATURE_BYTES
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    with pytest.raises(DomainError) as err:
        online.sign(party=case.applicants()[0], agreement=agreement, data_url=url)
    assert err.value.code == "signature_image_invalid"


def test_a_superseded_version_cannot_be_signed_and_a_new_version_needs_new_signatures(case, med, agreement):
    applicant = case.applicants()[0]
    online.sign(party=applicant, agreement=agreement, data_url=png_data_url())
    second = draft(case, med, terms="李四夜间九点后不施工")
    with pytest.raises(DomainError) as err:
        online.sign(party=case.respondents()[0], agreement=agreement, data_url=png_data_url())
    assert err.value.code == "not_signable"
    token = link_for(applicant, med.user)
    page = Client().get(party_url(token)).content.decode()
    assert "第 2 版" in page and 'id="agreement-canvas"' in page  # asked to sign again
    online.sign(party=applicant, agreement=second, data_url=png_data_url())
    assert Signature.objects.filter(party=applicant).count() == 2


def test_when_every_party_has_signed_the_agreement_is_signed_and_the_mediator_told(
    case, med, agreement, django_capture_on_commit_callbacks
):
    from fengqiao.core.signals import notify

    told = []

    def listen(sender, **kwargs):
        told.append(kwargs)

    notify.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            online.sign(
                party=case.applicants()[0], agreement=agreement, data_url=png_data_url(), signer=Signer("1.1.1.1")
            )
            online.sign(
                party=case.respondents()[0], agreement=agreement, data_url=png_data_url(), signer=Signer("2.2.2.2")
            )
    finally:
        notify.disconnect(listen)
    agreement.refresh_from_db()
    assert agreement.signed_at is not None
    assert Action.objects.filter(verb="agreement_esigned").count() == 1
    assert [med.user] in [t["recipients"] for t in told]


def test_the_session_notes_are_signed_once_each(case, med):
    session = case.sessions.get()
    token = link_for(case.respondents()[0], med.user)
    page = phone().get(party_url(token)).content.decode()
    assert session.notes in page and 'id="statement-canvas"' in page
    phone().post(sign_url(token, "statement", session.pk), {"image": png_data_url()})
    response = phone().post(sign_url(token, "statement", session.pk), {"image": png_data_url()}, follow=True)
    assert "您已签署过该内容" in messages_of(response)
    assert Signature.objects.get().session == session
    assert Signature.objects.get().kind == "statement"


def test_the_agreement_pdf_shows_both_drawn_signatures(case, med, agreement):
    first = online.sign(
        party=case.applicants()[0], agreement=agreement, data_url=png_data_url(), signer=Signer("1.1.1.1")
    )
    second = online.sign(
        party=case.respondents()[0], agreement=agreement, data_url=png_data_url((400, 150)), signer=Signer("2.2.2.2")
    )
    from django.utils import timezone

    from tests.disputes.test_documents import pdf_unicode_text

    data = documents.agreement_pdf(agreement)
    assert data.count(b"/Subtype /Image") == 2
    chars = pdf_unicode_text(data)
    for signature in (first, second):
        stamp = timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S")
        assert set(stamp + signature.sha256[:16] + "电子签名时间") <= chars


def test_an_unsigned_agreement_pdf_keeps_the_blank_signature_lines(agreement):
    data = documents.agreement_pdf(agreement)
    assert b"/Subtype /Image" not in data
