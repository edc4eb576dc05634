"""The event closed loop through its services: every step, who may take it, and what it records."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from fengqiao.core import deadlines, sla
from fengqiao.core.errors import OutsideJurisdiction, WorkflowError
from fengqiao.core.models import Action, Attachment
from fengqiao.core.signals import notify
from fengqiao.core.uploads import UploadError
from fengqiao.events import selectors, services
from fengqiao.events.models import Event, Extension, Source
from tests.events.conftest import POINT_A, POINT_B


def photo(name: str = "p.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def walk_to_routed(event, dispatcher, urban):
    services.register_event(actor=dispatcher, event=event)
    return services.route_event(actor=dispatcher, event=event, department=urban)


def test_a_patrol_report_lands_in_the_finest_grid_with_a_tracking_code_and_a_clock(event, tree):
    assert event.grid == tree["410105001001001"]
    assert event.grid_path == tree["410105001001001"].path
    assert event.state == "reported"
    assert event.tracking_code.startswith("E")
    assert event.due_at is not None and event.warn_at < event.due_at
    assert Action.objects.for_object(event).get().verb == "report"


def test_a_resident_report_needs_a_valid_phone(tree, litter):
    with pytest.raises(services.ReportError) as err:
        services.report_event(
            actor=None, source=Source.RESIDENT, description="垃圾没人收", lon=POINT_A[0], lat=POINT_A[1]
        )
    assert err.value.code == "phone_required"
    with pytest.raises(services.ReportError) as err:
        services.report_event(
            actor=None,
            source=Source.RESIDENT,
            description="垃圾没人收",
            lon=POINT_A[0],
            lat=POINT_A[1],
            reporter_phone="12345",
        )
    assert err.value.code == "bad_phone"
    assert not Event.objects.exists()


def test_a_report_outside_every_grid_is_refused_with_the_nearest_grid_named(tree):
    with pytest.raises(services.ReportError) as err:
        services.report_event(
            actor=None,
            source=Source.RESIDENT,
            description="路灯坏了",
            lon=113.5985,
            lat=34.703,
            reporter_phone="13800000000",
        )
    assert err.value.code == "outside_grids"
    assert "甲一" in err.value.message
    assert not Event.objects.exists()


def test_a_report_outside_every_grid_goes_to_the_fallback_grid_when_one_is_set(tree, settings):
    settings.FENGQIAO_FALLBACK_GRID = "410105"
    event = services.report_event(
        actor=None, source=Source.RESIDENT, description="路灯坏了", lon=113.0, lat=34.0, reporter_phone="13800000000"
    )
    assert event.grid.code == "410105"


def test_a_worker_cannot_report_a_position_in_another_grid_as_patrol(tree, worker_a):
    with pytest.raises(OutsideJurisdiction):
        services.report_event(
            actor=worker_a, source=Source.PATROL, description="井盖丢失", lon=POINT_B[0], lat=POINT_B[1]
        )


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(tree, worker_a):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is an executable", content_type="image/jpeg")
    with pytest.raises(UploadError) as err:
        services.report_event(
            actor=worker_a,
            source=Source.PATROL,
            description="井盖丢失",
            lon=POINT_A[0],
            lat=POINT_A[1],
            photos=[photo(), fake],
        )
    assert err.value.code == "not_an_image"
    assert not Event.objects.exists()
    assert not Attachment.objects.exists()


def test_photos_are_attached_and_their_gps_used_when_the_report_has_no_position(tree, worker_a):
    image = Image.new("RGB", (40, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 42.0, 28.8), 3: "E", 4: (113.0, 36.0, 7.2)}  # 34.708, 113.602
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    event = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="井盖丢失",
        photos=[SimpleUploadedFile("gps.jpg", out.getvalue())],
    )
    assert event.grid.code == "410105001001001"
    assert Attachment.objects.filter(object_id=str(event.pk), purpose="report").count() == 1


def test_the_same_idempotency_key_never_creates_a_second_event(tree, worker_a):
    kwargs = dict(actor=worker_a, source=Source.PATROL, description="井盖丢失", lon=POINT_A[0], lat=POINT_A[1])
    first = services.report_event(**kwargs, idempotency_key="phone-123-1")
    again = services.report_event(**kwargs, idempotency_key="phone-123-1")
    assert first.pk == again.pk
    assert Event.objects.count() == 1


def test_the_whole_loop_from_report_to_rating(event, dispatcher, handler, urban, worker_a):
    event = walk_to_routed(event, dispatcher, urban)
    assert event.lead_department == urban
    services.sign_event(actor=handler, event=event)
    services.start_event(actor=handler, event=event)
    services.handle_event(actor=handler, event=event, result="已清运", photos=[photo()])
    services.verify_event(actor=dispatcher, event=event)
    services.close_event(actor=dispatcher, event=event)
    services.rate_event(actor=worker_a, event=event, stars=5, comment="很及时")  # the reporter, signed in
    services.record_revisit(actor=dispatcher, event=event, note="电话回访，满意")
    event.refresh_from_db()
    assert event.state == "closed" and event.stars == 5 and event.due_at is None
    verbs = list(Action.objects.for_object(event).order_by("at", "id").values_list("verb", flat=True))
    assert verbs == ["report", "register", "route", "sign", "start", "handle", "verify", "close", "rate", "revisit"]


def test_a_transition_not_in_the_table_is_refused_with_a_message_and_changes_nothing(event, dispatcher):
    with pytest.raises(WorkflowError) as err:
        services.close_event(actor=dispatcher, event=event)
    assert "不能执行" in err.value.message
    event.refresh_from_db()
    assert event.state == "reported"
    assert Action.objects.for_object(event).count() == 1


def test_a_handler_of_another_department_cannot_act(event, dispatcher, urban, other_handler):
    walk_to_routed(event, dispatcher, urban)
    with pytest.raises(WorkflowError) as err:
        services.sign_event(actor=other_handler, event=event)
    assert err.value.code == "not_permitted"
    event.refresh_from_db()
    assert event.state == "routed"


def test_a_dispatcher_of_another_street_cannot_register(event, tree):
    from tests.factories import make_user

    other = make_user("disp_b", role="dispatcher", node=tree["410105002"])
    with pytest.raises(WorkflowError):
        services.register_event(actor=other, event=event)


def test_routing_to_a_department_outside_the_events_area_is_refused(event, dispatcher, police_b):
    services.register_event(actor=dispatcher, event=event)
    with pytest.raises(WorkflowError) as err:
        services.route_event(actor=dispatcher, event=event, department=police_b)
    assert err.value.code == "department_outside_area"


def test_a_wrong_dispatch_is_returned_with_a_reason(event, dispatcher, handler, urban):
    walk_to_routed(event, dispatcher, urban)
    with pytest.raises(WorkflowError):
        services.return_event(actor=handler, event=event, note="")
    services.return_event(actor=handler, event=event, note="不属于城管职责")
    event.refresh_from_db()
    assert event.state == "registered" and event.lead_department is None and event.reason == "不属于城管职责"


def test_small_things_are_handled_in_the_grid(event, dispatcher, worker_a):
    services.register_event(actor=dispatcher, event=event)
    services.handle_in_grid(actor=worker_a, event=event, result="已协调保洁清理")
    assert event.state == "handled"


def test_escalation_moves_one_tier_up_and_skipping_needs_the_category_to_allow_it(event, dispatcher, worker_a):
    services.register_event(actor=dispatcher, event=event)
    assert event.tier == "grid"
    with pytest.raises(WorkflowError) as err:
        services.escalate_event(actor=worker_a, event=event, note="处理不了", skip=True)
    assert err.value.code == "skip_not_allowed"
    services.escalate_event(actor=worker_a, event=event, note="需要社区协调")
    assert event.tier == "community" and event.state == "registered"


def test_hazards_need_an_acceptance_note_to_be_verified(tree, worker_a, dispatcher, gas):
    event = services.report_event(
        actor=worker_a, source=Source.PATROL, description="闻到燃气味", category=gas, lon=POINT_A[0], lat=POINT_A[1]
    )
    services.register_event(actor=dispatcher, event=event)
    services.handle_in_grid(actor=dispatcher, event=event, result="已关阀并通知燃气公司")
    with pytest.raises(WorkflowError) as err:
        services.verify_event(actor=dispatcher, event=event)
    assert err.value.code == "acceptance_required"
    services.verify_event(actor=dispatcher, event=event, acceptance="现场复查无泄漏")
    assert event.state == "verified"


def test_rating_accepts_one_to_five_stars_once(event, dispatcher, worker_a):
    services.register_event(actor=dispatcher, event=event)
    services.handle_in_grid(actor=dispatcher, event=event, result="ok")
    services.verify_event(actor=dispatcher, event=event)
    services.close_event(actor=dispatcher, event=event)
    with pytest.raises(WorkflowError) as err:
        services.rate_event(actor=worker_a, event=event, stars=6)
    assert err.value.code == "bad_stars"
    services.rate_event(actor=worker_a, event=event, stars=4)
    with pytest.raises(WorkflowError) as err:
        services.rate_event(actor=worker_a, event=event, stars=5)
    assert err.value.code == "already_rated"


def test_an_approved_extension_moves_the_deadline(event, dispatcher, handler, urban):
    walk_to_routed(event, dispatcher, urban)
    services.sign_event(actor=handler, event=event)
    due = Event.objects.get(pk=event.pk).due_at
    ext = services.request_extension(actor=handler, event=event, hours=48, reason="需等待设备")
    services.decide_extension(actor=dispatcher, extension=ext, approve=True)
    event.refresh_from_db()
    assert event.due_at == due + dt.timedelta(hours=48) and event.extended
    assert Extension.objects.get().state == "approved"


def test_supervision_is_recorded_and_notifies_the_lead_department(
    event, dispatcher, handler, urban, django_capture_on_commit_callbacks
):
    walk_to_routed(event, dispatcher, urban)
    received = []
    notify.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="test-sup")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.supervise_event(actor=dispatcher, event=event, note="请今天内处理")
    finally:
        notify.disconnect(dispatch_uid="test-sup")
    assert event.supervised
    assert received[-1]["kind"] == "supervision" and handler in received[-1]["recipients"]


def test_an_overdue_event_is_red_in_the_queue_and_counted_red(event, dispatcher, worker_a):
    later = event.due_at + dt.timedelta(minutes=1)
    row = selectors.event_queue(actor=dispatcher, now=later).get(pk=event.pk)
    assert row.colour == "red"
    assert selectors.colour_counts(actor=dispatcher, now=later) == {"green": 0, "orange": 0, "red": 1}
    orange_time = event.warn_at + dt.timedelta(seconds=1)
    assert selectors.colour_counts(actor=dispatcher, now=orange_time)["orange"] == 1
    assert selectors.colour_counts(actor=dispatcher, now=event.reported_at)["green"] == 1


def test_the_queue_of_another_grid_worker_does_not_show_the_event(event, worker_b):
    assert not selectors.event_queue(actor=worker_b).exists()
    with pytest.raises(Event.DoesNotExist):  # refused exactly like a missing event
        selectors.event_detail(actor=worker_b, code=event.tracking_code)


def test_deadline_warnings_are_sent_once_each(event, dispatcher, django_capture_on_commit_callbacks):
    received = []
    notify.connect(lambda sender, **kw: received.append(kw["kind"]), weak=False, dispatch_uid="test-dl")

    def sent(now):
        counts = deadlines.send_warnings(now=now)
        return {"orange": counts["event.nearly_due"], "red": counts["event.overdue"]}

    try:
        orange = event.warn_at + dt.timedelta(seconds=1)
        assert sent(orange) == {"orange": 1, "red": 0}
        assert sent(orange) == {"orange": 0, "red": 0}
        red = event.due_at + dt.timedelta(seconds=1)
        assert sent(red) == {"orange": 0, "red": 1}
        assert sent(red) == {"orange": 0, "red": 0}
    finally:
        notify.disconnect(dispatch_uid="test-dl")
    assert received == ["deadline_orange", "deadline_red"]


def test_each_stage_of_the_loop_runs_its_category_clock_on_a_controlled_clock(
    tree, worker_a, litter, dispatcher, urban, handler
):
    """Reported at T0 (a Monday): 2 h to register, then the category's sign and handling times, each from the step
    that started it, orange with a quarter left, red once passed; closing stops the clock."""
    t0 = timezone.make_aware(dt.datetime(2026, 11, 16, 9, 0))
    h = dt.timedelta(hours=1)
    event = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="垃圾堆积",
        category=litter,
        lon=POINT_A[0],
        lat=POINT_A[1],
        now=t0,
    )

    def colour(now):
        return selectors.with_colour(Event.objects.filter(pk=event.pk), now).get().colour

    assert event.due_at == t0 + litter.register_hours * h
    assert colour(t0 + litter.register_hours * h * 0.75 - dt.timedelta(seconds=1)) == "green"
    assert colour(t0 + litter.register_hours * h * 0.75) == "orange"
    assert colour(t0 + litter.register_hours * h + dt.timedelta(seconds=1)) == "red"
    services.register_event(actor=dispatcher, event=event, now=t0 + h)
    services.route_event(actor=dispatcher, event=event, department=urban, now=t0 + 2 * h)
    assert event.due_at == t0 + 2 * h + litter.sign_hours * h
    services.sign_event(actor=handler, event=event, now=t0 + 3 * h)
    assert event.due_at == sla.due(t0 + 3 * h, litter.handle_amount, litter.handle_unit)
    services.handle_event(actor=handler, event=event, result="已清理", now=t0 + 4 * h)
    assert event.due_at == t0 + 4 * h + litter.verify_hours * h
    services.verify_event(actor=dispatcher, event=event, now=t0 + 5 * h)
    services.close_event(actor=dispatcher, event=event, now=t0 + 6 * h)
    event.refresh_from_db()
    assert (event.due_at, event.warn_at, event.closed_at) == (None, None, t0 + 6 * h)
    assert colour(t0 + dt.timedelta(days=90)) == "green"  # a closed event never turns red


def test_possible_duplicates_are_nearby_open_events_of_the_same_category(event, worker_a, litter, dispatcher):
    near = services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="垃圾又堆起来了",
        category=litter,
        lon=POINT_A[0] + 0.0005,
        lat=POINT_A[1],
    )
    found = selectors.possible_duplicates(event=near)
    assert [e.pk for e, _ in found] == [event.pk]
    assert 30 < found[0][1] < 60
    services.merge_event(actor=dispatcher, event=near, into=event)
    assert near.state == "merged" and near.merged_into == event


def test_the_public_tracking_view_shows_stages_without_personal_data(event, dispatcher, urban):
    walk_to_routed(event, dispatcher, urban)
    found, stages = selectors.public_tracking(code=event.tracking_code.lower())
    assert found == event
    assert [s.label for s in stages] == ["已受理上报", "已核实立案", "已交办责任部门"]
    assert all("王芳" not in s.note for s in stages)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_create_one_event(tree, worker_a):
    results, errors = [], []

    def post():
        try:
            results.append(
                services.report_event(
                    actor=worker_a,
                    source=Source.PATROL,
                    description="井盖丢失",
                    lon=POINT_A[0],
                    lat=POINT_A[1],
                    idempotency_key="retry-42",
                ).pk
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert Event.objects.count() == 1  # the stored key is scoped to the caller (tests/events/test_idempotency.py)


def test_a_tracking_code_drawn_twice_is_drawn_again(tree, worker_a, monkeypatch):
    from fengqiao.core import codes

    draws = iter(["E261124-AAAAAA", "E261124-AAAAAA", "E261124-BBBBBB"])
    monkeypatch.setattr(codes, "tracking_code", lambda prefix: next(draws))
    kwargs = dict(actor=worker_a, source=Source.PATROL, description="井盖丢失", lon=POINT_A[0], lat=POINT_A[1])
    first = services.report_event(**kwargs)
    second = services.report_event(**{**kwargs, "description": "另一处井盖丢失"})  # the same text would be a resend
    assert (first.tracking_code, second.tracking_code) == ("E261124-AAAAAA", "E261124-BBBBBB")
    assert Event.objects.count() == 2
