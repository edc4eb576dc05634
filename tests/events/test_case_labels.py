"""The event workflow table is the one source of what an event's timeline and tracking page call each step."""

from __future__ import annotations

from django.test import Client

from fengqiao.core import audit
from fengqiao.events import selectors, services
from fengqiao.events.workflow import EVENT_FLOW

STAFF_NOTE = "内部备注：请联系报告人王大爷核实"


def test_every_transition_and_verb_has_a_label_that_is_not_its_identifier():
    labels = EVENT_FLOW.labels()
    assert {t.name for t in EVENT_FLOW.transitions} <= set(labels)
    assert {"report", "supervise", "extension.request", "extension.approve", "extension.reject"} <= set(labels)
    for verb, label in labels.items():
        assert str(label) and str(label) != verb
        assert audit.verb_label(verb, EVENT_FLOW.name) == str(label)


def test_no_second_table_of_labels_is_kept_beside_the_workflow():
    assert not hasattr(selectors, "VERB_LABELS") and not hasattr(selectors, "PUBLIC_VERBS")


def test_every_label_on_the_timeline_comes_from_the_workflow(event):
    for verb in EVENT_FLOW.labels():
        if verb != "report":
            audit.record(actor=None, verb=verb, target=event, workflow=EVENT_FLOW.name)
    rows = selectors.timeline(event)
    assert {r.verb for r in rows} == set(EVENT_FLOW.labels())
    for row in rows:
        assert row.verb_label == EVENT_FLOW.label(row.verb) != row.verb


def test_the_tracking_stages_are_the_workflows_public_labels(event):
    for verb in EVENT_FLOW.labels():
        if verb != "report":
            audit.record(actor=None, verb=verb, target=event, note=STAFF_NOTE, workflow=EVENT_FLOW.name)
    _, stages = selectors.public_tracking(code=event.tracking_code)
    verbs = ["report", *(v for v in EVENT_FLOW.labels() if v != "report")]
    assert [s.label for s in stages] == [EVENT_FLOW.public_label(v) for v in verbs if EVENT_FLOW.public_label(v)]
    # The reason for not registering is told to the resident; no other staff note is.
    assert [s.note for s in stages if s.note == STAFF_NOTE] == [STAFF_NOTE]


def test_the_tracking_page_renders_through_the_shared_include_without_staff_notes_or_names(
    event, dispatcher, handler, urban
):
    services.register_event(actor=dispatcher, event=event, category=event.category, note=STAFF_NOTE)
    services.route_event(actor=dispatcher, event=event, department=urban, note=STAFF_NOTE)
    response = Client().get(f"/events/track/{event.tracking_code}/")
    assert response.status_code == 200
    assert "core/_tracking_stages.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "已核实立案" in page and "已交办责任部门" in page
    assert STAFF_NOTE not in page
    names = [p.full_name for p in (dispatcher, handler, event.reporter) if p.full_name]
    assert names and not [name for name in names if name in page]
