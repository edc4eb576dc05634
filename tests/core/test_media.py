"""Uploaded files are served only through the authorising view: the case must be visible to the one asking.

Dispute evidence and signed agreements carry ID numbers: a handler of another district, an anonymous visitor and a
resident holding only the tracking code must all get the same 404 as for a file that does not exist.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import signing
from django.urls import Resolver404, resolve
from PIL import Image

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core import media
from fengqiao.core.attachments import attach, attachments_of
from fengqiao.core.uploads import check_image
from fengqiao.disputes.models import Agreement
from fengqiao.events import services as event_services
from fengqiao.events.models import Category, Source
from fengqiao.grids.models import Level
from fengqiao.grids.services import NodeData, save_nodes
from tests.disputes import conftest as disputes
from tests.disputes.conftest import file_dispute
from tests.factories import make_user, square

# The mediation set-up of the disputes tests, shared here as fixtures.
types, mediation, centre_a = disputes.types, disputes.mediation, disputes.centre_a

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FENGQIAO_SENDFILE = ""


def photo(colour: tuple[int, int, int] = (200, 30, 30)) -> list:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return [("evidence.png", check_image(out.getvalue(), name="evidence.png"))]


@pytest.fixture
def other_district(tree):
    """鼓楼区 of another city, with a dispatcher and a department handler of its own."""
    area = square(114.30, 34.79, 114.32, 34.80)
    _city, node = save_nodes(
        actor=None,
        items=[
            NodeData("4102", "开封市", Level.CITY, None, geometry=area),
            NodeData("410204", "鼓楼区", Level.DISTRICT, "4102", geometry=area),
        ],
    )
    department = Department.objects.create(node=node, name="鼓楼区司法局", code="410204-JUS", kind="justice")
    handler = make_user("handler_410204", full_name="冯办理", password=None)
    Membership.objects.create(user=handler, node=node, role=Role.HANDLER, department=department)
    dispatcher = make_user("dispatcher_410204", role=Role.DISPATCHER, node=node, password=None)
    return {"node": node, "handler": handler, "dispatcher": dispatcher}


@pytest.fixture
def event_photo(tree, worker_a, catalogue):
    event = event_services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="路口垃圾堆积两天无人清运",
        category=Category.objects.get(code="0403"),
        lon=113.602,
        lat=34.708,
    )
    (row,) = attach(actor=worker_a, target=event, images=photo(), purpose="report")
    return row


@pytest.fixture
def evidence(tree, types, mediation):
    dispute = file_dispute(tree, types)
    (row,) = attach(actor=None, target=dispute, images=photo(), purpose="evidence")
    return row


@pytest.fixture
def signed_scan(tree, types, mediation, centre_a):
    dispute = file_dispute(tree, types)
    agreement = Agreement.objects.create(
        dispute=dispute, version=1, facts="噪音", terms="停止夜间施工", performance="即日起", created_by=centre_a
    )
    (row,) = attach(actor=centre_a, target=agreement, images=photo((10, 10, 10)), purpose="signed")
    return row


def get(client, user, path: str):
    if user is not None:
        client.force_login(user)
    return client.get(path)


def answer(response) -> tuple[int, bytes]:
    """Status and body, with the per-response masked CSRF token and the page's own address blanked out."""
    body = re.sub(rb"[A-Za-z0-9]{64}", b"TOKEN", response.content)
    return response.status_code, re.sub(rb"/files/\d+/(thumb/)?", b"/files/N/", body)


def missing_answer(client) -> tuple[int, bytes]:
    return answer(client.get("/files/999999/"))


# --- nothing under MEDIA_URL is served -------------------------------------------------------------------------


def test_media_url_is_not_routed_at_all(settings):
    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}attachments/2024/01/x.jpg")


def test_the_storage_address_of_a_photo_answers_404(client, event_photo):
    assert client.get(event_photo.file.url).status_code == 404


# --- events --------------------------------------------------------------------------------------------------


def test_the_reporting_worker_gets_the_photo_with_safe_headers(client, worker_a, event_photo):
    response = get(client, worker_a, media.url(event_photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "evidence" not in response["Content-Disposition"]  # the stored name, not what the uploader called it


def test_the_thumbnail_is_served_the_same_way(client, worker_a, worker_b, event_photo):
    assert get(client, worker_a, media.url(event_photo, thumb=True))["Content-Type"] == "image/jpeg"
    client.logout()
    assert get(client, worker_b, media.url(event_photo, thumb=True)).status_code == 404


def test_a_worker_of_another_street_gets_the_same_404_as_for_a_missing_file(client, worker_b, event_photo):
    client.force_login(worker_b)
    response = client.get(media.url(event_photo))
    assert answer(response) == missing_answer(client)


def test_an_anonymous_visitor_gets_404_not_a_login_redirect(client, event_photo):
    assert client.get(media.url(event_photo)).status_code == 404
    assert client.get(media.url(event_photo, thumb=True)).status_code == 404


def test_the_detail_page_links_through_the_authorising_view(client, worker_a, event_photo):
    client.force_login(worker_a)
    from fengqiao.events.models import Event

    event = Event.objects.get(pk=event_photo.object_id)
    page = client.get(f"/events/{event.tracking_code}/").content.decode()
    assert f'href="/files/{event_photo.pk}/"' in page
    assert f'src="/files/{event_photo.pk}/thumb/"' in page
    assert "/media/" not in page


def test_a_file_of_a_model_nobody_registered_is_refused_even_to_a_superuser(client, superuser, tree):
    from fengqiao.grids.models import GridNode

    node = GridNode.objects.get(code="410105")
    (row,) = attach(actor=None, target=node, images=photo())
    assert get(client, superuser, media.url(row)).status_code == 404


def test_the_cases_with_attachments_are_all_registered():
    assert {"events.event", "disputes.dispute", "disputes.agreement", "dispatch.instruction"} <= set(media.registered())


def test_writing_methods_are_refused(client, worker_a, event_photo):
    client.force_login(worker_a)
    assert client.post(media.url(event_photo)).status_code == 405


# --- dispute evidence and signed agreements (ID numbers) -------------------------------------------------------


def test_the_centre_of_the_cases_street_sees_the_evidence(client, centre_a, evidence):
    assert get(client, centre_a, media.url(evidence)).status_code == 200


@pytest.mark.parametrize("who", ["handler", "dispatcher"])
def test_staff_of_another_district_get_404_for_evidence_and_signed_scans(
    client, other_district, who, evidence, signed_scan
):
    client.force_login(other_district[who])
    for row in (evidence, signed_scan):
        for thumb in (False, True):
            response = client.get(media.url(row, thumb=thumb))
            assert answer(response) == missing_answer(client)


def test_a_mediator_of_another_street_gets_404(client, mediation, evidence, signed_scan):
    client.force_login(mediation["other_township"].user)
    assert client.get(media.url(evidence)).status_code == 404
    assert client.get(media.url(signed_scan)).status_code == 404


def test_an_anonymous_visitor_gets_404_for_evidence_and_signed_scans(client, evidence, signed_scan):
    for row in (evidence, signed_scan):
        assert client.get(media.url(row)).status_code == 404


def test_a_resident_holding_only_the_tracking_code_gets_404(client, evidence, signed_scan):
    from fengqiao.disputes.models import Dispute

    dispute = Dispute.objects.get(pk=evidence.object_id)
    assert client.get(f"/disputes/track/{dispute.tracking_code}/").status_code == 200
    for row in (evidence, signed_scan):
        assert client.get(media.url(row)).status_code == 404
        assert client.get(f"{media.url(row)}?t={dispute.tracking_code}").status_code == 404


def test_the_signed_scan_is_seen_by_the_cases_centre(client, centre_a, signed_scan):
    assert get(client, centre_a, media.url(signed_scan)).status_code == 200


# --- signed links for authorised public pages -------------------------------------------------------------------


def test_a_signed_link_opens_the_file_without_signing_in(client, evidence):
    assert client.get(media.signed_url(evidence)).status_code == 200
    assert client.get(media.signed_url(evidence, thumb=True)).status_code == 200


def test_a_signed_link_for_one_file_does_not_open_another(client, evidence, signed_scan):
    token = media.signed_url(evidence).split("?t=")[1]
    assert client.get(f"{media.url(signed_scan)}?t={token}").status_code == 404


def test_a_forged_or_expired_link_is_refused(client, evidence, monkeypatch):
    forged = signing.TimestampSigner(salt="another.salt").sign(str(evidence.pk))
    assert client.get(media.url(evidence), {"t": forged}).status_code == 404
    assert client.get(media.url(evidence), {"t": f"{evidence.pk}:abc:def"}).status_code == 404
    link = media.signed_url(evidence)
    monkeypatch.setattr(media, "PUBLIC_LINK_SECONDS", -1)
    assert client.get(link).status_code == 404


# --- instructions ----------------------------------------------------------------------------------------------


def test_instruction_images_are_seen_by_the_sender_and_addressees_only(client, tree, dispatcher, worker_a, worker_b):
    from fengqiao.dispatch import services as dispatch_services

    instruction = dispatch_services.send_instruction(
        actor=dispatcher, title="排查燃气隐患", nodes=[tree["410105001"]], images=photo()
    )
    (row,) = attachments_of(instruction)
    assert get(client, dispatcher, media.url(row)).status_code == 200
    client.logout()
    assert get(client, worker_a, media.url(row)).status_code == 200
    client.logout()
    assert get(client, worker_b, media.url(row)).status_code == 404


# --- production: the web server sends the bytes ------------------------------------------------------------------


def test_nginx_mode_answers_with_an_internal_redirect_and_no_body(client, settings, worker_a, event_photo):
    settings.FENGQIAO_SENDFILE = "nginx"
    settings.FENGQIAO_SENDFILE_PREFIX = "/protected-media/"
    response = get(client, worker_a, media.url(event_photo))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{event_photo.file.name}"
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nginx_mode_still_refuses_outsiders(client, settings, worker_b, event_photo):
    settings.FENGQIAO_SENDFILE = "nginx"
    response = get(client, worker_b, media.url(event_photo))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_apache_mode_answers_with_x_sendfile(client, settings, worker_a, event_photo):
    settings.FENGQIAO_SENDFILE = "apache"
    response = get(client, worker_a, media.url(event_photo))
    assert response["X-Sendfile"] == event_photo.file.path
    assert response.content == b""
